"""Documents from web pages and files: the progress of one being made, fetching again, downloading an original."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import ingest
from ..models import Original, Role
from ..permissions import document_for, extraction_for
from ..services import ActionRefused
from ..services import ingest as ingest_services

# An original's file-name ending when it has no name of its own (a fetched page).
ENDINGS = {ingest.PDF: ".pdf", ingest.HTML: ".html", ingest.DOCX: ".docx"}
# Seconds an extraction may wait before the page says the worker may not be running.
PATIENCE = 20


@login_required
@require_GET
@vary_on_headers("HX-Request")
def extraction_detail(request, extraction_id):
    """How far the making of a document has got; htmx asks for the progress part every second until it ends."""
    extraction, _ = extraction_for(request.user, extraction_id)
    context = {
        "extraction": extraction,
        "project": extraction.project,
        "stalled": extraction.state == "waiting"
        and (timezone.now() - extraction.created_at).total_seconds() > PATIENCE,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "annotator/extraction.html#progress" if partial else "annotator/extraction.html", context)


@login_required
@require_POST
def document_refetch(request, document_id):
    """Fetch a document made from a web page again: a changed text becomes its next version."""
    document, membership = document_for(request.user, document_id, text=False)
    if membership.role != Role.MANAGER:
        return render(
            request,
            "annotator/forbidden.html",
            {"message": "Only the project's managers may fetch documents again."},
            status=403,
        )
    try:
        extraction = ingest_services.request_refetch(user=request.user, document=document)
    except ActionRefused as exc:
        messages.error(request, exc.message)
        return redirect("document_versions", document_id=document.pk)
    return redirect("extraction_detail", extraction_id=extraction.pk)


@login_required
@require_GET
def original_download(request, document_id, number):
    """The file or page a version was made from, as it came: always a download, never shown in the browser."""
    document, _ = document_for(request.user, document_id, text=False)
    original = Original.objects.filter(version__document=document, version__number=number).first()
    if original is None:
        raise Http404("This version was not made from a file or a web page.")
    kind = original.media_type.split(";")[0].strip()
    name = original.name or f"document-{document.pk}-v{number}{ENDINGS.get(kind, '')}"
    response = HttpResponse(bytes(original.data), content_type=original.media_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
