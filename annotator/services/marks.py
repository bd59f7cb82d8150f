"""Writes on marks: annotate, change, delete, review. Each checks permission, validates, saves, bumps the revision."""
from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import FLAGGED_PLACEMENTS, Annotation, Document, Label, Role
from .decisions import back_to_pending, check_status, decide
from .errors import ActionRefused, Conflict, Forbidden
from .links import delete_links_of
from .projects import check_member
from .quotations import QUOTATION, refresh_quote_checks
from .search_index import index_marks, index_new_marks
from .spans import (
    already_marked, check_region, lock_document, locked_text, note_change, record_change, repeats, span_at,
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
            text = locked_text(lock, document)
            check_region(text, start, end, exact)
            span, made = span_at(lock, text, start, end)
            if repeats([(span.pk, label.pk, user.pk)], new_spans={span.pk} if made else ()):
                raise already_marked(label)
            annotation = Annotation(span=span, label=label, note=note, created_by=user)
            annotation._history_user = user
            annotation.save()
            index_new_marks([annotation])
            note_change(lock, start, end)
    except IntegrityError:
        # Two requests raced for the same span or mark; the loser reports it rather than half-saving.
        raise Conflict("Someone saved a mark on this text at the same moment; reload and try again.") from None
    document.revision = lock.revision
    return annotation


def _locked_own_annotation(user, annotation_id: int, version: int | None, *, managers_too: bool = False) -> Annotation:
    annotation = (
        Annotation.objects.select_for_update()
        .with_document().select_related("label", "created_by")
        .filter(pk=annotation_id)
        .first()
    )
    if annotation is None:
        raise Conflict("This mark was deleted meanwhile.")
    allowed = annotation.created_by_id == user.pk or (
        managers_too and check_member(user, annotation.span.document.project_id).role == Role.MANAGER
    )
    if not allowed:
        raise Forbidden("Only the author of a mark may change or delete it.")
    if version is not None and annotation.version != version:
        raise Conflict(
            "Someone changed this mark after you opened it. Its current state is shown; make your change again."
        )
    return annotation


@transaction.atomic
def update_annotation(*, user, annotation: Annotation, version: int, label: Label | None = None, note: str | None = None) -> Annotation:
    """Change a mark's label or note (its author only). A reviewed mark that changes goes back to pending. A mark that
    becomes a quotation has its citations checked; one that stops being one has their checks dropped."""
    annotation = _locked_own_annotation(user, annotation.pk, version)
    changed = quoting = False
    if label is not None and label.pk != annotation.label_id:
        if label.project_id != annotation.label.project_id:
            raise ActionRefused("That label belongs to another project.")
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
    record_change(annotation.span.document_id, annotation.span.start, annotation.span.end)
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
    # Its links go with it, each recorded in history as deleted by this user (a cascade would not say who).
    delete_links_of(user=user, annotation=annotation)
    annotation._history_user = user
    annotation.delete()
    # A span of the current text nobody marks any more goes; spans of earlier versions stay with them.
    if span.version == Document.objects.values_list("version", flat=True).get(pk=span.document_id) and not span.annotations.exists():
        span.delete()
    record_change(span.document_id, span.start, span.end)


@transaction.atomic
def review_annotation(*, user, annotation: Annotation, status: str, note: str = "", version: int | None = None) -> Annotation:
    """Accept or reject a mark, or put it back to pending (reviewers and managers; never one's own mark).

    The same path serves the review queue, the mark's panel and the admin's bulk actions. A review
    raises the mark's version, so a second reviewer working from the same page gets a Conflict.
    """
    check_status(status)
    locked = (
        Annotation.objects.select_for_update()
        .with_document()
        .filter(pk=annotation.pk)
        .first()
    )
    if locked is None:
        raise Conflict("This mark was deleted meanwhile.")
    decide(locked, user=user, project_id=locked.span.document.project_id, status=status, note=note,
           version=version, noun="mark")
    index_marks([locked.pk])
    record_change(locked.span.document_id, locked.span.start, locked.span.end)
    return locked
