"""A project's labels: every member reads them; managers add, rename, recolour, reorder, change keys and retire them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .. import colours, services
from ..forms import LabelForm, NewLabelForm
from ..models import Label, Role
from ..permissions import project_for
from ..services import labels as label_services


@login_required
@require_http_methods(["GET", "POST"])
def label_list(request, project_id):
    project, membership = project_for(request.user, project_id)
    is_manager = membership.role == Role.MANAGER
    # A new label is offered the colour farthest from those of the project's labels.
    offered = colours.apart_from(Label.objects.filter(project=project).values_list("colour", flat=True))
    form, status = NewLabelForm(initial={"colour": offered}), 200
    if request.method == "POST":
        if not is_manager:
            return render(
                request,
                "annotator/forbidden.html",
                {"message": "Only the project's managers may change its labels."},
                status=403,
            )
        form = NewLabelForm(request.POST)
        try:
            if not form.is_valid():
                raise services.ActionRefused(form.message())
            label = label_services.add_label(user=request.user, project=project, **form.cleaned_data)
        except services.ActionRefused as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, f"Added the label “{label.name}”.")
            return redirect("label_list", project_id=project.pk)
    labels = Label.objects.filter(project=project).annotate(mark_count=Count("annotations"))
    context = {"project": project, "membership": membership, "is_manager": is_manager, "form": form, "labels": labels}
    return render(request, "annotator/label_list.html", context, status=status)


@login_required
@require_POST
def label_update(request, label_id):
    """One label changed: saved (name, colour, key), moved up or down, retired, brought back or deleted."""
    label = get_object_or_404(Label.objects.select_related("project"), pk=label_id)
    project, membership = project_for(request.user, label.project_id)
    if membership.role != Role.MANAGER:
        return render(
            request,
            "annotator/forbidden.html",
            {"message": "Only the project's managers may change its labels."},
            status=403,
        )
    action = request.POST.get("action", "save")
    try:
        if action == "save":
            form = LabelForm(request.POST)
            if not form.is_valid():
                raise services.ActionRefused(form.message())
            label_services.update_label(user=request.user, label=label, **form.cleaned_data)
            messages.success(request, f"Saved the label “{form.cleaned_data['name']}”.")
        elif action in ("up", "down"):
            label_services.move_label(user=request.user, label=label, step=-1 if action == "up" else 1)
        elif action in ("retire", "restore"):
            label_services.retire_label(user=request.user, label=label, retired=action == "retire")
            messages.success(
                request,
                f"Retired “{label.name}”: its marks keep it."
                if action == "retire"
                else f"“{label.name}” is offered again.",
            )
        elif action == "delete":
            label_services.delete_label(user=request.user, label=label)
            messages.success(request, f"Deleted the label “{label.name}”.")
        else:
            raise services.ActionRefused("Unknown action.")
    except services.ActionRefused as exc:
        messages.error(request, exc.message)
        if request.htmx:
            return render(request, "annotator/request_refused.html", {"message": exc.message}, status=exc.status)
    return redirect("label_list", project_id=project.pk)
