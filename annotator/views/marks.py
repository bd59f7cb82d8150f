"""A mark on the document page: make one, open it, change it, delete it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from .. import document_page as page
from .. import reads, services
from ..forms import AnnotationCreateForm, AnnotationUpdateForm, VersionForm
from ..models import Annotation
from ..permissions import annotation_for, deleted_mark_of_member, document_for


@login_required
@require_POST
def annotation_create(request, document_id):
    document, membership = document_for(request.user, document_id, text=False)
    form = AnnotationCreateForm(request.POST, project=document.project)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return page.answer_error(request, f"The mark was not saved: {message}", 422)
    try:
        annotation = services.annotate(user=request.user, document=document, **form.cleaned_data)
    except services.ActionRefused as exc:
        return page.answer_error(request, f"The mark was not saved: {exc.message}", exc.status)
    if not request.htmx:
        return redirect("annotation_detail", annotation_id=annotation.pk)
    # The new mark's panel shows it at once and fetches its sources, links and history in a second
    # request, so the highlight does not wait for them.
    return page.answer_changes(
        request,
        document,
        "annotator/annotation_saved.html",
        {"annotation": annotation, "brief": True},
        event="annotation-saved",
        made=annotation,
    )


@login_required
@require_GET
@vary_on_headers("HX-Request")
def annotation_detail(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    if request.htmx and not request.htmx.history_restore_request:
        return page.answer_panel(request, page.panel_context(request.user, annotation, membership))
    context = page.page_context(request.user, annotation.span.document, membership, request.GET, annotation)
    return render(request, "annotator/document_detail.html", context)


@login_required
@require_POST
def annotation_update(request, annotation_id):
    try:
        annotation, membership = annotation_for(request.user, annotation_id)
    except Http404:
        gone = page.gone_meanwhile(request, annotation_id, request.POST.get("note", ""))
        if gone is None:
            raise
        return gone
    document = annotation.span.document
    form = AnnotationUpdateForm(request.POST, project=document.project)
    if not form.is_valid():
        return page.answer_panel(request, page.panel_context(request.user, annotation, membership, form=form), 422)
    try:
        annotation = services.update_annotation(
            user=request.user,
            annotation=annotation,
            version=form.cleaned_data["version"],
            label=form.cleaned_data["label"],
            note=form.cleaned_data["note"],
        )
    except services.ActionRefused as exc:
        current = Annotation.objects.with_context().filter(pk=annotation.pk).first()
        if current is None:
            return page.answer_error(request, exc.message, exc.status, kept_note=form.cleaned_data["note"])
        if current.version != form.cleaned_data["version"]:
            # Changed meanwhile (by a reviewer, or from another window): nothing typed is thrown away.
            context = page.conflict_context(
                request.user, current, membership, label=form.cleaned_data["label"].pk, note=form.cleaned_data["note"]
            )
            return page.answer_panel(request, context, exc.status)
        return page.answer_panel(
            request, page.panel_context(request.user, current, membership, error=exc.message), exc.status
        )
    return page.answer_saved(request, annotation.pk, membership)


@login_required
@require_POST
def annotation_delete(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    document = annotation.span.document
    form = VersionForm(request.POST)
    if not form.is_valid():
        return page.answer_error(request, "The mark's version is missing; reload the page and delete it again.", 422)
    try:
        services.delete_annotation(user=request.user, annotation=annotation, version=form.cleaned_data["version"])
    except services.ActionRefused as exc:
        return page.answer_error(request, exc.message, exc.status)
    if not request.htmx:
        messages.success(request, "Mark deleted.")
        return redirect("document_detail", document_id=document.pk)
    return page.answer_changes(request, document, "annotator/annotation_deleted.html", {}, event="annotation-deleted")


@login_required
@require_GET
def deleted_marks(request, document_id):
    """The document's *Deleted marks*, each with a button to restore it for its author and the managers."""
    document, membership = document_for(request.user, document_id, text=False)
    context = {"document": document, "membership": membership, "deleted": reads.deleted_marks(document)}
    return render(request, "annotator/deleted_marks.html", context)


@login_required
@require_POST
def annotation_restore(request, annotation_id):
    """Restore a deleted mark; the page reloads with it open."""
    if not deleted_mark_of_member(request.user, annotation_id):
        raise Http404("No such deleted mark.")
    try:
        annotation = services.restore_annotation(user=request.user, annotation_id=annotation_id)
    except services.ActionRefused as exc:
        if request.htmx:
            context = {"message": exc.message}
            return render(request, "annotator/request_refused.html#message", context, status=exc.status)
        messages.error(request, exc.message)
        return redirect("project_list")
    url = reverse("annotation_detail", args=[annotation.pk])  # the document page with the mark open
    messages.success(request, "The mark is restored.")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def annotation_mark_all(request, annotation_id):
    """Mark every other occurrence of a mark's text (in its document, or its project) with its label: GET previews the
    places, each in context, with the count; POST marks them all, or none."""
    annotation, membership = annotation_for(request.user, annotation_id)
    scope = request.GET.get("scope") or request.POST.get("scope") or "document"
    if request.method == "POST":
        try:
            expected = int(request.POST.get("expected", ""))
        except ValueError:
            expected = None
        try:
            made = services.mark_occurrences(user=request.user, annotation=annotation, scope=scope, expected=expected)
        except services.ActionRefused as exc:
            messages.error(request, exc.message)
            return redirect(f"{request.path}?scope={scope}")
        messages.success(
            request, f"Marked {len(made)} more place{'s' if len(made) != 1 else ''} as {annotation.label.name}."
        )
        return redirect("annotation_detail", annotation_id=annotation.pk)
    try:
        found = services.occurrences(user=request.user, annotation=annotation, scope=scope)
    except services.ActionRefused as exc:
        return render(request, "annotator/request_refused.html", {"message": exc.message}, status=exc.status)
    return render(
        request,
        "annotator/mark_all.html",
        {
            "annotation": annotation,
            "project": annotation.span.document.project,
            "membership": membership,
            "found": found,
            "scope": scope,
            "places": found.places[:200],
        },
    )
