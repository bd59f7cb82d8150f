"""Writes on projects, members and documents, and the membership check the other services share."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import text as textlib
from ..links import DEFAULT_LINK_TYPES
from ..models import Document, DocumentVersion, Label, LinkType, Membership, Project, Rating, RatingScale, Role
from . import deliveries
from .errors import ActionRefused, Forbidden
from .search_index import index_document

DEFAULT_LABELS = [
    # key, name, colour, shortcut
    # Colours that stay apart with each common colour-vision deficiency (tests/test_colours.py); each label's
    # highlight has a second cue too, its underline's style (colours.label_rules).
    ("claim", "Claim", "#fbfb51", "1"),
    ("evidence", "Evidence", "#1dc9c9", "2"),
    ("quotation", "Quotation", "#6363e9", "3"),
]


# The default scale of a new project: five steps from False to True, and Unproven off the scale.
DEFAULT_RATINGS = [
    ("False", 1),
    ("Mostly false", 2),
    ("Half true", 3),
    ("Mostly true", 4),
    ("True", 5),
    ("Unproven", None),
]
DEFAULT_BEST, DEFAULT_WORST = 5, 1


# Projects and members ------------------------------------------------------------------------
# With `user=`, these act for that user and check what they may do (the app's pages). Without it they are an
# operator's (commands, the seeds, the bench): they act for nobody and check no permission.


def may_create_projects(user) -> bool:
    """Whether the user may create projects: staff, or every signed-in user (ANNOTATOR_PROJECT_CREATORS)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or settings.ANNOTATOR_PROJECT_CREATORS == "everyone"


@transaction.atomic
def create_project(*, name: str, description: str = "", owner=None, user=None) -> Project:
    """Create a project with the default labels and link types; the owner, if given, becomes its manager.

    With `user=` (the app's page): the user must be allowed to create projects, and becomes its manager."""
    if user is not None:
        if not may_create_projects(user):
            raise Forbidden("Only staff may create projects here.")
        owner = user
    name = _checked_project_name(name)
    project = Project(name=name, description=description.strip())
    project._history_user = user
    project.save()
    Label.objects.bulk_create(
        Label(project=project, key=key, name=label_name, colour=colour, shortcut=shortcut, order=i)
        for i, (key, label_name, colour, shortcut) in enumerate(DEFAULT_LABELS)
    )
    _add_default_link_types(project)
    add_default_ratings(project, user=user)
    if owner is not None:
        membership = Membership(project=project, user=owner, role=Role.MANAGER)
        membership._history_user = user
        membership.save()
    return project


def _checked_project_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ActionRefused("A project needs a name.")
    if len(name) > 200:  # Project.name's max_length
        raise ActionRefused("A project's name is at most 200 characters.")
    if Project.objects.filter(name=name).exclude(pk=exclude_pk or 0).exists():
        raise ActionRefused(f"A project named “{textlib.isolated(name)}” exists already.")
    return name


def check_manager(user, project_id: int, *, archived_too: bool = False) -> Membership:
    """The user's membership of the project if they manage it, or Forbidden."""
    membership = check_member(user, project_id, archived_too=archived_too)
    if membership.role != Role.MANAGER:
        raise Forbidden("Only the project's managers may do this.")
    return membership


@transaction.atomic
def update_project(
    *, user, project: Project, name: str | None = None, description: str | None = None, guidelines: str | None = None
) -> Project:
    """Rename a project, or change its description or guidelines (its managers)."""
    check_manager(user, project.pk)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if name is not None:
        project.name = _checked_project_name(name, exclude_pk=project.pk)
    if description is not None:
        project.description = description.strip()
    if guidelines is not None:
        if textlib.unstorable(guidelines):
            raise ActionRefused(f"The guidelines hold {textlib.unstorable(guidelines)}, which cannot be stored.")
        project.guidelines = guidelines
    project._history_user = user
    project.save()
    return project


@transaction.atomic
def archive_project(*, user, project: Project, archived: bool = True) -> Project:
    """Archive a project (read-only, hidden from lists, its exports still work) or bring it back (its managers).
    Nothing of it is deleted."""
    check_manager(user, project.pk, archived_too=True)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if archived == project.archived:
        return project
    project.archived_at = timezone.now() if archived else None
    project._history_user = user
    project.save()
    return project


