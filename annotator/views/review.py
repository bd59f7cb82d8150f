"""Review: the reviewer's queue, and the one endpoint that accepts or rejects a mark (from the queue or its panel)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from .. import document_page as page
from .. import reads, services
from ..forms import ReviewFilterForm, ReviewForm
from ..guidelines import render as render_guidelines
from ..models import Annotation
from ..permissions import annotation_for, can_review, deleted_mark_of_member, project_for

# The queue shows this many marks at a time; reviewing them and reloading brings the next ones.
QUEUE_LENGTH = 100

NOT_A_REVIEWER = "Only the project's reviewers and managers may review marks."


@login_required
@require_GET
@vary_on_headers("HX-Request")
def review_queue(request, project_id):
    project, membership = project_for(request.user, project_id)
    if not can_review(membership):
        return render(request, "annotator/forbidden.html", {"message": NOT_A_REVIEWER}, status=403)
    filter_form = ReviewFilterForm(request.GET or None, project=project, authors=reads.project_authors(project))
    queue = reads.pending_queue(project, request.user, filter_form.filters())
    context = {
        "project": project,
        "membership": membership,
        "filter_form": filter_form,
        "items": list(queue[:QUEUE_LENGTH]),
        "total": queue.count(),
        "queue_length": QUEUE_LENGTH,
        "guidelines": render_guidelines(project.guidelines),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "annotator/review_queue.html#queue", context)
    return render(request, "annotator/review_queue.html", context)


def _queue_item(request, annotation_id, *, error=None, status=200, kept_note=""):
    """The queue's entry for a mark as it stands now (reviewed, or still pending with the error), or a note that it is
    gone. `kept_note`: the note of a review that was refused, shown again so that nothing typed is lost."""
    context = {
        "item": reads.queue_item(annotation_id),
        "item_id": annotation_id,
        "error": error,
        "kept_note": kept_note,
    }
    return render(request, "annotator/review_queue.html#review-item", context, status=status)


def _review(request, annotation, membership) -> services.ActionRefused | None:
    """Parse the decision and hand it to the service; the refusal, if any, for the answer to show."""
    if not can_review(membership):
        return services.Forbidden(NOT_A_REVIEWER)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return services.ActionRefused(f"The review was not saved: {form.message()}")
    try:
        services.review_annotation(
            user=request.user,
            annotation=annotation,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except services.ActionRefused as exc:
        return exc
    return None


def _panel_answer(request, annotation, membership, error):
    """The mark's panel as it stands now, with the error if any; on success also the redrawn list and blocks."""
    current = Annotation.objects.with_context().filter(pk=annotation.pk).first()
    if current is None:  # deleted meanwhile: the service said so
        return page.answer_error(request, error.message, error.status, kept_note=request.POST.get("note", ""))
    if isinstance(error, services.Conflict) and request.POST.get("version") != str(current.version):
        # Changed meanwhile (edited by its author, or reviewed by someone else): the note typed is kept.
        context = page.conflict_context(request.user, current, membership, review_note=request.POST.get("note", ""))
        return page.answer_panel(request, context, error.status)
    panel = page.panel_context(request.user, current, membership, error=error.message if error else None)
    if error is not None:
        return page.answer_panel(request, panel, error.status)
    return page.answer_changes(
        request, current.span.document, "annotator/annotation_saved.html", panel, event="review-changed"
    )


def _queue_answer(request, annotation, membership, error):
    if not can_review(membership):
        # No review form for someone who may not review: the message alone.
        context = {"item": None, "item_id": annotation.pk, "error": error.message}
        return render(request, "annotator/review_queue.html#review-item", context, status=error.status)
    if error is not None:
        kept_note = request.POST.get("note", "")
        return _queue_item(request, annotation.pk, error=error.message, status=error.status, kept_note=kept_note)
    return _queue_item(request, annotation.pk)


@login_required
@require_POST
def annotation_review(request, annotation_id):
    """Accept, reject (or reopen) a mark. `origin=panel` answers with the mark's panel, else with its queue entry."""
    from_panel = request.POST.get("origin") == "panel"
    try:
        annotation, membership = annotation_for(request.user, annotation_id)
    except Http404:
        if from_panel:
            gone = page.gone_meanwhile(request, annotation_id, request.POST.get("note", ""))
        elif request.htmx and deleted_mark_of_member(request.user, annotation_id):
            gone = _queue_item(request, annotation_id, status=409, kept_note=request.POST.get("note", ""))
        else:
            gone = None
        if gone is None:
            raise
        return gone
    error = _review(request, annotation, membership)
    if not request.htmx:
        if error is not None:
            messages.error(request, error.message)
        else:
            messages.success(request, "Review saved.")
        if from_panel or not can_review(membership):
            return redirect("annotation_detail", annotation_id=annotation.pk)
        return redirect(reverse("review_queue", args=[annotation.span.document.project_id]))
    if from_panel:
        return _panel_answer(request, annotation, membership, error)
    response = _queue_answer(request, annotation, membership, error)
    if error is None:
        trigger_client_event(response, "review-changed")
    return response
