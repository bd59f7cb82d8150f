"""The search index: SearchEntry rows, written in the transaction of the write that changes what they show.

Every service that changes findable text calls one of these (annotate, bulk_annotate, the import, update, review,
add_document, add_version, the sources and links services); what is deleted takes its entries with it (foreign keys
with CASCADE; on SQLite the FTS5 tables follow by triggers). `rebuild_index` writes the whole index again
(`manage.py rebuild_search_index`), and `expected_entries` is what check_integrity compares the index with.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from django.contrib.postgres.search import SearchVectorField
from django.db import connection, transaction
from django.db.models import Expression

from .. import text as textlib
from ..models import Annotation, Document, Label, Link, SearchEntry, Source
from ..search.terms import fold
from . import rows

# A document's text is found in stretches of about this many code points (whole paragraphs where they fit): a hit's
# context and its place in the document are read from its stretch alone.
CHUNK = 1_500
BATCH = 1_000
Kind = SearchEntry.Kind


def chunks(text: str, size: int = CHUNK) -> Iterator[tuple[int, int, str]]:
    """(offset, block, stretch) tiling the text: its blocks (text.split_blocks, as the document page cuts them) joined
    up to `size` code points, a longer one cut at a space; `block`: the number of the block the stretch starts in."""
    start = end = 0
    first = 0  # the block `start` is in
    for index, (_, block_end) in enumerate(textlib.split_blocks(text)):
        if block_end - start > size and end > start:
            yield start, first, text[start:end]
            start, first = end, index
        while block_end - start > size:
            cut = text.rfind(" ", start + size // 2, start + size)
            cut = cut + 1 if cut != -1 else start + size
            yield start, first, text[start:cut]
            start, first = cut, index
        end = block_end
    if end > start:
        yield start, first, text[start:end]


class _WeightedVector(Expression):
    """The stored vector of a title and a body (both folded): setweight(to_tsvector('simple', title), 'A') ||
    setweight(to_tsvector('simple', body), 'B'), as SearchVector(title, weight="A") + SearchVector(body, weight="B")
    says it, written out once: made by the thousand (a 1 MB text is 700 entries), SearchVector's nested expressions
    cost 1 ms each to build and resolve."""

    output_field = SearchVectorField()

    def __init__(self, title: str, body: str):
        super().__init__()
        self.title, self.body = title, body

    def as_sql(self, compiler, connection):
        return WEIGHTED_VECTOR, [self.title, self.body]


_WEIGHTED = "setweight(to_tsvector('simple'::regconfig, %s::text), '{}')"
WEIGHTED_VECTOR = f"{_WEIGHTED.format('A')} || {_WEIGHTED.format('B')}"


def _with_vector(entry: SearchEntry) -> SearchEntry:
    # PostgreSQL: the vector is made from the folded text, as the query is, so both compare without accents.
    if connection.vendor == "postgresql":
        entry.vector = _WeightedVector(fold(entry.title), fold(entry.body))
    return entry


def _save(entries: Iterable[SearchEntry]) -> int:
    batch, count = [], 0
    for entry in entries:
        batch.append(_with_vector(entry))
        if len(batch) >= BATCH:
            SearchEntry.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    if batch:
        SearchEntry.objects.bulk_create(batch)
        count += len(batch)
    return count


# What each thing puts in the index --------------------------------------------------------------------------


def document_entries(document: Document) -> Iterator[SearchEntry]:
    """The current text in stretches; the title goes with the first."""
    for start, block, body in chunks(document.text):
        yield SearchEntry(
            project_id=document.project_id,
            kind=Kind.TEXT,
            document_id=document.pk,
            start=start,
            block=block,
            author_id=document.created_by_id,
            created_at=document.created_at,
            title=document.title if start == 0 else "",
            body=body,
        )
    if not document.text:
        yield SearchEntry(
            project_id=document.project_id,
            kind=Kind.TEXT,
            document_id=document.pk,
            author_id=document.created_by_id,
            created_at=document.created_at,
            title=document.title,
        )


def mark_entry(annotation: Annotation) -> SearchEntry:
    """A mark (its span and label read): its text, note and review note, and its label's name; its label, review
    state and author are facets."""
    span = annotation.span
    body = mark_body(span.exact, annotation.note, annotation.review_note)
    return SearchEntry(
        project_id=annotation.label.project_id,
        kind=Kind.MARK,
        document_id=span.document_id,
        annotation_id=annotation.pk,
        start=span.start,
        label_id=annotation.label_id,
        status=annotation.status,
        author_id=annotation.created_by_id,
        created_at=annotation.created_at,
        title=annotation.label.name,
        body=body,
    )


def mark_body(exact: str, note: str, review_note: str = "") -> str:
    """The words a mark is found by, besides its label's name."""
    return "\n".join(part for part in (exact, note, review_note) if part)


def source_entries(source: Source) -> Iterator[SearchEntry]:
    """A source: its title, authors, container, DOI and archival reference; its full text in stretches."""
    names = " ".join(
        part
        for part in (
            source.title,
            source.author_names,
            source.container_title,
            source.publisher,
            source.doi,
            source.archive,
            source.archive_location,
        )
        if part
    )
    stretches = list(chunks(source.full_text)) or [(0, 0, "")]
    for start, _, body in stretches:
        yield SearchEntry(
            project_id=source.project_id,
            kind=Kind.SOURCE,
            source_id=source.pk,
            start=start,
            author_id=source.created_by_id,
            created_at=source.created_at,
            title=names if start == 0 else "",
            body=body,
        )


