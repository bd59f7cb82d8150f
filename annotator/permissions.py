"""Access helpers: each returns the object the user may see, or raises 404 (outsiders see nothing) or 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Annotation, Citation, Document, Label, Membership, Project, Role, Source, Webhook
from .text import row_id


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


def document_for(user, document_id, *, text=True) -> tuple[Document, Membership]:
    """The document and the user's membership of its project; 404 for someone outside it. One query.

    text=False leaves the text to be read when first used (a long text costs time to fetch).
    """
    if not user.is_authenticated:
        raise Http404
    document_id = row_id(document_id)
    if document_id is None:
        raise Http404("No such document.")  # SQLite refuses an id past 64 bits outright (OverflowError)
    try:
        document = Document.objects.of_member(user, text=text).get(pk=document_id)
    except Document.DoesNotExist:
        raise Http404("No such document.") from None
    # The membership as read with the document: no second query.
    membership = Membership.from_db(
        None,
        ["id", "user_id", "project_id", "role"],
        [document.membership_id, user.pk, document.project_id, document.membership_role],
    )
    membership.user, membership.project = user, document.project
    return document, membership


def annotation_for(user, annotation_id) -> tuple[Annotation, Membership]:
    annotation = get_object_or_404(Annotation.objects.with_context(), pk=annotation_id)
    return annotation, membership_for(user, annotation.span.document.project_id)


def deleted_mark_of_member(user, annotation_id) -> bool:
    """Whether the id names a mark that was deleted from a project the user is a member of (its history says which),
    so that a page open on it may say so. Anyone else learns nothing: for them it is any unknown id (404)."""
    pk = row_id(annotation_id)
    if pk is None or not user.is_authenticated or Annotation.objects.filter(pk=pk).exists():
        return False
    label_id = Annotation.history.filter(id=pk).values_list("label_id", flat=True).first()
    return bool(label_id) and Label.objects.filter(pk=label_id, project__memberships__user=user).exists()


def require_manager(membership: Membership) -> None:
    if membership.role != Role.MANAGER:
        raise PermissionDenied("Only the project's managers may do this.")


def can_review(membership: Membership) -> bool:
    return membership.role in (Role.REVIEWER, Role.MANAGER)


# Sources and citations (issue 5) -------------------------------------------------------------------


def source_for(user, source_id):
    """A source of one of the user's projects, with the membership; 404 otherwise."""
    source = get_object_or_404(Source.objects.select_related("project"), pk=source_id)
    return source, membership_for(user, source.project_id)


def citation_for(user, citation_id):
    citation = get_object_or_404(
        Citation.objects.with_context(),
        pk=citation_id,
    )
    return citation, membership_for(user, citation.annotation.span.document.project_id)


def can_edit_sources(membership: Membership) -> bool:
    return membership.role in (Role.ANNOTATOR, Role.MANAGER)


# Documents from web pages and files (issue 22) -----------------------------------------------------


def extraction_for(user, extraction_id):
    """An extraction of a project the user is a member of (with the membership); 404 otherwise."""
    from .models import Extraction

    extraction = get_object_or_404(Extraction.objects.defer("data"), pk=row_id(extraction_id) or 0)
    return extraction, membership_for(user, extraction.project_id)


# Webhooks (issue 23) -----------------------------------------------------------------------------


def webhook_for(user, webhook_id):
    """A webhook of a project the user is a member of (with the membership); 404 otherwise."""
    webhook = get_object_or_404(Webhook.objects.select_related("project"), pk=row_id(webhook_id) or 0)
    return webhook, membership_for(user, webhook.project_id)
