"""Where a mark is put: the document lock, the span writer and the "already marked" rule, each written once.

Every path that makes or moves a mark (annotate, bulk_annotate, accept_suggestion, the import, add_version's carrying,
reattach_annotation) takes the document's lock first, reads the version of its text from it, gets its spans from the
span writer and asks the rule, so the same rules and the same locking hold on every path: a new version saved
meanwhile waits for the lock, or the path sees it, and never takes a mark made on the old text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

from .. import text as textlib
from ..kept_texts import text_at, text_of
from ..models import Annotation, Change, Document, Label, Membership, Project, Span, Webhook
from . import rows
from .errors import ActionRefused, Conflict, Forbidden
from .projects import check_member

# The rule's lookups and the span writer's reads go in batches of this many ids, under every database's limit.
BATCH = 500


# The document lock ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """A document locked until the end of the transaction: its revision (raised by the lock when it bumped), the
    version of its text and whether its project has an active webhook (`hooked`: without one, deliveries.emit need
    not look), all read by the statement that took the lock."""

    document_id: int
    revision: int
    version: int
    hooked: bool


def _column(model, name: str) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def lock_document(document_id: int, *, member=None, bump: bool = True) -> Lock:
    """Take the document's write lock until the end of the transaction, raise its revision by one (unless not
    `bump`) and read the version of its text and whether its project has an active webhook: one statement. Call
    inside a transaction, before reading anything the writes depend on (the version, the text, the marks there):
    whatever the caller read before may be stale.

    With `member`: only for a member of the document's project (Forbidden otherwise), checked by the same statement.
    A bumped revision needs its Change row (note_change) before the transaction ends: open pages read them.
    """
    # Plain SQL (as are services/rows.py's bulk INSERTs, and backups.py's SQLite file copy). The ORM cannot say it:
    # update() returns a count, not the row, so bumping and reading back would take two statements on the path that
    # adds a mark (and a third for the membership). UPDATE ... RETURNING runs on SQLite 3.35+ and PostgreSQL. On
    # PostgreSQL it locks the document's row; on SQLite the transaction holds the database's write lock (IMMEDIATE
    # transactions, see config/settings.py). The hooks' EXISTS saves the write that emits an event a query when the
    # project has none (most projects): the same index that query would use (project, active) answers it.
    quote = connection.ops.quote_name
    table = quote(Document._meta.db_table)
    hooks = quote(Webhook._meta.db_table)
    project = f"{table}.{_column(Document, 'project')}"
    hooked = (
        f"EXISTS (SELECT 1 FROM {hooks} WHERE {hooks}.{_column(Webhook, 'project')} = {project}"
        f" AND {hooks}.{_column(Webhook, 'active')})"
    )
    revision, version = _column(Document, "revision"), _column(Document, "version")
    sql = f"UPDATE {table} SET {revision} = {revision} + %s WHERE {_column(Document, 'id')} = %s"
    params = [1 if bump else 0, document_id]
    if member is not None:
        members, projects = quote(Membership._meta.db_table), quote(Project._meta.db_table)
        # A member of a project that is not archived (an archived project is read-only).
        sql += (
            f" AND EXISTS (SELECT 1 FROM {members} INNER JOIN {projects} ON {projects}.{_column(Project, 'id')}"
            f" = {members}.{_column(Membership, 'project')} WHERE {members}.{_column(Membership, 'project')}"
            f" = {table}.{_column(Document, 'project')} AND {members}.{_column(Membership, 'user')} = %s"
            f" AND {projects}.{_column(Project, 'archived_at')} IS NULL)"
        )
        params.append(member.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {revision}, {version}, {hooked}", params)
        row = cursor.fetchone()
    if row is None:
        if member is not None and Document.objects.filter(pk=document_id).exists():
            check_member(member, Document.objects.values_list("project_id", flat=True).get(pk=document_id))
            raise Forbidden("You are not a member of this project.")
        raise Conflict("This document was deleted meanwhile.")
    return Lock(document_id, row[0], row[1], bool(row[2]))


def note_change(lock: Lock, start: int, end: int, *, text_changed: bool = False) -> None:
    """The Change row of the revision the lock made: the region [start, end) that open pages redraw."""
    Change.objects.create(
        document_id=lock.document_id, revision=lock.revision, start=start, end=end, text_changed=text_changed
    )


def record_change(document_id: int, start: int, end: int, *, text_changed: bool = False) -> Lock:
    """Bump the document's revision and note the region that changed. Call inside a transaction; returns the lock
    (its revision, and whether the project has an active hook). (For writes that neither make nor move a mark: they
    read nothing under the lock.)"""
    lock = lock_document(document_id)
    note_change(lock, start, end, text_changed=text_changed)
    return lock


def record_changes(regions: dict[int, list[tuple[int, int]]]) -> None:
    """One Change per document, covering every region touched in it (writes of many things at once). The documents
    are locked in id order, so two such writes over the same documents cannot deadlock."""
    for document_id in sorted(regions):
        spans = regions[document_id]
        record_change(document_id, min(s for s, _ in spans), max(e for _, e in spans))


def locked_text(lock: Lock, document: Document) -> str:
    """The text of the locked version of the document (`document`: the same document, as the caller read it, perhaps
    before a new version), kept in the process for the next writes (kept_texts.py)."""
    if lock.version == document.version:
        return text_of(document)
    return text_at(lock.document_id, lock.version, document.created_at)


# The span writer ---------------------------------------------------------------------------------------


def check_region(text: str, start: int, end: int, exact: str | None = None) -> None:
    """ActionRefused unless [start, end) lies in the text and, when given, is `exact` there."""
    try:
        textlib.check_span(text, start, end, exact)
    except textlib.SpanError as exc:
        raise ActionRefused(str(exc)) from None


def _new_span(lock: Lock, text: str, start: int, end: int) -> Span:
    prefix, suffix = textlib.quote_context(text, start, end)  # W3C TextQuoteSelector: 32 code points either side
    return Span(
        document_id=lock.document_id,
        version=lock.version,
        start=start,
        end=end,
        exact=text[start:end],
        prefix=prefix,
        suffix=suffix,
    )


def span_at(lock: Lock, text: str, start: int, end: int) -> Span:
    """The span of [start, end) of the locked version, whose text is `text`; made, with its quote context, where
    there is none. One statement either way (an insert that, on the region's unique constraint, leaves the row there
    as it is and returns it). The caller has checked the region (check_region)."""
    (span,) = Span.objects.bulk_create(
        [_new_span(lock, text, start, end)],
        update_conflicts=True,
        unique_fields=["document", "version", "start", "end"],
        update_fields=["exact"],  # the same text: an update that changes nothing, so that the row comes back
    )
    return span


def spans_at(lock: Lock, text: str, regions: Iterable[tuple[int, int]]) -> tuple[dict[tuple[int, int], Span], set[int]]:
    """span_at for many regions at once, in a few statements whatever their number: ({(start, end): span}, ids of
    the spans made now). span_ids_at's spans, read as objects."""
    ids, made = span_ids_at(lock, text, regions)
    spans = Span.objects.in_bulk(list(ids.values()))
    return {region: spans[pk] for region, pk in ids.items()}, made


