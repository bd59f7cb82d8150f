"""A review decision on anything reviewable (a mark, a link): who may decide, and what deciding records."""

from __future__ import annotations

from django.utils import timezone

from ..models import Role, Status
from .errors import ActionRefused, Conflict, Forbidden
from .projects import check_member


def check_status(status: str) -> None:
    if status not in Status.values:
        raise ActionRefused(f"Unknown review status “{status}”.")


def decide(item, *, user, project_id: int, status: str, note: str, version: int | None, noun: str):
    """Record `user`'s decision on a locked `item` (reviewers and managers; never on their own item).

    The version the reviewer saw must be the item's, and a decision raises it, so a second reviewer
    working from the same page gets a Conflict. Back to pending clears the review (back_to_pending).
    """
    membership = check_member(user, project_id)
    if membership.role not in (Role.REVIEWER, Role.MANAGER):
        raise Forbidden(f"Only reviewers and managers may review {noun}s.")
    if item.created_by_id == user.pk:
        raise Forbidden(f"Nobody reviews their own {noun}.")
    if version is not None and item.version != version:
        raise Conflict(
            f"This {noun} changed after you opened it (edited, or reviewed by someone else); review it again."
        )
    if status == Status.PENDING:
        back_to_pending(item)
    else:
        item.status = status
        item.reviewed_by = user
        item.reviewed_at = timezone.now()
        item.review_note = note.strip()
    item.version += 1
    item._history_user = user
    item.save()
    return item


def back_to_pending(item) -> None:
    """Send a mark or link back to review, unsaved: it carries no review until the next decision (a database
    constraint holds every pending row to that); the review it had stays in its history."""
    item.status = Status.PENDING
    item.reviewed_by = None
    item.reviewed_at = None
    item.review_note = ""
    if hasattr(item, "settled"):  # a mark kept when a disagreement was settled is open to review again
        item.settled = False
