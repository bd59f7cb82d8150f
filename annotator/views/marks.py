"""The document page and its marks: render, poll for changes, create, edit, delete."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import history, rendering, services
from ..forms import AnnotationCreateForm, AnnotationUpdateForm, MarkFilterForm, VersionForm
from ..models import Annotation, Document
from ..permissions import annotation_for, can_review, document_for


def _since(request) -> int:
    try:
        return max(0, int(request.GET.get("since") or request.POST.get("since") or 0))
    except ValueError:
        return 0


def _panel_context(request, document, membership, annotations):
    project = document.project
    filter_form = MarkFilterForm(request.GET or request.POST or None, project=project, authors=rendering.project_authors(project))
    filters = filter_form.filters()
    listed = [a for a in annotations if all(_matches(a, k, v) for k, v in filters.items())]
    return {
        "filter_form": filter_form,
        "listed": listed,
        "mark_total": len(annotations),
        "orphans": list(rendering.orphans_of(document)),
    }


def _matches(annotation, key, value):
    if key == "label":
        return annotation.label_id == value.pk
    return getattr(annotation, key) == value


def _document_context(request, document, membership, open_annotation=None):
    annotations = list(rendering.marks_of(document))
    context = {
        "document": document,
        "project": document.project,
        "membership": membership,
        "labels": list(document.project.labels.all()),
        "blocks": rendering.render_blocks(document, annotations),
        "revision": document.revision,
        "open": open_annotation,
        "can_review": can_review(membership),
    }
    context.update(_panel_context(request, document, membership, annotations))
    if open_annotation is not None:
        context.update(_detail_context(request, open_annotation, membership))
    return context


@login_required
@require_GET
@vary_on_headers("HX-Request")
def document_detail(request, document_id):
    document, membership = document_for(request.user, document_id)
    context = _document_context(request, document, membership)
    return render(request, "annotator/document_detail.html", context)


@login_required
@require_GET
def mark_list(request, document_id):
    """The side panel's list, filtered."""
    document, membership = document_for(request.user, document_id)
    annotations = list(rendering.marks_of(document))
    context = {"document": document, **_panel_context(request, document, membership, annotations)}
    return render(request, "annotator/document_detail.html#mark-list", context)


def _changes_response(request, document, membership, *, detail=None, status=200, since=None):
    """Redraw what changed since the page's revision: touched blocks, the mark list, the poller."""
    document.refresh_from_db(fields=["revision", "version", "text"])
    since = _since(request) if since is None else since
    if rendering.text_changed_since(document, since):
        # The text itself is new: offsets on the open page mean nothing any more. Reload it.
        response = HttpResponse(status=200)
        response["HX-Refresh"] = "true"
        return response
    annotations = list(rendering.marks_of(document))
    touched = rendering.changed_blocks(document, since)
    context = {
        "document": document,
        "project": document.project,
        "revision": document.revision,
        "blocks": rendering.render_blocks(document, annotations, only=touched),
        "full_redraw": touched is None,
        **_panel_context(request, document, membership, annotations),
    }
    if detail is not None:
        context.update(detail)
        context["with_detail"] = True
    return render(request, "annotator/marks_changed.html", context, status=status)


@login_required
@require_GET
def document_changes(request, document_id):
    """The live poll: 204 when the document's revision has not moved, else what changed."""
    # The idle answer is the hot path (every open page, every few seconds): one query, membership included.
    revision = Document.objects.filter(pk=document_id, project__memberships__user=request.user).values_list(
        "revision", flat=True
    ).first()
    if revision is not None and revision == _since(request):
        return HttpResponse(status=204)
    document, membership = document_for(request.user, document_id)
    return _changes_response(request, document, membership)


# Marks -------------------------------------------------------------------------------------------