def span_ids_at(
    lock: Lock, text: str, regions: Iterable[tuple[int, int]]
) -> tuple[dict[tuple[int, int], int], set[int]]:
    """spans_at by id, for the bulk writers: ({(start, end): span id}, ids of the spans made now). The new spans are
    written by the thousand (rows.insert), each with its quote context as span_at makes it."""
    regions = set(regions)
    if not regions:
        return {}, set()
    low, high = min(s for s, _ in regions), max(s for s, _ in regions)
    there = Span.objects.filter(document_id=lock.document_id, version=lock.version, start__gte=low, start__lte=high)
    found = {(start, end): pk for start, end, pk in there.values_list("start", "end", "pk") if (start, end) in regions}
    new = sorted(regions - found.keys())
    shared = rows.prepared(Span(document_id=lock.document_id, version=lock.version, start=0, end=0))
    made = rows.insert(
        Span,
        shared,
        ["start", "end", "exact", "prefix", "suffix"],
        [(start, end, text[start:end], *textlib.quote_context(text, start, end)) for start, end in new],
        returning=True,
    )
    found.update(zip(new, made))
    return found, set(made)


# The "already marked" rule --------------------------------------------------------------------------------


def repeats(
    wanted: Sequence[tuple[int, int, int]], *, new_spans: Collection[int] = (), moving: Collection[int] = ()
) -> dict[int, int | None]:
    """The rule: an editor marks the same text with the same label once.

    `wanted`: marks to make or move, as (span id, label id, editor id). Returns, by their index, those the rule
    refuses, each with the mark it repeats: the id of one there already, or None when it repeats an earlier one of
    `wanted`. The marks being moved (`moving`) do not count as there; spans made now (`new_spans`) hold none.
    """
    asked = {key for key in wanted if key[0] not in new_spans}
    moving = set(moving)
    there: dict[tuple[int, int, int], int] = {}
    span_ids = sorted({span_id for span_id, _, _ in asked})
    for i in range(0, len(span_ids), BATCH):
        batch = set(span_ids[i : i + BATCH])
        marks = Annotation.objects.filter(
            span_id__in=batch,
            label_id__in={label_id for span_id, label_id, _ in asked if span_id in batch},
            created_by_id__in={editor_id for span_id, _, editor_id in asked if span_id in batch},
        )
        for span_id, label_id, editor_id, pk in marks.values_list("span_id", "label_id", "created_by_id", "pk"):
            if pk not in moving:
                there[span_id, label_id, editor_id] = pk
    found: dict[int, int | None] = {}
    seen: set[tuple[int, int, int]] = set()
    for index, key in enumerate(wanted):
        if key in there:
            found[index] = there[key]
        elif key in seen:
            found[index] = None
        seen.add(key)
    return found


def already_marked(label: Label, *, own: bool = True) -> ActionRefused:
    """The refusal when the rule says no; `own`: the mark is the acting user's (not a mark a manager moves)."""
    who = "You have" if own else "Its author has"
    return ActionRefused(f"{who} already marked this text as {label.name}.")
