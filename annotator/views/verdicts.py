"""Verdicts (issue 24): the project's rating scale page; a claim's verdict given and reviewed in its panel."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from .. import document_page as page
from .. import reads, services
from .. import text as textlib
from ..exchange import claimreview
from ..forms import RatingForm, RatingScaleForm, ReviewForm, VerdictForm
from ..models import Annotation, ClaimVerdict, Rating, Role, Source, Status
from ..permissions import annotation_for, membership_for, project_for
from ..services import verdicts as verdict_services

MANAGERS_ONLY = "Only the project's managers may change its rating scale."


@login_required
@require_http_methods(["GET", "POST"])
def rating_list(request, project_id):
    """The project's rating scale: every member reads it; managers add, change and delete ratings, and set the
    scale's best and worst values (`action`: add, save, delete, scale)."""
    project, membership = project_for(request.user, project_id)
    is_manager = membership.role == Role.MANAGER
    if request.method == "POST":
        if not is_manager:
            return render(request, "annotator/forbidden.html", {"message": MANAGERS_ONLY}, status=403)
        try:
            done = _change_scale(request, project)
        except services.ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect("rating_list", project_id=project.pk)
    context = {
        "project": project,
        "membership": membership,
        "is_manager": is_manager,
        "scale": verdict_services.scale_of(project.pk),
        "ratings": Rating.objects.filter(project=project),
    }
    return render(request, "annotator/rating_list.html", context)


def _change_scale(request, project) -> str:
    action = request.POST.get("action", "")
    if action == "scale":
        scale_form = RatingScaleForm(request.POST)
        if not scale_form.is_valid():
            raise services.ActionRefused(scale_form.message())
        verdict_services.set_rating_scale(user=request.user, project=project, **scale_form.cleaned_data)
        return "Saved the scale."
    if action == "add":
        form = RatingForm(request.POST)
        if not form.is_valid():
            raise services.ActionRefused(form.message())
        added = verdict_services.add_rating(user=request.user, project=project, **form.cleaned_data)
        return f"Added the rating “{added.name}”."
    rating = Rating.objects.filter(project=project, pk=textlib.row_id(request.POST.get("rating", "")) or 0).first()
    if rating is None or action not in ("save", "delete"):
        raise services.ActionRefused("Choose a rating of this scale, and what to do with it.")
    if action == "delete":
        verdict_services.delete_rating(user=request.user, rating=rating)
        return f"Deleted the rating “{rating.name}”."
    form = RatingForm(request.POST)
    if not form.is_valid():
        raise services.ActionRefused(form.message())
    rating = verdict_services.update_rating(user=request.user, rating=rating, **form.cleaned_data)
    return f"Saved the rating “{rating.name}”."