def link_entry(link: Link) -> SearchEntry | None:
    """A link's comment and review note, with its speaker; None when it has no words of its own."""
    body = "\n".join(part for part in (link.note, link.review_note) if part)
    if not body and not link.speaker:
        return None
    return SearchEntry(
        project_id=link.project_id,
        kind=Kind.LINK,
        document_id=link.from_annotation.span.document_id,
        annotation_id=link.from_annotation_id,
        link_id=link.pk,
        status=link.status,
        author_id=link.created_by_id,
        created_at=link.created_at,
        title=link.speaker,
        body=body,
    )


# Writers ----------------------------------------------------------------------------------------------------


def index_document(document: Document) -> int:
    """(Re)index the document's current text and title. Call in the transaction that changed them."""
    SearchEntry.objects.filter(document_id=document.pk, kind=Kind.TEXT).delete()
    return _save(document_entries(document))


def index_new_marks(annotations: Iterable[Annotation]) -> int:
    """Index marks just made (span, label and author at hand): no entry of theirs exists yet."""
    return _save(mark_entry(a) for a in annotations)


def index_marks_made(shared: SearchEntry, marks: Sequence[tuple[int, int, Label, str, str]]) -> None:
    """Index marks a bulk write just made, written by the thousand (rows.insert): `shared` holds what they have in
    common (project, document, author, state, time), and each of `marks` is (id, start, label, exact text, note).
    The same entries as index_new_marks writes."""
    postgres = connection.vendor == "postgresql"
    columns = ["annotation_id", "start", "label_id", "title", "body"] + (["vector"] if postgres else [])
    entries = []
    for pk, start, label, exact, note in marks:
        body = mark_body(exact, note)
        entry = [pk, start, label.pk, label.name, body]
        if postgres:
            entry.append((fold(label.name), fold(body)))
        entries.append(entry)
    sql_of = {"vector": WEIGHTED_VECTOR} if postgres else None
    rows.insert(SearchEntry, rows.prepared(shared), columns, entries, sql_of=sql_of)


def index_label(label) -> int:
    """Index the marks of a label again (it was renamed: its name finds them)."""
    return index_marks(Annotation.objects.filter(label=label).values_list("pk", flat=True))


def _marks(pks) -> Iterator[Annotation]:
    pks = sorted(set(pks))
    for i in range(0, len(pks), BATCH):
        yield from Annotation.objects.filter(pk__in=pks[i : i + BATCH]).select_related("span", "label")


def index_marks(pks: Iterable[int]) -> int:
    """Index the marks again (changed, reviewed, moved), each as it is now."""
    pks = list(pks)
    for i in range(0, len(pks), BATCH):
        SearchEntry.objects.filter(kind=Kind.MARK, annotation_id__in=pks[i : i + BATCH]).delete()
    return _save(mark_entry(a) for a in _marks(pks))


def index_new_sources(sources: Iterable[Source]) -> int:
    """Index sources just made (no entry of theirs exists yet)."""
    return _save(entry for source in sources for entry in source_entries(source))


def index_sources(pks: Iterable[int]) -> int:
    pks = list(pks)
    SearchEntry.objects.filter(kind=Kind.SOURCE, source_id__in=pks).delete()
    return _save(entry for source in Source.objects.filter(pk__in=pks) for entry in source_entries(source))


def index_links(pks: Iterable[int]) -> int:
    pks = list(pks)
    SearchEntry.objects.filter(kind=Kind.LINK, link_id__in=pks).delete()
    links = Link.objects.filter(pk__in=pks).select_related("from_annotation__span")
    return _save(entry for entry in map(link_entry, links) if entry is not None)


def expected_entries() -> Iterator[SearchEntry]:
    """Every entry the index should hold, made from the data as it is (the rebuild and the integrity check)."""
    for document in Document.objects.iterator(chunk_size=20):
        yield from document_entries(document)
    marks = Annotation.objects.select_related("span", "label").order_by("pk")
    for annotation in marks.iterator(chunk_size=BATCH):
        yield mark_entry(annotation)
    for source in Source.objects.order_by("pk").iterator(chunk_size=100):
        yield from source_entries(source)
    links = Link.objects.select_related("from_annotation__span").order_by("pk")
    yield from filter(None, map(link_entry, links.iterator(chunk_size=BATCH)))


@transaction.atomic
def rebuild_index() -> int:
    """Write the whole index again from the data; returns the number of entries."""
    SearchEntry.objects.all().delete()
    count = _save(expected_entries())
    if connection.vendor == "sqlite":
        # The triggers kept the FTS5 tables in step; 'rebuild' makes them again from the entries, mending a table
        # that got out of step some other way (FTS5's own command; plain SQL: the ORM has no word for it).
        with connection.cursor() as cursor:
            for table in ("annotator_search_words", "annotator_search_trigrams"):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    return count