def add_default_ratings(project: Project, *, user=None) -> None:
    """Give a new project the default scale (no permission check: the project is being made)."""
    scale = RatingScale(project=project, best=DEFAULT_BEST, worst=DEFAULT_WORST)
    scale._history_user = user
    scale.save()
    for order, (name, value) in enumerate(DEFAULT_RATINGS):
        rating = Rating(project=project, name=name, value=value, order=order)
        rating._history_user = user
        rating.save()


def _add_default_link_types(project: Project) -> None:
    labels = {label.key: label for label in Label.objects.filter(project=project)}
    for order, (key, name, inverse, from_keys, to_keys, targets) in enumerate(DEFAULT_LINK_TYPES):
        link_type = LinkType.objects.create(
            project=project, key=key, name=name, inverse_name=inverse, targets=targets, order=order
        )
        link_type.from_labels.set([labels[k] for k in from_keys])
        link_type.to_labels.set([labels[k] for k in to_keys])


@transaction.atomic
def add_member(*, project: Project, member, role: str, user=None) -> Membership:
    """Make `member` (a user) a member with this role, or change the role of an existing member.

    With `user=`: that user must manage the project, and a project keeps at least one manager."""
    if role not in Role.values:
        raise ActionRefused(f"Unknown role “{role}”.")
    if user is not None:
        check_manager(user, project.pk)
        if not member.is_active:
            raise ActionRefused(f"The account “{textlib.isolated(member.get_username())}” is inactive.")
    membership = Membership.objects.select_for_update().filter(project=project, user=member).first()
    if membership is None:
        membership = Membership(project=project, user=member, role=role)
    elif membership.role == role:
        return membership
    else:
        if membership.role == Role.MANAGER:
            _keep_a_manager(project, member)
        membership.role = role
    membership._history_user = user
    membership.save()
    return membership


@transaction.atomic
def remove_member(*, user, membership: Membership) -> None:
    """Take a member out of a project (its managers). Their marks, reviews, links and history stay, under their
    name; the last manager stays."""
    check_manager(user, membership.project_id)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=membership.pk)
    if membership.role == Role.MANAGER:
        _keep_a_manager(membership.project, membership.user)
    membership._history_user = user
    membership.delete()


def _keep_a_manager(project: Project, leaving) -> None:
    # Locked, so that two managers taking each other out at once cannot leave none.
    managers = list(
        Membership.objects.select_for_update()
        .filter(project=project, role=Role.MANAGER)
        .values_list("user_id", flat=True)
    )
    if managers == [leaving.pk]:
        raise ActionRefused(
            f"“{textlib.isolated(leaving.get_username())}” is the project's last manager: "
            "make someone else a manager first."
        )


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
    document = Document.objects.create(
        project=project, title=title[:300], text=text, origin=origin[:500], created_by=user
    )
    # Version 1 is a row from the start: what belongs to a version (its pages, its original) has a place.
    DocumentVersion.objects.create(
        document=document, number=1, text=text, note="First version", created_by=user, created_at=document.created_at
    )
    index_document(document)
    deliveries.emit(project.pk, deliveries.Event.DOCUMENT_CREATED, lambda: [deliveries.document_item(document)])
    return document


def first_line_title(text: str) -> str:
    """A document's title when none is given: its first non-blank line."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:300]
    return "Untitled"


def check_member(user, project_id: int, *, archived_too: bool = False) -> Membership:
    """The user's membership of the project, or Forbidden. An archived project is read-only: Forbidden too, unless
    `archived_too` (bringing it back)."""
    try:
        membership = Membership.objects.select_related("project").get(user=user, project_id=project_id)
    except Membership.DoesNotExist:
        raise Forbidden("You are not a member of this project.") from None
    if membership.project.archived and not archived_too:
        raise Forbidden(ARCHIVED)
    return membership


ARCHIVED = "This project is archived: it is read-only. A manager can bring it back on its settings page."
