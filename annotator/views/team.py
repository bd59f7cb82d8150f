"""Who does what: assignments of documents to members (managers), each member's *My work*, and the progress
dashboard (managers and reviewers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import reads, services
from ..forms import AssignmentForm
from ..models import Assignment, Document, Membership, Role
from ..permissions import can_review, project_for
from ..services import assignments as assignment_services


def _forbidden(request, message: str):
    return render(request, "annotator/forbidden.html", {"message": message}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_list(request, project_id):
    """The project's assignments; managers give documents to members to annotate or review, and take them back."""
    project, membership = project_for(request.user, project_id)
    if membership.role != Role.MANAGER:
        return _forbidden(request, "Only the project's managers assign documents.")
    form, status = AssignmentForm(), 200
    if request.method == "POST":
        form = AssignmentForm(request.POST)
        try:
            if not form.is_valid():
                raise services.ActionRefused(form.message())
            # Ids of another project's documents or people are refused as ids that do not exist would be.
            document = Document.objects.filter(pk=form.cleaned_data["document"], project=project).defer("text").first()
            member = get_user_model().objects.filter(pk=form.cleaned_data["user"], memberships__project=project).first()
            if document is None or member is None:
                raise services.ActionRefused("Choose one of the project's documents and one of its members.")
            assignment_services.assign(
                user=request.user, document=document, member=member, task=form.cleaned_data["task"]
            )
        except services.ActionRefused as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, "Assigned.")
            return redirect("assignment_list", project_id=project.pk)
    context = {
        "project": project,
        "membership": membership,
        "form": form,
        "assignments": Assignment.objects.filter(document__project=project)
        .select_related("document", "user")
        .defer("document__text")
        .order_by("document__title", "task", "user__username"),
        "documents": Document.objects.filter(project=project).only("id", "title").order_by("title", "id"),
        "members": Membership.objects.filter(project=project).select_related("user").order_by("user__username"),
        "tasks": Assignment.Task.choices,
    }
    return render(request, "annotator/assignment_list.html", context, status=status)


@login_required
@require_POST
def assignment_update(request, assignment_id):
    """The assignee sets how far they are (`progress`); a manager takes the assignment back (`remove`)."""
    assignment = get_object_or_404(Assignment.objects.select_related("document"), pk=assignment_id)
    project, membership = project_for(request.user, assignment.document.project_id)
    action = request.POST.get("action", "progress")
    try:
        if action == "remove":
            assignment_services.unassign(user=request.user, assignment=assignment)
            messages.success(request, "The assignment is taken back.")
            return redirect("assignment_list", project_id=project.pk)
        if action != "progress":
            raise services.ActionRefused("Unknown action.")
        assignment_services.set_progress(
            user=request.user, assignment=assignment, progress=request.POST.get("progress", "")
        )
    except services.ActionRefused as exc:
        if request.htmx or exc.status == 403:
            return render(request, "annotator/request_refused.html", {"message": exc.message}, status=exc.status)
        messages.error(request, exc.message)
    return redirect("my_work")


@login_required
@require_GET
def my_work(request):
    return render(
        request, "annotator/my_work.html", {**reads.my_work(request.user), "progress": Assignment.Progress.choices}
    )


@login_required
@require_GET
def project_progress(request, project_id):
    project, membership = project_for(request.user, project_id)
    if not can_review(membership):
        return _forbidden(request, "The progress of the project is for its reviewers and managers.")
    context = {"project": project, "membership": membership, **reads.progress(project)}
    return render(request, "annotator/project_progress.html", context)
