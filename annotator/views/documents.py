"""Project and document pages: lists, counts, adding documents."""
from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from .. import services
from .. import text as textlib
from ..forms import DocumentForm
from ..models import Annotation, Document, Extraction, Membership, Role, Status
from ..permissions import project_for
from ..services import ingest


# Projects ----------------------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("project")
        .annotate(document_count=Count("project__documents", distinct=True))
        .order_by("project__name")
    )
    return render(request, "annotator/project_list.html", {"memberships": memberships})


@login_required
@require_GET
def project_detail(request, project_id):
    project, membership = project_for(request.user, project_id)
    labels = list(project.labels.all())
    documents = list(Document.objects.filter(project=project).only("id", "title", "origin", "created_at", "project_id"))
    counts = (
        Annotation.objects.current().filter(span__document__project=project)
        .values("span__document_id", "label_id", "status")
        .annotate(n=Count("id"))
    )
    table = {d.pk: {"labels": {l.pk: 0 for l in labels}, "status": {s: 0 for s in Status.values}, "total": 0} for d in documents}
    for row in counts:
        entry = table[row["span__document_id"]]
        entry["labels"][row["label_id"]] += row["n"]
        entry["status"][row["status"]] += row["n"]
        entry["total"] += row["n"]
    rows = [
        {
            "document": d,
            "label_counts": [table[d.pk]["labels"][l.pk] for l in labels],
            "status_counts": [table[d.pk]["status"][s] for s in Status.values],
            "total": table[d.pk]["total"],
        }
        for d in documents
    ]
    return render(
        request,
        "annotator/project_detail.html",
        {
            "project": project,
            "membership": membership,
            "labels": labels,
            "statuses": Status.choices,
            "rows": rows,
            "is_manager": membership.role == Role.MANAGER,
            "extractions": _extractions_of(project) if membership.role == Role.MANAGER else [],
        },
    )


def _extractions_of(project) -> list:
    """Documents being made from web pages and files, and those that failed in the last day, for the managers."""
    recent = timezone.now() - datetime.timedelta(days=1)
    return list(
        Extraction.objects.filter(project=project, created_at__gte=recent)
        .exclude(state=Extraction.State.DONE)
        .defer("data")[:20]
    )


@login_required
@require_GET
def label_css(request, project_id):
    """Highlight colours of the project's labels as classes, so no inline style is needed."""
    project, _ = project_for(request.user, project_id)
    rules = []
    for label in project.labels.all():
        rules.append(f".c1-{label.pk}{{--c1:{label.colour}}}")
        rules.append(f".c2-{label.pk}{{--c2:{label.colour}}}")
        rules.append(f".lbl-{label.pk}{{--lc:{label.colour}}}")
    return HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")


# Documents ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request, project_id):
    project, membership = project_for(request.user, project_id)
    if membership.role != Role.MANAGER:
        return render(request, "annotator/forbidden.html", {"message": "Only the project's managers may add documents."}, status=403)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and (form.cleaned_data["url"] or form.cleaned_data["upload"]):
        # A web page or a PDF, HTML or Word file: extracted in the background, its progress on its own page.
        upload = form.cleaned_data["upload"]
        try:
            extraction = ingest.request_document(
                user=request.user, project=project, title=form.cleaned_data["title"], url=form.cleaned_data["url"],
                name=upload.name if upload else "", data=upload.data if upload else b"",
            )
        except services.ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("extraction_detail", extraction_id=extraction.pk)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file") and request.FILES.get("file")
        try:
            document = services.add_document(
                membership=membership,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["content"],
                origin=upload.name if upload else "",
                user=request.user,
            )
        except services.ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Added “{textlib.isolated(document.title)}”.")
            return redirect("document_detail", document_id=document.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "annotator/document_form.html", {"project": project, "form": form}, status=status)


