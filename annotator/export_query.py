"""Reading marks for export: the filters, and a walk over the marks in chunks that yields plain records.

The walk is keyset pagination on the primary key: each chunk is one query for the marks and one
for their citations, whatever the database, and memory holds one chunk at a time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from django.db.models import QuerySet

from .exports import CitationRecord, MarkRecord, SourceRecord
from .models import Annotation, Citation

CHUNK_SIZE = 2000

_FIELDS = {
    "annotation_id": "pk",
    "project": "span__document__project__name",
    "document_id": "span__document_id",
    "document_title": "span__document__title",
    "start": "span__start",
    "end": "span__end",
    "exact": "span__exact",
    "prefix": "span__prefix",
    "suffix": "span__suffix",
    "label": "label__key",
    "note": "note",
    "annotator": "created_by__username",
    "status": "status",
    "reviewer": "reviewed_by__username",
    "reviewed_at": "reviewed_at",
    "review_note": "review_note",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
_SOURCE_FIELDS = [
    "id", "type", "title", "authors", "issued", "container_title", "volume", "issue", "pages", "publisher",
    "url", "doi", "archive", "archive_location",
]


@dataclass(frozen=True)
class ExportFilter:
    """Which marks to export. Labels are named by key, editors by user name; None means any."""

    project_id: int | None = None
    document_id: int | None = None
    label: str | None = None
    status: str | None = None
    editor: str | None = None

    def apply(self, annotations: QuerySet) -> QuerySet:
        if self.project_id is not None:
            annotations = annotations.filter(span__document__project_id=self.project_id)
        if self.document_id is not None:
            annotations = annotations.filter(span__document_id=self.document_id)
        if self.label:
            annotations = annotations.filter(label__key=self.label)
        if self.status:
            annotations = annotations.filter(status=self.status)
        if self.editor:
            annotations = annotations.filter(created_by__username=self.editor)
        return annotations


def marks(export_filter: ExportFilter) -> QuerySet:
    return export_filter.apply(Annotation.objects.all())


def records(annotations: QuerySet, chunk_size: int | None = None) -> Iterator[MarkRecord]:
    """Every mark of the queryset as a MarkRecord, in order of id, read chunk by chunk."""
    chunk_size = chunk_size or CHUNK_SIZE
    rows = annotations.order_by("pk").values(*_FIELDS.values())
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:chunk_size])
        if not chunk:
            return
        # The chunk's citations by a subquery on its id range, not a list of ids: SQLite caps parameters.
        citations = _citations_of(annotations.filter(pk__gt=last, pk__lte=chunk[-1]["pk"]).values("pk"))
        last = chunk[-1]["pk"]
        for row in chunk:
            values = {name: row[lookup] for name, lookup in _FIELDS.items()}
            values["reviewer"] = values["reviewer"] or ""
            yield MarkRecord(**values, citations=tuple(citations.get(row["pk"], ())))
        if len(chunk) < chunk_size:
            return


def _citations_of(annotation_ids: QuerySet) -> dict[int, list[CitationRecord]]:
    found: dict[int, list[CitationRecord]] = {}
    rows = (
        Citation.objects.filter(annotation_id__in=annotation_ids)
        .order_by("annotation_id", "id")
        .values("annotation_id", "locator", "note", *(f"source__{name}" for name in _SOURCE_FIELDS))
    )
    for row in rows:
        source = SourceRecord(**{name: row[f"source__{name}"] for name in _SOURCE_FIELDS})
        found.setdefault(row["annotation_id"], []).append(
            CitationRecord(source=source, locator=row["locator"], note=row["note"])
        )
    return found
