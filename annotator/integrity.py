"""Stored invariants, checked over the whole database: what `manage.py check_integrity` reports.

Each check yields human-readable problems; none writes anything.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.db.models import F, Max
from django.db.models.functions import Length

from . import quotes
from . import text as textlib
from .models import (
    Annotation,
    Change,
    Citation,
    Document,
    DocumentVersion,
    Link,
    SearchEntry,
    Source,
    Span,
    validate_contributors,
    validate_csl_names,
    validate_issued,
    validate_other_fields,
)
from .services import search_index
from .services.quotations import QUOTATION


def _version_texts() -> dict[tuple[int, int], str]:
    texts = {(d.pk, d.version): d.text for d in Document.objects.only("id", "version", "text")}
    for v in DocumentVersion.objects.only("document_id", "number", "text"):
        texts.setdefault((v.document_id, v.number), v.text)
    return texts


def check_spans() -> Iterator[str]:
    """Every span's exact, prefix and suffix are its document's text at its offsets, in its version."""
    texts = _version_texts()
    for span in Span.objects.only("id", "document_id", "version", "start", "end", "exact", "prefix", "suffix").iterator(
        chunk_size=2000
    ):
        text = texts.get((span.document_id, span.version))
        if text is None:
            yield f"Span {span.pk}: version {span.version} of document {span.document_id} has no stored text."
            continue
        try:
            textlib.check_span(text, span.start, span.end, span.exact)
        except textlib.SpanError as exc:
            yield f"Span {span.pk} (document {span.document_id} v{span.version}, {span.start}-{span.end}): {exc}"
            continue
        prefix, suffix = textlib.quote_context(text, span.start, span.end)
        if (span.prefix, span.suffix) != (prefix, suffix):
            yield f"Span {span.pk}: its prefix or suffix differs from the text around it."


def check_projects() -> Iterator[str]:
    """Labels, sources and linked rows all belong to the project of the document they are used on."""
    wrong_label = Annotation.objects.exclude(label__project_id=F("span__document__project_id")).values_list(
        "pk", flat=True
    )
    for pk in wrong_label:
        yield f"Annotation {pk}: its label belongs to another project than its document."
    wrong_source = Citation.objects.exclude(source__project_id=F("annotation__span__document__project_id")).values_list(
        "pk", flat=True
    )
    for pk in wrong_source:
        yield f"Citation {pk}: its source belongs to another project than its mark."


def check_versions() -> Iterator[str]:
    """The newest stored version of a document is its current text, and marks of the current version agree."""
    for document in Document.objects.only("id", "version", "text"):
        newest = DocumentVersion.objects.filter(document=document).order_by("-number").first()
        if newest is not None and (newest.number != document.version or newest.text != document.text):
            yield f"Document {document.pk}: its current text is not its newest stored version."
    stray = Annotation.objects.filter(span__version__gt=F("span__document__version")).values_list("pk", flat=True)
    for pk in stray:
        yield f"Annotation {pk}: its span refers to a version newer than its document's."


def check_revisions() -> Iterator[str]:
    """A document's revision counter is at least the newest change recorded for it."""
    newest = dict(Change.objects.values("document_id").annotate(m=Max("revision")).values_list("document_id", "m"))
    for pk, revision in Document.objects.values_list("pk", "revision"):
        if newest.get(pk, 0) > revision:
            yield f"Document {pk}: revision {revision} is behind its newest change ({newest[pk]})."


def check_links() -> Iterator[str]:
    """A link's marks, type and source all belong to the link's project (issue 8)."""
    project = F("project_id")
    wrong = (
        Link.objects.exclude(from_annotation__span__document__project_id=project)
        | Link.objects.filter(to_annotation__isnull=False).exclude(to_annotation__span__document__project_id=project)
        | Link.objects.exclude(type__project_id=project)
        | Link.objects.filter(to_source__isnull=False).exclude(to_source__project_id=project)
    )
    for pk in wrong.values_list("pk", flat=True).distinct().order_by("pk"):
        yield f"Link {pk}: one of its marks, its type or its source belongs to another project than the link."


