"""The argument map of a document or a whole project: each claim with the evidence for and against it and the
quotations it rests on. A page of MAP_PAGE claims at a time, with the figures of the whole map; a fixed number of
queries however many claims; the grouping is links.build_map (pure)."""
from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, F, OuterRef, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import links as linklib
from ..models import Annotation, Citation, Link
from ..permissions import document_for, project_for

_MARK = ("span__document", "label", "created_by")
# Each row brings its own copy of every field of its document: leave out the text (a document may be a book).
_NO_TEXT = ("span__document__text",)
# Claims per page of a map. A project of 100,000 marks has some 33,000 claims: drawn at once, 23 MB and 15 s.
MAP_PAGE = 200
# A link counts while both its ends are marks of their documents' current text (or it points at no mark).
_CURRENT_FROM = Q(from_annotation__span__version=F("from_annotation__span__document__version"))
_CURRENT_TO = Q(to_annotation__isnull=True) | Q(to_annotation__span__version=F("to_annotation__span__document__version"))


def _claims(claims_filter: dict):
    return Annotation.objects.current().filter(label__key="claim", **claims_filter)


def page_of(total: int, asked: str | None, size: int) -> tuple[int, int]:
    """(the page number to show, the number of pages) for `total` items, from the page asked for; a page out of
    range or no number shows the nearest one."""
    pages = max(1, -(-total // size))
    try:
        number = int(asked or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), pages), pages


def _summary(claims, project_id: int) -> dict:
    """The figures of the whole map, not only of the page shown: claims, claims without evidence, and the links that
    bear on them by status, counted as the map counts them (links.ClaimItem). Two queries."""
    evidence = Link.objects.filter(
        _CURRENT_FROM, project_id=project_id, type__key__in=[linklib.SUPPORTS, linklib.REFUTES], to_annotation=OuterRef("pk"),
    )
    figures = claims.annotate(evidenced=Exists(evidence)).aggregate(
        claims=Count("id"), without_evidence=Count("id", filter=Q(evidenced=False)),
    )
    bearing = Link.objects.filter(_CURRENT_FROM, _CURRENT_TO, project_id=project_id).filter(
        Q(type__key__in=[linklib.SUPPORTS, linklib.REFUTES], to_annotation__in=claims)
        | Q(type__key=linklib.QUOTES, from_annotation__in=claims, to_annotation__isnull=False)
    )
    figures.update(bearing.aggregate(**{
        status: Count("id", filter=Q(status=status)) for status in ("accepted", "pending", "rejected")
    }))
    return figures


def _page(request, claims, project_id: int) -> tuple[list[linklib.ClaimItem], dict]:
    """The claims of the page asked for (`?page=`), with what bears on them, and the map's figures and pages."""
    summary = _summary(claims, project_id)
    number, pages = page_of(summary["claims"], request.GET.get("page"), MAP_PAGE)
    first = (number - 1) * MAP_PAGE
    shown = list(
        claims.select_related(*_MARK)
        .defer(*_NO_TEXT)
        .order_by("span__document__title", "span__document_id", "span__start", "id")[first : first + MAP_PAGE]
    )
    summary.update(page=number, pages=pages, first=first + 1, last=first + len(shown),
                   previous=number - 1 if number > 1 else None, next=number + 1 if number < pages else None)
    return _map_items(shown, project_id), summary


def _map_items(claims: list, project_id: int) -> list[linklib.ClaimItem]:
    """The claims given, each with the links that bear on it, their attributions and citations. Four queries."""
    ids = [c.pk for c in claims]
    links = list(
        Link.objects.filter(project_id=project_id)
        .filter(Q(to_annotation_id__in=ids) | Q(from_annotation_id__in=ids))
        # A link whose other end a new version orphaned is not current evidence: it waits for a re-attach.
        .filter(_CURRENT_FROM, _CURRENT_TO)
        .select_related(
            "type", "created_by", "reviewed_by", "to_source",
            *(f"from_annotation__{m}" for m in _MARK), "from_annotation__span",
            *(f"to_annotation__{m}" for m in _MARK), "to_annotation__span",
        )
        .defer(*(f"{end}__{field}" for end in ("from_annotation", "to_annotation") for field in _NO_TEXT), "to_source__full_text")
        .order_by("type__order", "created_at", "id")
    ) if ids else []
    quotation_ids = [link.to_annotation_id for link in links if link.type.key == linklib.QUOTES and link.to_annotation_id]
    attributions, citations = [], {}
    if quotation_ids:
        attributions = list(
            Link.objects.filter(from_annotation_id__in=quotation_ids, type__key=linklib.ATTRIBUTED_TO)
            .select_related("type", "to_source", "to_annotation__span")
            .defer("to_source__full_text")
            .order_by("created_at", "id")
        )
        for citation in Citation.objects.filter(annotation_id__in=quotation_ids).select_related("source").defer("source__full_text").order_by("id"):
            citations.setdefault(citation.annotation_id, []).append(citation)
    return linklib.build_map(claims, links, attributions, citations)


@login_required
@require_GET
def document_map(request, document_id):
    document, membership = document_for(request.user, document_id, text=False)
    items, summary = _page(request, _claims({"span__document": document}), document.project_id)
    context = {
        "project": document.project, "membership": membership, "document": document,
        "groups": [(document, items)], "summary": summary,
    }
    return render(request, "annotator/argument_map.html", context)


@login_required
@require_GET
def project_map(request, project_id):
    project, membership = project_for(request.user, project_id)
    items, summary = _page(request, _claims({"span__document__project": project}), project.pk)
    groups = [(doc, list(group)) for doc, group in groupby(items, key=lambda i: i.claim.span.document)]
    context = {"project": project, "membership": membership, "document": None, "groups": groups, "summary": summary}
    return render(request, "annotator/argument_map.html", context)