def _detail_context(request, annotation, membership, form=None, error=None):
    project = annotation.span.document.project
    is_author = annotation.created_by_id == request.user.pk
    if form is None and is_author:
        form = AnnotationUpdateForm(
            initial={"label": annotation.label_id, "note": annotation.note, "version": annotation.version},
            project=project,
        )
    same_span = (
        Annotation.objects.filter(span_id=annotation.span_id)
        .exclude(pk=annotation.pk)
        .select_related("label", "created_by")
    )
    return {
        "annotation": annotation,
        "is_author": is_author,
        "can_reattach": is_author or membership.role == "manager",
        "edit_form": form,
        "error": error,
        "same_span": same_span,
        "citations": annotation.citations.select_related("source"),
        "can_review": can_review(membership),
        "history": history.history_of(annotation.pk, project.pk),
        **_sources_context(request, annotation),
        **_links_context(request, annotation, membership),
    }


def _sources_context(request, annotation):
    # Imported here: the sources views build on this module's helpers.
    from .sources import mark_sources_context

    return mark_sources_context(request, annotation)


def _links_context(request, annotation, membership):
    # Imported here: the links views build on this module's helpers.
    from .links import mark_links_context

    return mark_links_context(request, annotation, membership)


def _error_fragment(request, message, status):
    return render(request, "annotator/document_detail.html#error", {"error": message}, status=status)


@login_required
@require_POST
def annotation_create(request, document_id):
    document, membership = document_for(request.user, document_id)
    form = AnnotationCreateForm(request.POST, project=document.project)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _error_fragment(request, f"The mark was not saved: {message}", 422)
    try:
        annotation = services.annotate(user=request.user, document=document, **form.cleaned_data)
    except services.ActionRefused as exc:
        return _error_fragment(request, f"The mark was not saved: {exc.message}", exc.status)
    return mark_saved(request, annotation.pk, document, membership)


def mark_saved(request, annotation_id, document, membership, event="annotation-saved"):
    """The answer to a saved mark: the mark's page for a plain POST; for htmx its panel as it is now, with the
    blocks, list and poller redrawn, and the client event."""
    if not request.htmx:
        return redirect("annotation_detail", annotation_id=annotation_id)
    annotation, _ = annotation_for(request.user, annotation_id)
    response = _changes_response(request, document, membership, detail=_detail_context(request, annotation, membership))
    response["HX-Trigger"] = event
    return response


@login_required
@require_GET
@vary_on_headers("HX-Request")
def annotation_detail(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "annotator/document_detail.html#mark-detail", _detail_context(request, annotation, membership))
    document = annotation.span.document
    return render(request, "annotator/document_detail.html", _document_context(request, document, membership, annotation))


@login_required
@require_POST
def annotation_update(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    document = annotation.span.document
    form = AnnotationUpdateForm(request.POST, project=document.project)
    if not form.is_valid():
        return render(
            request, "annotator/document_detail.html#mark-detail",
            _detail_context(request, annotation, membership, form=form), status=422,
        )
    try:
        annotation = services.update_annotation(
            user=request.user,
            annotation=annotation,
            version=form.cleaned_data["version"],
            label=form.cleaned_data["label"],
            note=form.cleaned_data["note"],
        )
    except services.ActionRefused as exc:
        current = Annotation.objects.select_related("span__document__project", "label", "created_by").filter(pk=annotation.pk).first()
        if current is None:
            return _error_fragment(request, exc.message, exc.status)
        return render(
            request, "annotator/document_detail.html#mark-detail",
            _detail_context(request, current, membership, error=exc.message), status=exc.status,
        )
    return mark_saved(request, annotation.pk, document, membership)


@login_required
@require_POST
def annotation_delete(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    document = annotation.span.document
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _error_fragment(request, "The mark's version is missing; reload the page and delete it again.", 422)
    try:
        services.delete_annotation(user=request.user, annotation=annotation, version=form.cleaned_data["version"])
    except services.ActionRefused as exc:
        return _error_fragment(request, exc.message, exc.status)
    if not request.htmx:
        messages.success(request, "Mark deleted.")
        return redirect("document_detail", document_id=document.pk)
    response = _changes_response(request, document, membership, detail={"annotation": None, "deleted": True})
    response["HX-Trigger"] = "annotation-deleted"
    return response
