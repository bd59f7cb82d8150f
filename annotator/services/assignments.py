"""Writes on assignments: managers give documents to members to annotate or review; the member says how far they are."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .. import text as textlib
from ..models import Assignment, Document, Membership, Role
from .errors import ActionRefused, Forbidden
from .projects import check_manager, check_member


@transaction.atomic
def assign(*, user, document: Document, member, task: str = Assignment.Task.ANNOTATE) -> Assignment:
    """Give a document to a member of its project to annotate (any member) or to review (reviewers and managers)."""
    check_manager(user, document.project_id)
    if task not in Assignment.Task.values:
        raise ActionRefused(f"Unknown task “{task}”.")
    role = Membership.objects.filter(user=member, project_id=document.project_id).values_list("role", flat=True).first()
    name = textlib.isolated(member.get_username())
    if role is None:
        raise ActionRefused(f"“{name}” is not a member of this project.")
    if task == Assignment.Task.REVIEW and role == Role.ANNOTATOR:
        raise ActionRefused(f"“{name}” is an annotator: only reviewers and managers review.")
    if Assignment.objects.filter(document=document, user=member, task=task).exists():
        raise ActionRefused(f"“{textlib.isolated(document.title)}” is assigned to “{name}” for that already.")
    assignment = Assignment(document=document, user=member, task=task, assigned_by=user)
    assignment._history_user = user
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ActionRefused(f"“{textlib.isolated(document.title)}” is assigned to “{name}” for that already.") from None
    return assignment


@transaction.atomic
def unassign(*, user, assignment: Assignment) -> None:
    """Take an assignment back (the project's managers); its history stays."""
    check_manager(user, assignment.document.project_id)
    assignment._history_user = user
    assignment.delete()


@transaction.atomic
def set_progress(*, user, assignment: Assignment, progress: str) -> Assignment:
    """The assignee says how far they are: not started, in progress or done."""
    if assignment.user_id != user.pk:
        raise Forbidden("Only the person a document is assigned to says how far they are.")
    check_member(user, assignment.document.project_id)
    if progress not in Assignment.Progress.values:
        raise ActionRefused(f"Unknown state “{progress}”.")
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.progress != progress:
        assignment.progress = progress
        assignment._history_user = user
        assignment.save(update_fields=["progress", "updated_at"])
    return assignment
