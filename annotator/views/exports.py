"""Exports from the app: the project's export page, and the download of a project's or a document's marks."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from .. import export_query, export_rows, exports, links_export, reads
from ..exports import CSV_HEADER
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
    context = {"project": project, "membership": membership, "form": form, "columns": CSV_HEADER}
    if "format" not in data:
        return render(request, "annotator/export.html", context)
    if not form.is_valid():
        return render(request, "annotator/export.html", {**context, "error": form.problem()}, status=400)
    chosen = form.cleaned_data["f_document"]
    name = f"{slugify(project.name) or 'project'}{f'-document-{chosen.pk}' if chosen else ''}-marks-{timezone.now():%Y%m%d}"
    return download(
        request, export_query.marks(form.export_filter(project)), file_format=form.cleaned_data["format"],
        raw=form.cleaned_data["raw"], label=f"Marks of {chosen.title if chosen else project.name}", name=name,
    )


def download(request, annotations, *, file_format: str, raw: bool, label: str, name: str) -> StreamingHttpResponse:
    """The marks of a queryset as a CSV or JSON-LD attachment, streamed (the admin's export action uses it too).

    `links-csv` is the links that start at those marks, as their own CSV; JSON-LD holds marks and links.
    """
    links = links_export.links_of(annotations)
    if file_format == "links-csv":
        response = StreamingHttpResponse(
            links_export.stream_links_csv(links_export.link_values(links).iterator(), raw=raw),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-links.csv"'
        return response
    rows = export_query.rows(annotations)
    if file_format == "csv":
        response = StreamingHttpResponse(export_rows.stream_csv(rows, raw=raw), content_type="text/csv; charset=utf-8")
    else:
        addresses = exports.Addresses(request.build_absolute_uri("/").rstrip("/"))
        chunks = export_rows.stream_jsonld(
            rows,
            total=annotations.count() + links.count(),
            collection_id=request.build_absolute_uri(),
            label=label,
            addresses=addresses,
            extra=(links_export.jsonld_link_of(values, addresses) for values in links_export.link_values(links).iterator()),
        )
        response = StreamingHttpResponse(chunks, content_type=exports.JSONLD_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
