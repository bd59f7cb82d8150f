"""Access helpers: each returns the object the user may see, or raises 404 (outsiders see nothing) or 403."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Annotation, Document, Membership, Project, Role


def membership_for(user, project_id) -> Membership:
    """The user's membership of the project; 404 when there is none, so a project's existence does not leak."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("project").get(user=user, project_id=project_id)
    except (Membership.DoesNotExist, ValueError):
        raise Http404("No such project.") from None


def project_for(user, project_id) -> tuple[Project, Membership]:
    membership = membership_for(user, project_id)
    return membership.project, membership


def document_for(user, document_id) -> tuple[Document, Membership]:
    document = get_object_or_404(Document.objects.select_related("project"), pk=document_id)
    return document, membership_for(user, document.project_id)


def annotation_for(user, annotation_id) -> tuple[Annotation, Membership]:
    annotation = get_object_or_404(
        Annotation.objects.select_related("span__document__project", "label", "created_by", "reviewed_by"),
        pk=annotation_id,
    )
    return annotation, membership_for(user, annotation.span.document.project_id)


def require_manager(membership: Membership) -> None:
    if membership.role != Role.MANAGER:
        raise PermissionDenied("Only the project's managers may do this.")


def can_review(membership: Membership) -> bool:
    return membership.role in (Role.REVIEWER, Role.MANAGER)