def _answer(request, annotation_id: int, membership, *, error: str = "", status: int = 200, form=None):
    """The open mark's panel after a verdict's write (htmx), or back to the mark's page with a message."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("annotation_detail", annotation_id=annotation_id)
    current = get_object_or_404(Annotation.objects.with_context(), pk=annotation_id)
    context = page.panel_context(request.user, current, membership, verdict_error=error, verdict_form=form)
    response = page.answer_panel(request, context, status)
    if not error:
        trigger_client_event(response, "verdict-changed")
    return response


@login_required
@require_POST
def verdict_save(request, annotation_id):
    """Give the claim its verdict, or change the one it shares (reviewers and managers)."""
    annotation, membership = annotation_for(request.user, annotation_id)
    project_id = annotation.span.document.project_id
    form = VerdictForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ActionRefused(form.message())
        data = form.cleaned_data
        rating = Rating.objects.filter(project_id=project_id, pk=textlib.row_id(data["rating"] or 0) or 0).first()
        source = None
        if data["claimant_source"]:
            source = Source.objects.filter(
                project_id=project_id, pk=textlib.row_id(data["claimant_source"]) or 0
            ).first()
            if source is None:
                raise services.ActionRefused("That source was not found in this project.")
        verdict_services.give_verdict(
            user=request.user,
            annotation=annotation,
            rating=rating,
            summary=data["summary"],
            explanation=data["explanation"],
            claimant=data["claimant"],
            claimant_source=source,
            claim_date=data["claim_date"],
            appearances=form.urls(),
            version=data["version"],
        )
    except services.ActionRefused as exc:
        return _answer(request, annotation.pk, membership, error=exc.message, status=exc.status, form=form)
    if not request.htmx:
        messages.success(request, "Saved the verdict.")
    return _answer(request, annotation.pk, membership)


@login_required
@require_POST
def verdict_review(request, verdict_id):
    """Accept or reject a verdict, or send it back to pending (reviewers and managers; never one's own)."""
    verdict = get_object_or_404(ClaimVerdict.objects.select_related("annotation__span__document"), pk=verdict_id)
    membership = membership_for(request.user, verdict.annotation.span.document.project_id)
    open_id = _open_claim(request, verdict)
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise services.ActionRefused(" ".join(str(e) for errors in form.errors.values() for e in errors))
        verdict_services.review_verdict(
            user=request.user,
            verdict=verdict,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data.get("version"),
        )
    except services.ActionRefused as exc:
        return _answer(request, open_id, membership, error=exc.message, status=exc.status)
    if not request.htmx:
        messages.success(request, "Saved your review of the verdict.")
    return _answer(request, open_id, membership)


def _open_claim(request, verdict: ClaimVerdict) -> int:
    """The claim whose panel sent the review (hidden `open`): the verdict's own, or one that shares it."""
    asked = request.POST.get("open", "")
    project_id = verdict.annotation.span.document.project_id
    if asked.isdecimal() and int(asked) in verdict_services.same_claims(verdict.annotation_id, project_id):
        return int(asked)
    return verdict.annotation_id


# The fact-check page and ClaimReview -------------------------------------------------------------------------


def _claim_verdict(request, annotation_id):
    """The claim, the user's membership, the claims joined to it and the verdict they share; 404 without one."""
    annotation, membership = annotation_for(request.user, annotation_id)
    project_id = annotation.span.document.project_id
    claims = verdict_services.same_claims(annotation.pk, project_id)
    verdict = verdict_services.verdict_of(annotation, claims=claims)
    if verdict is None:
        raise Http404("This claim has no verdict.")
    return annotation, membership, claims, verdict


@login_required
@require_GET
def fact_check(request, annotation_id):
    """A claim's fact-check, to read and print: the claim in its context, the verdict and why, the evidence for and
    against with its quotations and sources, who gave and reviewed it; and the ClaimReview to publish with it."""
    annotation, membership, claims, verdict = _claim_verdict(request, annotation_id)
    project = annotation.span.document.project
    scale = verdict_services.scale_of(project.pk)
    context = {
        "project": project,
        "membership": membership,
        "annotation": annotation,
        "verdict": verdict,
        "scale": scale,
        "evidence": reads.evidence_of(claims),
        "same_claims": reads.same_claims(annotation, claims),
        "snippet": claimreview.snippet(claimreview.document(verdict, scale))
        if verdict.status == Status.ACCEPTED
        else "",
    }
    return render(request, "annotator/fact_check.html", context)


@login_required
@require_GET
def claim_review(request, annotation_id):
    """One claim's ClaimReview JSON-LD: only an accepted verdict is published (409 until then)."""
    annotation, _, _, verdict = _claim_verdict(request, annotation_id)
    if verdict.status != Status.ACCEPTED:
        return HttpResponse(
            "This claim's verdict is not accepted yet: only accepted verdicts are published.",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    scale = verdict_services.scale_of(annotation.span.document.project_id)
    body = json.dumps(claimreview.document(verdict, scale), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type=claimreview.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="claim-{annotation.pk}-claimreview.jsonld"'
    return response


@login_required
@require_GET
def project_claim_reviews(request, project_id):
    """The project's accepted verdicts as ClaimReview JSON-LD, streamed."""
    project, _ = project_for(request.user, project_id)
    scale = verdict_services.scale_of(project.pk)
    response = StreamingHttpResponse(claimreview.stream(project.pk, scale), content_type=claimreview.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="project-{project.pk}-claimreview.jsonld"'
    return response
