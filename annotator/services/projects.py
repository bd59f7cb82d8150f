"""Writes on projects, members, documents, and the revision counter that open pages poll."""
from __future__ import annotations

from django.db import connection, transaction

from .. import text as textlib
from ..links import DEFAULT_LINK_TYPES
from ..models import Change, Document, Label, LinkType, Membership, Project, Role
from .errors import ActionRefused, Forbidden

DEFAULT_LABELS = [
    # key, name, colour, shortcut
    # Colours that stay apart with each common colour-vision deficiency (tests/test_colours.py); each label's
    # highlight has a second cue too, its underline's style (colours.label_rules).
    ("claim", "Claim", "#fbfb51", "1"),
    ("evidence", "Evidence", "#1dc9c9", "2"),
    ("quotation", "Quotation", "#6363e9", "3"),
]


# Projects and members ------------------------------------------------------------------------


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
        add_member(project=project, user=owner, role=Role.MANAGER)
    return project


def _add_default_link_types(project: Project) -> None:
    labels = {label.key: label for label in Label.objects.filter(project=project)}
    for order, (key, name, inverse, from_keys, to_keys, targets) in enumerate(DEFAULT_LINK_TYPES):
        link_type = LinkType.objects.create(
            project=project, key=key, name=name, inverse_name=inverse, targets=targets, order=order
        )
        link_type.from_labels.set([labels[k] for k in from_keys])
        link_type.to_labels.set([labels[k] for k in to_keys])


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
    try:
        text = textlib.check_document_text(textlib.normalise_text(text))
    except textlib.TextImportError as exc:  # blank once normalised (only BOMs, say): a refusal with its message
        raise ActionRefused(str(exc)) from None
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


def check_member(user, project_id: int) -> Membership:
    """The user's membership of the project, or Forbidden."""
    try:
        return Membership.objects.get(user=user, project_id=project_id)
    except Membership.DoesNotExist:
        raise Forbidden("You are not a member of this project.") from None


def bump_revision(document_id: int) -> tuple[int, int]:
    """Raise the document's revision by one; (the new revision, the version of its text). Call inside a
    transaction: the one statement also takes the document's write lock (its row on PostgreSQL) until the end."""
    # One statement that bumps and reads (every write to a mark comes here; SQLite 3.35+ and PostgreSQL).
    quote = connection.ops.quote_name
    table, revision, version = quote(Document._meta.db_table), quote("revision"), quote("version")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {revision} = {revision} + 1 WHERE id = %s RETURNING {revision}, {version}", [document_id]
        )
        return tuple(cursor.fetchone())


def record_change(document_id: int, start: int, end: int, *, text_changed: bool = False) -> int:
    """Bump the document's revision and note the region that changed. Call inside a transaction."""
    revision, _ = bump_revision(document_id)
    Change.objects.create(document_id=document_id, revision=revision, start=start, end=end, text_changed=text_changed)
    return revision


