"""Every write: projects, documents, marks and their review. Each checks its permission, validates, then saves.

Views, admin actions and management commands all come through here, so the rules hold on every path.
Each change to a document's marks bumps its revision and records the region it touched (a Change),
which is what open pages poll for.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import text as textlib
from .models import Annotation, Change, Document, Label, Membership, Project, Role, Span, Status

DEFAULT_LABELS = [
    # key, name, colour, shortcut
    ("claim", "Claim", "#f9c74f", "1"),
    ("evidence", "Evidence", "#90be6d", "2"),
    ("quotation", "Quotation", "#84a9e8", "3"),
]


class ActionRefused(Exception):
    """A write that cannot be done as asked. `message` is for the user; `status` is the HTTP answer."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Forbidden(ActionRefused):
    status = 403


class Conflict(ActionRefused):
    status = 409


# Projects and members ------------------------------------------------------------------------


@transaction.atomic
def create_project(*, name: str, description: str = "", owner=None) -> Project:
    """Create a project with the default labels; the owner, if given, becomes its manager."""
    name = name.strip()
    if not name:
        raise ActionRefused("A project needs a name.")
    if Project.objects.filter(name=name).exists():
        raise ActionRefused(f"A project named “{name}” exists already.")
    project = Project.objects.create(name=name, description=description)
    Label.objects.bulk_create(
        Label(project=project, key=key, name=label_name, colour=colour, shortcut=shortcut, order=i)
        for i, (key, label_name, colour, shortcut) in enumerate(DEFAULT_LABELS)
    )
    if owner is not None:
        add_member(project=project, user=owner, role=Role.MANAGER)
    return project


def add_member(*, project: Project, user, role: str) -> Membership:
    """Make the user a member with this role, or change the role of an existing member."""
    if role not in Role.values:
        raise ActionRefused(f"Unknown role “{role}”.")
    membership, _ = Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
    return membership


# Documents -------------------------------------------------------------------------------------


def add_document(*, membership: Membership, title: str, text: str, origin: str = "", user=None) -> Document:
    """Add a document to the membership's project (managers only). Text is normalised, never otherwise changed."""
    if membership.role != Role.MANAGER:
        raise Forbidden("Only the project's managers may add documents.")
    title = title.strip()
    text = textlib.check_document_text(textlib.normalise_text(text))
    if not title:
        title = first_line_title(text)
    return Document.objects.create(
        project=membership.project, title=title[:300], text=text, origin=origin[:500], created_by=user
    )


def first_line_title(text: str) -> str:
    """A document's title when none is given: its first non-blank line."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:300]
    return "Untitled"


def _record_change(document_id: int, start: int, end: int) -> int:
    """Bump the document's revision and note the region that changed. Call inside a transaction."""
    Document.objects.filter(pk=document_id).update(revision=F("revision") + 1)
    revision = Document.objects.filter(pk=document_id).values_list("revision", flat=True).get()
    Change.objects.create(document_id=document_id, revision=revision, start=start, end=end)
    return revision


# Marks -----------------------------------------------------------------------------------------


def _check_member(user, project_id: int) -> Membership:
    try:
        return Membership.objects.get(user=user, project_id=project_id)
    except Membership.DoesNotExist:
        raise Forbidden("You are not a member of this project.") from None


def annotate(*, user, document: Document, start: int, end: int, exact: str, label: Label, note: str = "") -> Annotation:
    """Mark document.text[start:end] with a label. The text sent must equal the document's text there."""
    _check_member(user, document.project_id)
    if label.project_id != document.project_id:
        raise ActionRefused("That label belongs to another project.")
    try:
        textlib.check_span(document.text, start, end, exact)
    except textlib.SpanError as exc:
        raise ActionRefused(str(exc)) from None
    prefix, suffix = textlib.quote_context(document.text, start, end)
    try:
        with transaction.atomic():
            span, _ = Span.objects.get_or_create(
                document=document, start=start, end=end, defaults={"exact": exact, "prefix": prefix, "suffix": suffix}
            )
            if Annotation.objects.filter(span=span, label=label, created_by=user).exists():
                raise ActionRefused(f"You have already marked this text as {label.name}.")
            annotation = Annotation(span=span, label=label, note=note, created_by=user)
            annotation._history_user = user
            annotation.save()
            _record_change(document.pk, start, end)
    except IntegrityError:
        # Two requests raced for the same span or mark; the loser reports it rather than half-saving.
        raise Conflict("Someone saved a mark on this text at the same moment; reload and try again.") from None
    return annotation


def _locked_own_annotation(user, annotation_id: int, version: int | None) -> Annotation:
    annotation = (
        Annotation.objects.select_for_update()
        .select_related("span", "label", "created_by")
        .filter(pk=annotation_id)
        .first()
    )
    if annotation is None:
        raise Conflict("This mark was deleted meanwhile.")
    if annotation.created_by_id != user.pk:
        raise Forbidden("Only the author of a mark may change or delete it.")
    if version is not None and annotation.version != version:
        raise Conflict(
            "Someone changed this mark after you opened it. Its current state is shown; make your change again."
        )
    return annotation


@transaction.atomic
def update_annotation(*, user, annotation: Annotation, version: int, label: Label | None = None, note: str | None = None) -> Annotation:
    """Change a mark's label or note (its author only). A reviewed mark that changes goes back to pending."""
    annotation = _locked_own_annotation(user, annotation.pk, version)
    changed = False
    if label is not None and label.pk != annotation.label_id:
        if label.project_id != annotation.label.project_id:
            raise ActionRefused("That label belongs to another project.")
        if Annotation.objects.filter(span_id=annotation.span_id, label=label, created_by=user).exists():
            raise ActionRefused(f"You have already marked this text as {label.name}.")
        annotation.label = label
        changed = True
    if note is not None and note != annotation.note:
        annotation.note = note
        changed = True
    if not changed:
        return annotation
    if annotation.status != Status.PENDING:
        annotation.status = Status.PENDING
    annotation.version += 1
    annotation._history_user = user
    annotation.save()
    _record_change(annotation.span.document_id, annotation.span.start, annotation.span.end)
    return annotation


@transaction.atomic
def delete_annotation(*, user, annotation: Annotation, version: int | None = None) -> None:
    """Delete a mark (its author only); its history stays. A span nobody marks any more goes too."""
    annotation = _locked_own_annotation(user, annotation.pk, version)
    span = annotation.span
    annotation._history_user = user
    annotation.delete()
    if not span.annotations.exists():
        span.delete()
    _record_change(span.document_id, span.start, span.end)


@transaction.atomic
def review_annotation(*, user, annotation: Annotation, status: str, note: str = "", version: int | None = None) -> Annotation:
    """Accept or reject a mark (reviewers and managers; never one's own mark)."""
    if status not in (Status.ACCEPTED, Status.REJECTED, Status.PENDING):
        raise ActionRefused(f"Unknown review status “{status}”.")
    membership = _check_member(user, annotation.span.document.project_id)
    if membership.role not in (Role.REVIEWER, Role.MANAGER):
        raise Forbidden("Only reviewers and managers may review marks.")
    locked = Annotation.objects.select_for_update().select_related("span").get(pk=annotation.pk)
    if locked.created_by_id == user.pk:
        raise Forbidden("Nobody reviews their own mark.")
    if version is not None and locked.version != version:
        raise Conflict("The author changed this mark after you opened it; review it again.")
    locked.status = status
    locked.reviewed_by = user
    locked.reviewed_at = timezone.now()
    locked.review_note = note
    locked._history_user = user
    locked.save()
    _record_change(locked.span.document_id, locked.span.start, locked.span.end)
    return locked
