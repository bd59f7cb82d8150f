"""The argument map of a document or a whole project: each claim with the evidence for and against it and the
quotations it rests on, a page at a time with the figures of the whole map (reads.argument_map)."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import reads
from ..permissions import document_for, project_for


@login_required
@require_GET
def document_map(request, document_id):
    document, membership = document_for(request.user, document_id, text=False)
    items, summary = reads.argument_map({"span__document": document}, document.project_id, request.GET.get("page"))
    context = {
        "project": document.project,
        "membership": membership,
        "document": document,
        "groups": [(document, items)],
        "summary": summary,
    }
    return render(request, "annotator/argument_map.html", context)


@login_required
@require_GET
def project_map(request, project_id):
    project, membership = project_for(request.user, project_id)
    items, summary = reads.argument_map({"span__document__project": project}, project.pk, request.GET.get("page"))
    groups = [(doc, list(group)) for doc, group in groupby(items, key=lambda i: i.claim.span.document)]
    context = {"project": project, "membership": membership, "document": None, "groups": groups, "summary": summary}
    return render(request, "annotator/argument_map.html", context)
