"""The argument map of a document or a whole project: each claim with the evidence for and against it and the
quotations it rests on. A fixed number of queries however many claims; the grouping is links.build_map (pure)."""
from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.db.models import F, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import links as linklib
from ..models import Annotation, Citation, Link
from ..permissions import document_for, project_for

_MARK = ("span__document", "label", "created_by")


def _map_items(claims_filter: dict, project_id: int) -> list[linklib.ClaimItem]:
    claims = list(
        Annotation.objects.filter(
            label__key="claim", span__version=F("span__document__version"), **claims_filter
        )
        .select_related(*_MARK)
        .defer("span__document__text")  # a long text, once per row, is most of the work otherwise
        .order_by("span__document__title", "span__document_id", "span__start", "id")
    )
    ids = [c.pk for c in claims]
    links = list(
        Link.objects.filter(project_id=project_id)
        .filter(Q(to_annotation_id__in=ids) | Q(from_annotation_id__in=ids))
        # A link whose other end a new version orphaned is not current evidence: it waits for a re-attach.
        .filter(from_annotation__span__version=F("from_annotation__span__document__version"))
        .filter(Q(to_annotation__isnull=True) | Q(to_annotation__span__version=F("to_annotation__span__document__version")))
        .select_related(
            "type", "created_by", "reviewed_by", "to_source",
            *(f"from_annotation__{m}" for m in _MARK), "from_annotation__span",
            *(f"to_annotation__{m}" for m in _MARK), "to_annotation__span",
        )
        .defer("from_annotation__span__document__text", "to_annotation__span__document__text")
        .order_by("type__order", "created_at", "id")
    ) if ids else []
    quotation_ids = [link.to_annotation_id for link in links if link.type.key == linklib.QUOTES and link.to_annotation_id]
    attributions, citations = [], {}
    if quotation_ids:
        attributions = list(
            Link.objects.filter(from_annotation_id__in=quotation_ids, type__key=linklib.ATTRIBUTED_TO)
            .select_related("type", "to_source", "to_annotation__span")
            .order_by("created_at", "id")
        )
        for citation in Citation.objects.filter(annotation_id__in=quotation_ids).select_related("source").order_by("id"):
            citations.setdefault(citation.annotation_id, []).append(citation)
    return linklib.build_map(claims, links, attributions, citations)


def _summary(items):
    return {
        "claims": len(items),
        "without_evidence": sum(1 for i in items if not i.has_evidence),
        "accepted": sum(i.accepted for i in items),
        "pending": sum(i.pending for i in items),
        "rejected": sum(i.rejected for i in items),
    }


@login_required
@require_GET
def document_map(request, document_id):
    document, membership = document_for(request.user, document_id)
    items = _map_items({"span__document": document}, document.project_id)
    context = {
        "project": document.project, "membership": membership, "document": document,
        "groups": [(document, items)], "summary": _summary(items),
    }
    return render(request, "annotator/argument_map.html", context)


@login_required
@require_GET
def project_map(request, project_id):
    project, membership = project_for(request.user, project_id)
    items = _map_items({"span__document__project": project}, project.pk)
    groups = [(doc, list(group)) for doc, group in groupby(items, key=lambda i: i.claim.span.document)]
    context = {"project": project, "membership": membership, "document": None, "groups": groups, "summary": _summary(items)}
    return render(request, "annotator/argument_map.html", context)
