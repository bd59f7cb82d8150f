"""Exports from the app: the project's export page, and the download of a project's or a document's marks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import exchange, reads
from ..forms import ExportForm
from ..permissions import document_for, project_for


@login_required
@require_GET
def project_export(request, project_id):
    """The export page (no format asked), or the download of the project's marks that pass the filters."""
    project, membership = project_for(request.user, project_id)
    return _export(request, project, membership, document=None)


@login_required
@require_GET
def document_export(request, document_id):
    """The download of a document's marks, with the filters of its marks panel (f_label, f_author, f_status)."""
    document, membership = document_for(request.user, document_id)
    return _export(request, document.project, membership, document=document)


def _export(request, project, membership, document):
    data = request.GET.copy()
    if document is not None:
        data["f_document"] = str(document.pk)
    form = ExportForm(data if "format" in data else None, project=project, authors=reads.project_authors(project))
    context = {"project": project, "membership": membership, "form": form, "columns": exchange.CSV_HEADER}
    if "format" not in data:
        return render(request, "annotator/export.html", context)
    if not form.is_valid():
        return render(request, "annotator/export.html", {**context, "error": form.problem()}, status=400)
    return form.download(request, project)
