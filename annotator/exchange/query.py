"""Reading marks and links for export: which marks (the filters, an earlier version of a text), and walks over
them that yield plain tuples, the writers' input.

Memory holds one chunk of rows at a time, whatever the number of marks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from django.db.models import Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce

from .. import text as textlib
from ..links import SAME_AS
from ..models import Annotation, Citation, ClaimVerdict, Document, DocumentVersion, Link, Placement, Status
from .records import MARK_FIELDS, SOURCE_FIELDS, CitationRecord, MarkRecord, SourceRecord, as_row

CHUNK_SIZE = 2000

# Where each of MarkRecord's fields (but the citations, which rows() puts in at their place) is read from.
MARK_COLUMNS = {
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
    "version": "span__version",
    "verdict": "verdict__rating__name",
    "verdict_value": "verdict__rating__value",
    "verdict_summary": "verdict__summary",
    "verdict_status": "verdict__status",
}
_NULL_AS_EMPTY = {"reviewer", "verdict", "verdict_summary", "verdict_status"}
# Times come as the database writes them in UTC ('2024-03-01 10:15:00.123456', '+00' on PostgreSQL), which
# records.iso_utc cuts to the second: turning each into an aware datetime and back took a third of a JSON-LD export.
_AS_TEXT = {"reviewed_at", "created_at", "updated_at"}


def _column(name: str, value: str):
    if name in _NULL_AS_EMPTY:
        return Coalesce(value, Value(""))
    if name in _AS_TEXT:
        return Cast(value, TextField())
    return value


_COLUMNS = [_column(name, value) for name, value in MARK_COLUMNS.items()]
_VERDICT_AT = MARK_FIELDS.index("verdict")
_CITATIONS_AT = MARK_FIELDS.index("citations")

# A link as a plain tuple of these (link_values): the links CSV's columns, then what names a target source.
LINK_COLUMNS = (
    "pk",
    "type__key",
    "from_annotation_id",
    "to_annotation_id",
    "note",
    "created_by__username",
    "status",
    "created_at",
    "to_source_id",
    "speaker",
    "to_source__doi",
    "to_source__url",
)


@dataclass(frozen=True)
class ExportFilter:
    """Which marks to export. Labels are named by key, editors by user name; None means any."""

    project_id: int | None = None
    document_id: int | None = None
    label: str | None = None
    status: str | None = None
    editor: str | None = None
    gold: bool = False  # the gold standard: accepted marks kept when their disagreement was settled

    def apply(self, annotations: QuerySet) -> QuerySet:
        if self.gold:
            annotations = annotations.filter(status="accepted", settled=True)
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
    """The marks on the current version of their documents' texts that pass the filter.

    Orphans (marks a revision of the text could not carry) are left out: their offsets refer to an
    older text. Marks as they were on an older version are an EarlierVersion.
    """
    return export_filter.apply(Annotation.objects.current())


def rows(annotations: QuerySet, chunk_size: int | None = None) -> Iterator[tuple]:
    """Every mark of the queryset as a plain tuple of MarkRecord's fields in their order, in order of id.

    Two queries whatever the number of marks: the marks in order of id, and their citations in the
    same order, each read chunk by chunk (a server-side cursor on PostgreSQL) and merged as they come.
    Tuples straight from the cursor, no model instances; one SourceRecord per source.
    """
    chunk_size = chunk_size or CHUNK_SIZE
    shared = _shared_verdicts(annotations)
    marks = annotations.order_by("pk").values_list(*_COLUMNS).iterator(chunk_size=chunk_size)
    citations = _citations_of(annotations, chunk_size)
    pending = next(citations, None)
    none = ()
    for row in marks:
        pk = row[0]
        own: tuple[CitationRecord, ...] = none
        # Citations come in order of their mark; skip those of marks made after the marks were read.
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                own = (*own, pending[1])
            pending = next(citations, None)
        if pk in shared:  # a claim joined to others shows the verdict they share, as its panel does
            row = (*row[: _VERDICT_AT - 1], *shared[pk])
        yield (*row[:_CITATIONS_AT], own, *row[_CITATIONS_AT:])


def _shared_verdicts(annotations: QuerySet) -> dict[int, tuple]:
    """The verdict columns of claims joined by "is the same claim as" links (not rejected), by claim id: the verdict
    their group shares (its oldest, as services.verdicts.verdict_of says). Two queries, rows as many as such links,
    not as the marks."""
    projects = annotations.values("span__document__project_id")
    links = Link.objects.filter(project_id__in=projects, type__key=SAME_AS, to_annotation__isnull=False)
    edges: dict[int, set[int]] = {}
    for a, b in links.exclude(status=Status.REJECTED).values_list("from_annotation_id", "to_annotation_id"):
        edges.setdefault(a, set()).add(b)
        edges.setdefault(b, set()).add(a)
    if not edges:
        return {}
    verdicts = {
        row[0]: row[1:]
        for row in ClaimVerdict.objects.filter(annotation_id__in=edges).values_list(
            "annotation_id", "pk", "rating__name", "rating__value", "summary", "status"
        )
    }
    shared: dict[int, tuple] = {}
    seen: set[int] = set()
    for start in edges:
        if start in seen:
            continue
        group, frontier = {start}, [start]
        while frontier:
            frontier = [o for pk in frontier for o in edges[pk] if o not in group]
            group.update(frontier)
        seen |= group
        own = [verdicts[pk] for pk in group if pk in verdicts]
        if own:
            shared.update(dict.fromkeys(group, min(own)[1:]))  # the oldest verdict is the one a group shares
    return shared


def _citations_of(annotations: QuerySet, chunk_size: int) -> Iterator[tuple[int, CitationRecord]]:
    rows = (
        Citation.objects.filter(annotation__in=annotations.values("pk"))
        .order_by("annotation_id", "id")
        .values_list("annotation_id", "locator", "note", *(f"source__{name}" for name in SOURCE_FIELDS))
        .iterator(chunk_size=chunk_size)
    )
    sources: dict[int, SourceRecord] = {}  # grows with the sources cited, not with the marks
    for annotation_id, locator, note, source_id, *fields in rows:
        source = sources.get(source_id)
        if source is None:
            source = sources[source_id] = SourceRecord(source_id, *fields)
        yield annotation_id, CitationRecord(source=source, locator=locator, note=note)


@dataclass(frozen=True)
class EarlierVersion:
    """The marks of one document as they stood on an earlier version of its text, when the next version came: the
    marks the page of that version shows, where the next version's report says each was. Label, note, review and
    sources are as they are now; marks deleted since are left out. Links are exported with the current marks only."""

    document: Document
    number: int
    text: str
    export_filter: ExportFilter = ExportFilter()

    @classmethod
    def of(cls, document: Document, number: int, export_filter: ExportFilter = ExportFilter()) -> EarlierVersion:
        """The selection, or ValueError when the document has no earlier version `number`."""
        text = DocumentVersion.objects.filter(document=document, number=number).values_list("text", flat=True).first()
        if text is None or number >= document.version:
            raise ValueError(f"“{textlib.isolated(document.title)}” has no earlier version {number}.")
        return cls(document, number, text, export_filter)

    def rows(self) -> Iterator[tuple]:
        """The marks as rows() gives them, with their offsets, text and context on the earlier version."""
        annotations = self.export_filter.apply(
            Annotation.objects.filter(
                placements__version__document=self.document, placements__version__number=self.number + 1
            )
        ).distinct()
        where = {
            annotation_id: (start, end)
            for annotation_id, start, end in Placement.objects.filter(
                version__document=self.document, version__number=self.number + 1, annotation__isnull=False
            ).values_list("annotation_id", "old_start", "old_end")
        }
        for record in (MarkRecord(*row) for row in rows(annotations)):
            start, end = where[record.annotation_id]
            prefix, suffix = textlib.quote_context(self.text, start, end)
            yield as_row(
                replace(
                    record,
                    start=start,
                    end=end,
                    exact=self.text[start:end],
                    prefix=prefix,
                    suffix=suffix,
                    version=self.number,
                )
            )


def links_of(annotations: QuerySet) -> QuerySet:
    """The links between the marks, or from one of them to a source or a speaker, as tuples of LINK_COLUMNS
    straight from the cursor (no model instances): one query.

    A link to a mark the selection leaves out stays out too, so a filtered export still imports whole.
    """
    return (
        Link.objects.filter(from_annotation__in=annotations.values("pk"))
        .filter(Q(to_annotation__isnull=True) | Q(to_annotation__in=annotations.values("pk")))
        .order_by("id")
        .values_list(*LINK_COLUMNS)
    )
