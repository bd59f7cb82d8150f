"""Writes on projects, members and documents, and the membership check the other services share."""
from __future__ import annotations

from django.db import transaction

from .. import text as textlib
from ..links import DEFAULT_LINK_TYPES
from ..models import Document, DocumentVersion, Label, LinkType, Membership, Project, Role
from .errors import ActionRefused, Forbidden
from .search_index import index_document

DEFAULT_LABELS = [
    # key, name, colour, shortcut
    ("claim", "Claim", "#f9c74f", "1"),
    ("evidence", "Evidence", "#90be6d", "2"),
    ("quotation", "Quotation", "#84a9e8", "3"),
]


# Projects and members ------------------------------------------------------------------------
# Set up by operators (commands, the seeds, the bench): no view calls these two, so they act for nobody and check no
# permission. Every other service acts for `user=` and checks what that user may do.


@transaction.atomic
def create_project(*, name: str, description: str = "", owner=None) -> Project:
    """Create a project with the default labels and link types; the owner, if given, becomes its manager."""
    name = name.strip()
    if not name:
        raise ActionRefused("A project needs a name.")
    if Project.objects.filter(name=name).exists():
        raise ActionRefused(f"A project named “{textlib.isolated(name)}” exists already.")
    project = Project.objects.create(name=name, description=description)
    Label.objects.bulk_create(
        Label(project=project, key=key, name=label_name, colour=colour, shortcut=shortcut, order=i)
        for i, (key, label_name, colour, shortcut) in enumerate(DEFAULT_LABELS)
    )
    _add_default_link_types(project)
    if owner is not None:
        add_member(project=project, member=owner, role=Role.MANAGER)
    return project


def _add_default_link_types(project: Project) -> None:
    labels = {label.key: label for label in Label.objects.filter(project=project)}
    for order, (key, name, inverse, from_keys, to_keys, targets) in enumerate(DEFAULT_LINK_TYPES):
        link_type = LinkType.objects.create(
            project=project, key=key, name=name, inverse_name=inverse, targets=targets, order=order
        )
        link_type.from_labels.set([labels[k] for k in from_keys])
        link_type.to_labels.set([labels[k] for k in to_keys])


def add_member(*, project: Project, member, role: str) -> Membership:
    """Make `member` (a user) a member with this role, or change the role of an existing member."""
    if role not in Role.values:
        raise ActionRefused(f"Unknown role “{role}”.")
    membership, _ = Membership.objects.update_or_create(project=project, user=member, defaults={"role": role})
    return membership


# Documents -------------------------------------------------------------------------------------


@transaction.atomic
def add_document(*, user, project: Project, title: str, text: str, origin: str = "") -> Document:
    """Add a document to the project (its managers only). Text is normalised, never otherwise changed."""
    if check_member(user, project.pk).role != Role.MANAGER:
        raise Forbidden("Only the project's managers may add documents.")
    title = title.strip()
    try:
        text = textlib.check_document_text(textlib.normalise_text(text))
    except textlib.TextImportError as exc:  # blank once normalised (only BOMs, say): a refusal with its message
        raise ActionRefused(str(exc)) from None
    if not title:
        title = first_line_title(text)
    document = Document.objects.create(project=project, title=title[:300], text=text, origin=origin[:500], created_by=user)
    # Version 1 is a row from the start: what belongs to a version (its pages, its original) has a place.
    DocumentVersion.objects.create(
        document=document, number=1, text=text, note="First version", created_by=user, created_at=document.created_at
    )
    index_document(document)
    return document


def first_line_title(text: str) -> str:
    """A document's title when none is given: its first non-blank line."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:300]
    return "Untitled"


def check_member(user, project_id: int) -> Membership:
    """The user's membership of the project, or Forbidden."""
    try:
        return Membership.objects.get(user=user, project_id=project_id)
    except Membership.DoesNotExist:
        raise Forbidden("You are not a member of this project.") from None
