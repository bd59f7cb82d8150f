"""Importing marks from the app (managers): upload a file, read the check's report, confirm; nothing is imported
before the confirmation (services/import_uploads.py keeps the upload meanwhile)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods

from .. import services
from ..forms import ImportForm
from ..models import Role
from ..permissions import import_upload_for, project_for
from ..services import import_uploads


def _forbidden(request):
    message = "Only the project's managers may import marks."
    return render(request, "annotator/forbidden.html", {"message": message}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request, project_id):
    """The upload form; a file sent is checked (nothing imported) and its report shown on its own page."""
    project, membership = project_for(request.user, project_id)
    if membership.role != Role.MANAGER:
        return _forbidden(request)
    form, status = ImportForm(project=project), 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, project=project)
        status = 422  # the form's errors are shown with their fields
        if form.is_valid():
            data = form.cleaned_data
            links = data["links"]
            try:
                upload = import_uploads.check_import(
                    user=request.user,
                    project=project,
                    name=data["file"].name,
                    data=data["file"].read(),
                    links=links.read() if links else None,
                    links_name=links.name if links else "",
                    spreadsheet_safe=data["spreadsheet_safe"],
                    document=data["document"],
                    label=data["label"],
                    as_user=data["as_user"],
                )
            except services.ActionRefused as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return redirect("import_detail", import_id=upload.pk)
    context = {"project": project, "membership": membership, "form": form}
    return render(request, "annotator/project_import.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request, import_id):
    """An upload's report, and the button that imports it (its uploader only: anyone else finds nothing). While the
    worker checks or imports it, htmx asks for the upload's state every second until the report is there."""
    try:
        upload, membership = import_upload_for(request.user, import_id)
    except Http404:
        # Its own (replaced by a newer upload, or expired) or anyone's: the same answer, which says what may have
        # happened to one's own.
        # A page asking for its state (htmx) gets the state's part alone.
        template = "annotator/import_gone.html" + ("#gone" if request.htmx else "")
        return render(request, template, status=404)
    status = 200
    if request.method == "POST":
        try:
            upload = import_uploads.confirm_import(user=request.user, upload=upload)
        except services.ActionRefused as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            if upload.state == upload.State.IMPORTED:
                report = upload.report
                made = report["created"] + report["reanchored"]
                links = report["links_created"]
                messages.success(request, f"Imported {made} mark{pluralize(made)} and {links} link{pluralize(links)}.")
            return redirect("import_detail", import_id=upload.pk)
    context = {
        "project": membership.project,
        "membership": membership,
        "upload": upload,
        "report": upload.report,
        "expired": import_uploads.expired(upload),
        "pending": upload.state in upload.PENDING,
    }
    partial = request.htmx and not request.htmx.history_restore_request and request.method == "GET"
    template = "annotator/import_detail.html" + ("#state" if partial else "")
    return render(request, template, context, status=status)