def check_pages() -> Iterator[str]:
    """A version's page boundaries start at 0, never go back, and lie within its text (issue 22); a document's
    source belongs to its project."""
    for _pk, document_id, number, pages, length in (
        DocumentVersion.objects.exclude(pages=[])
        .annotate(length=Length("text"))
        .values_list("pk", "document_id", "number", "pages", "length")
    ):
        starts = [page[0] for page in pages]
        if starts[0] != 0 or starts != sorted(starts) or starts[-1] > length:
            yield f"Document {document_id}, version {number}: its page boundaries are out of order or past its text."
    wrong_source = Document.objects.filter(source__isnull=False).exclude(source__project_id=F("project_id"))
    for pk in wrong_source.values_list("pk", flat=True):
        yield f"Document {pk}: its source belongs to another project."


def check_sources() -> Iterator[str]:
    """A source's date issued, names and other CSL variables are what its model takes (the admin saved them unchecked
    before issue 18)."""
    fields = ("id", "issued", "authors", "contributors", "other_fields")
    for source in Source.objects.only(*fields).order_by("pk").iterator(chunk_size=2000):
        for value, validate in (
            (source.issued, validate_issued),
            (source.authors, validate_csl_names),
            (source.contributors, validate_contributors),
            (source.other_fields, validate_other_fields),
        ):
            try:
                validate(value)
            except ValidationError as exc:
                yield f"Source {source.pk}: {' '.join(exc.messages)}"


def check_quote_checks() -> Iterator[str]:
    """A citation of a Quotation mark holds a check made on its mark's text and its source's text as they are now
    (`manage.py check_quotations` makes the missing and stale ones); any other citation holds none."""
    digests: dict[int, bytes] = {}
    rows = Citation.objects.order_by("pk").values_list(
        "pk", "annotation__label__key", "annotation__span__exact", "source_id", "quote_checked"
    )
    for pk, key, exact, source_id, checked in rows.iterator(chunk_size=2000):
        if key != QUOTATION:
            if checked:
                yield f"Citation {pk}: it holds a quotation check, but its mark is not a quotation."
            continue
        if not checked:
            yield f"Citation {pk}: its quotation has not been checked against its source's text."
            continue
        if source_id not in digests:
            text = Source.objects.values_list("full_text", flat=True).get(pk=source_id)
            digests[source_id] = quotes.source_digest(text)
        if checked != quotes.check_digest(exact, digests[source_id]):
            yield (
                f"Citation {pk}: its quotation check was made on other texts "
                "(the mark's, the source's or the checker's changed since)."
            )


def _entry_key(entry: SearchEntry) -> tuple:
    return (entry.kind, entry.document_id, entry.annotation_id, entry.source_id, entry.link_id, entry.start)


def _entry_value(entry: SearchEntry) -> tuple:
    return (entry.project_id, entry.label_id, entry.status, entry.author_id, entry.title, entry.body)


def check_search_index() -> Iterator[str]:
    """The search index holds what the data says, no more and no less (search_index.expected_entries), and the
    database's own index agrees with the entries (FTS5's integrity-check; on PostgreSQL, a vector on every entry)."""
    stored = {}
    for entry in SearchEntry.objects.defer("vector").iterator(chunk_size=2000):
        stored[_entry_key(entry)] = _entry_value(entry)
    for entry in search_index.expected_entries():
        key = _entry_key(entry)
        value = stored.pop(key, None)
        what = f"{entry.get_kind_display()} ({', '.join(f'{k} {v}' for k, v in zip(_KEY_NAMES, key[1:]) if v)})"
        if value is None:
            yield f"Search index: {what} is missing; run manage.py rebuild_search_index."
        elif value != _entry_value(entry):
            yield f"Search index: {what} is out of date; run manage.py rebuild_search_index."
    for key in stored:
        yield (
            f"Search index: an entry for {key[0]} {key[1:]} shows nothing that exists; "
            "run manage.py rebuild_search_index."
        )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in ("annotator_search_words", "annotator_search_trigrams"):
                try:
                    # FTS5's own check of an external-content table against its entries (plain SQL: FTS5's command).
                    cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
                except DatabaseError as exc:
                    yield (
                        f"Search index: {table} disagrees with the entries ({exc}); run manage.py rebuild_search_index."
                    )
    elif SearchEntry.objects.filter(vector__isnull=True).exists():
        yield "Search index: some entries have no search vector; run manage.py rebuild_search_index."


_KEY_NAMES = ("document", "mark", "source", "link", "at")

CHECKS = [
    check_spans,
    check_projects,
    check_versions,
    check_revisions,
    check_links,
    check_sources,
    check_quote_checks,
    check_pages,
    check_search_index,
]


def problems() -> Iterator[str]:
    for check in CHECKS:
        yield from check()
