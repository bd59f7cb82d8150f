"""Every write goes through a service: it checks permission, validates, saves, and bumps the document's revision.

Views, admin actions and management commands all come through here, so the rules hold on every path. Each service
is called with keyword arguments: `user=`, the one acting, and the objects it acts on; it checks what that user may
do itself (Forbidden, with a message). Every path that makes or moves a mark takes the document's lock and gets its
span through spans.py. One module per subject; the core ones are re-exported here.
"""

from .bulk import NewCitation, NewLink, NewMark, bulk_annotate, bulk_cite, bulk_link
from .errors import ActionRefused, Conflict, Forbidden
from .marks import annotate, delete_annotation, restore_annotation, review_annotation, update_annotation
from .occurrences import mark_occurrences, occurrences
from .projects import DEFAULT_LABELS, add_document, add_member, check_member, create_project, first_line_title
from .review import settle_disagreement
from .spans import record_change

__all__ = [
    "ActionRefused",
    "Conflict",
    "Forbidden",
    "DEFAULT_LABELS",
    "NewCitation",
    "NewLink",
    "NewMark",
    "add_document",
    "add_member",
    "annotate",
    "bulk_annotate",
    "bulk_cite",
    "bulk_link",
    "check_member",
    "create_project",
    "delete_annotation",
    "first_line_title",
    "mark_occurrences",
    "occurrences",
    "record_change",
    "restore_annotation",
    "review_annotation",
    "settle_disagreement",
    "update_annotation",
]
