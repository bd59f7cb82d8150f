"""Writes on marks: annotate, change, delete, review. Each checks permission, validates, saves, bumps the revision."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import Q

from ..models import (
    FLAGGED_PLACEMENTS,
    Annotation,
    Citation,
    Document,
    DocumentVersion,
    Label,
    Link,
    Role,
    Source,
    Span,
)
from . import deliveries
from .decisions import back_to_pending, check_status, decide
from .errors import ActionRefused, Conflict, Forbidden
from .links import delete_links_of
from .projects import check_member
from .quotations import QUOTATION, refresh_quote_checks
from .search_index import index_links, index_marks, index_new_marks
from .spans import (
    already_marked,
    check_region,
    lock_document,
    locked_text,
    note_change,
    record_change,
    repeats,
    span_at,
)

# Marks -----------------------------------------------------------------------------------------


def annotate(*, user, document: Document, start: int, end: int, exact: str, label: Label, note: str = "") -> Annotation:
    """Mark document.text[start:end] with a label (members of the document's project). The text sent must equal
    the document's text there. Afterwards `document.revision` is the revision the mark made."""
    try:
        with transaction.atomic():
            # The lock first: it checks the membership and reads the version of the text, so a new version saved
            # meanwhile cannot take a mark made on the old one.
            lock = lock_document(document.pk, member=user)
            if label.project_id != document.project_id:
                raise ActionRefused("That label belongs to another project.")
            if label.retired:
                raise ActionRefused(f"The label “{label.name}” is retired: choose another.")
            text = locked_text(lock, document)
            check_region(text, start, end, exact)
            span = span_at(lock, text, start, end)
            annotation = Annotation(span=span, label=label, note=note, created_by=user)
            annotation._history_user = user
            try:
                # The "already marked" rule (spans.repeats) is the unique constraint this insert meets: no query
                # before it. The savepoint keeps the transaction usable to say which mark it repeats.
                with transaction.atomic():
                    annotation.save()
            except IntegrityError:
                if repeats([(span.pk, label.pk, user.pk)]):
                    raise already_marked(label) from None
                raise
            index_new_marks([annotation])
            note_change(lock, start, end)
            deliveries.emit(
                document.project_id,
                deliveries.Event.MARK_CREATED,
                deliveries.marks([annotation], document),
                hooked=lock.hooked,
            )
    except IntegrityError:
        # Two requests raced for the same span or mark; the loser reports it rather than half-saving.
        raise Conflict("Someone saved a mark on this text at the same moment; reload and try again.") from None
    document.revision = lock.revision
    return annotation


def _locked_own_annotation(user, annotation_id: int, version: int | None, *, managers_too: bool = False) -> Annotation:
    annotation = (
        Annotation.objects.select_for_update(of=("self",))
        .with_document()
        .select_related("label", "created_by")
        .filter(pk=annotation_id)
        .first()
    )
    if annotation is None:
        raise Conflict("This mark was deleted meanwhile.")
    # A member of a project that is not archived: someone taken out of the project no longer changes its marks.
    membership = check_member(user, annotation.span.document.project_id)
    allowed = annotation.created_by_id == user.pk or (managers_too and membership.role == Role.MANAGER)
    if not allowed:
        raise Forbidden("Only the author of a mark may change or delete it.")
    if version is not None and annotation.version != version:
        raise Conflict(
            "Someone changed this mark after you opened it. Its current state is shown; make your change again."
        )
    return annotation


@transaction.atomic
def update_annotation(
    *, user, annotation: Annotation, version: int, label: Label | None = None, note: str | None = None
) -> Annotation:
    """Change a mark's label or note (its author only). A reviewed mark that changes goes back to pending. A mark that
    becomes a quotation has its citations checked; one that stops being one has their checks dropped."""
    annotation = _locked_own_annotation(user, annotation.pk, version)
    changed = quoting = False
    if label is not None and label.pk != annotation.label_id:
        if label.project_id != annotation.label.project_id:
            raise ActionRefused("That label belongs to another project.")
        if label.retired:
            raise ActionRefused(f"The label “{label.name}” is retired: choose another.")
        if repeats([(annotation.span_id, label.pk, user.pk)]):
            raise already_marked(label)
        quoting = QUOTATION in (label.key, annotation.label.key)
        annotation.label = label
        changed = True
    if note is not None and note != annotation.note:
        annotation.note = note
        changed = True
    if not changed:
        return annotation
    back_to_pending(annotation)
    annotation.version += 1
    annotation._history_user = user
    annotation.save()
    if quoting:
        refresh_quote_checks(annotation.citations.all())
    index_marks([annotation.pk])
    lock = record_change(annotation.span.document_id, annotation.span.start, annotation.span.end)
    deliveries.emit(
        annotation.span.document.project_id,
        deliveries.Event.MARK_UPDATED,
        deliveries.marks([annotation]),
        hooked=lock.hooked,
    )
    return annotation


@transaction.atomic
def delete_annotation(*, user, annotation: Annotation, version: int | None = None) -> None:
    """Delete a mark (its author; or a manager, when a new version left it flagged or orphaned) and the links to and
    from it; their history stays.

    A span of the current text nobody marks any more goes too.
    """
    flagged = Annotation.objects.filter(pk=annotation.pk, placement__in=FLAGGED_PLACEMENTS).exists()
    annotation = _locked_own_annotation(user, annotation.pk, version, managers_too=flagged)
    span = annotation.span
    # Its last state, for the hooks (made now: below, it is gone).
    deliveries.emit(span.document.project_id, deliveries.Event.MARK_DELETED, deliveries.marks([annotation]))
    # Its links go with it, each recorded in history as deleted by this user (a cascade would not say who).
    delete_links_of(user=user, annotation=annotation)
    annotation._history_user = user
    # Where it was, in its history: the span may go below, and a restore puts the mark back there.
    annotation._change_reason = deleted_reason(span)
    annotation.delete()
    # A span of the current text nobody marks any more goes; spans of earlier versions stay with them.
    if (
        span.version == Document.objects.values_list("version", flat=True).get(pk=span.document_id)
        and not span.annotations.exists()
    ):
        span.delete()
    record_change(span.document_id, span.start, span.end)


@transaction.atomic
def review_annotation(
    *, user, annotation: Annotation, status: str, note: str = "", version: int | None = None
) -> Annotation:
    """Accept or reject a mark, or put it back to pending (reviewers and managers; never one's own mark).

    The same path serves the review queue, the mark's panel and the admin's bulk actions. A review
    raises the mark's version, so a second reviewer working from the same page gets a Conflict.
    """
    check_status(status)
    locked = Annotation.objects.select_for_update(of=("self",)).with_document().filter(pk=annotation.pk).first()
    if locked is None:
        raise Conflict("This mark was deleted meanwhile.")
    decide(
        locked,
        user=user,
        project_id=locked.span.document.project_id,
        status=status,
        note=note,
        version=version,
        noun="mark",
    )
    index_marks([locked.pk])
    lock = record_change(locked.span.document_id, locked.span.start, locked.span.end)
    deliveries.emit(
        locked.span.document.project_id, deliveries.Event.MARK_REVIEWED, deliveries.marks([locked]), hooked=lock.hooked
    )
    return locked


# Undoing a delete ---------------------------------------------------------------------------------------

DELETED = re.compile(r"deleted from document (\d+) version (\d+) at (\d+)-(\d+)")


def deleted_reason(span) -> str:
    """The deleted mark's history record says where it was (simple_history's change reason, 100 characters)."""
    return f"deleted from document {span.document_id} version {span.version} at {span.start}-{span.end}"


def deleted_place(record) -> tuple[int, int, int, int] | None:
    """(document id, version, start, end) of a deleted mark, from its last history record; None when not known."""
    found = DELETED.fullmatch(record.history_change_reason or "")
    if found:
        return tuple(int(g) for g in found.groups())  # type: ignore[return-value]
    span = Span.objects.filter(pk=record.span_id).first()  # deleted before the place was recorded: its span, if kept
    return (span.document_id, span.version, span.start, span.end) if span else None


@transaction.atomic
def restore_annotation(*, user, annotation_id: int) -> Annotation:
    """Bring back a deleted mark (its author, or a manager of its project) with its label, note, review, sources and
    links, as long as its text is still in the current version; its history goes on, saying who restored it."""
    record = Annotation.history.filter(id=annotation_id).order_by("-history_date", "-history_id").first()
    if record is None or record.history_type != "-":
        raise Conflict("This mark is not deleted: it was restored meanwhile, or never deleted.")
    place = deleted_place(record)
    if place is None:
        raise ActionRefused("Where this mark was is not known any more: it cannot be restored.")
    document_id, version, start, end = place
    lock = lock_document(document_id, member=user)
    membership = check_member(user, Document.objects.values_list("project_id", flat=True).get(pk=document_id))
    if record.created_by_id != user.pk and membership.role != Role.MANAGER:
        raise Forbidden("Only the author of a mark, or a manager, restores it.")
    texts = DocumentVersion.objects.texts_of(document_id, {version, lock.version})
    exact, text = texts.get(version, "")[start:end], texts[lock.version]
    if lock.version != version:
        # A new version came since: the same words, found once in the new text, or nothing.
        if not exact or text.count(exact) != 1:
            raise ActionRefused(
                "The text of this mark is not in the current version any more (or is there more "
                "than once): it cannot be restored."
            )
        start = text.index(exact)
        end = start + len(exact)
    check_region(text, start, end, exact)
    label = Label.objects.get(pk=record.label_id)
    span = span_at(lock, text, start, end)
    if repeats([(span.pk, label.pk, record.created_by_id)]):
        raise already_marked(label, own=record.created_by_id == user.pk)
    annotation = record.instance
    annotation.span = span
    annotation.version = record.version + 1
    annotation.placement = "made" if lock.version == version and record.placement != "reattached" else "reattached"
    annotation._history_user = user
    annotation._change_reason = "restored"
    annotation.save(force_insert=True)
    _restore_citations(user, annotation, since=record.history_date)
    _restore_links(user, annotation, since=record.history_date)
    index_marks([annotation.pk])  # found again, with its sources and links
    index_links(
        Link.objects.filter(Q(from_annotation=annotation) | Q(to_annotation=annotation)).values_list("pk", flat=True)
    )
    note_change(lock, start, end)
    deliveries.emit(label.project_id, deliveries.Event.MARK_CREATED, deliveries.marks([annotation]), hooked=lock.hooked)
    return annotation


def _last_deleted(history, since, **filters):
    """The records of the rows deleted with the mark (at its deletion, just before the mark's own record)."""
    latest = {}
    for row in history.filter(history_type="-", history_date__lte=since, **filters).order_by("history_date"):
        latest[row.id] = row
    return latest.values()


def _restore_citations(user, annotation: Annotation, *, since) -> None:
    restored = []
    for row in _last_deleted(Citation.history, since, annotation_id=annotation.pk):
        if Citation.objects.filter(pk=row.id).exists() or not Source.objects.filter(pk=row.source_id).exists():
            continue
        citation = row.instance
        citation.annotation = annotation
        citation._history_user = user
        citation._change_reason = "restored with its mark"
        citation.save(force_insert=True)
        restored.append(citation)
    if restored:
        refresh_quote_checks(Citation.objects.filter(pk__in=[c.pk for c in restored]))


def _restore_links(user, annotation: Annotation, *, since) -> None:
    rows = _last_deleted(Link.history, since, from_annotation_id=annotation.pk)
    rows = [*rows, *_last_deleted(Link.history, since, to_annotation_id=annotation.pk)]
    for row in rows:
        other = row.to_annotation_id if row.from_annotation_id == annotation.pk else row.from_annotation_id
        if Link.objects.filter(pk=row.id).exists() or (other and not Annotation.objects.filter(pk=other).exists()):
            continue
        link = row.instance
        link._history_user = user
        link._change_reason = "restored with its mark"
        try:
            with transaction.atomic():
                link.save(force_insert=True)
        except IntegrityError:
            continue  # the same link was made again meanwhile, or its source or type is gone
