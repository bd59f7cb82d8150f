"""The pages' reads that are more than a QuerySet method: a page of the list of marks, what changed since a
revision, a mark's links as its panel reads them, the link types' rules, the review queue, the marks to link to.

Each is written once here and used by every page, export or service that needs it; the simple reads are methods of
the models' QuerySets (`Annotation.objects.current()`, `.with_context()`, `.for_list()`, ...). Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q

from . import links as linklib
from . import text as textlib
from .models import (
    Annotation, Change, Citation, Document, DocumentVersion, Label, Link, LinkType, Placement, Source, Status,
)

# Past this many changes since a page's revision, the page is redrawn whole rather than block by block.
MAX_CHANGES_FOR_PARTIAL_REDRAW = 200
# Marks per page of the document page's list.
LIST_PAGE = 40


def merge_ranges(ranges) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching [start, end) ranges joined."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def project_authors(project):
    """Members of the project, for the author filters."""
    return get_user_model().objects.filter(memberships__project=project).order_by("username")


# A project's documents -----------------------------------------------------------------------------------


def document_rows(project, labels) -> list[dict]:
    """The project page's table: each document with its marks of the current text counted by label and by review
    state. Two queries, whatever the number of marks."""
    documents = list(Document.objects.filter(project=project).only("id", "title", "origin", "created_at", "project_id"))
    counts = (
        Annotation.objects.current().filter(span__document__project=project)
        .values("span__document_id", "label_id", "status")
        .annotate(n=Count("id"))
    )
    table: dict[int, dict[str, Any]]  # {document id: {"labels": {label id: n}, "status": {status: n}, "total": n}}
    table = {d.pk: {"labels": {lb.pk: 0 for lb in labels}, "status": {s: 0 for s in Status.values}, "total": 0} for d in documents}
    for row in counts:
        entry = table[row["span__document_id"]]
        entry["labels"][row["label_id"]] += row["n"]
        entry["status"][row["status"]] += row["n"]
        entry["total"] += row["n"]
    return [
        {
            "document": d,
            "label_counts": [table[d.pk]["labels"][lb.pk] for lb in labels],
            "status_counts": [table[d.pk]["status"][s] for s in Status.values],
            "total": table[d.pk]["total"],
        }
        for d in documents
    ]


# The marks the text shows ------------------------------------------------------------------------------


class BlockMark(NamedTuple):
    """What a marked piece of the text shows of a mark."""

    pk: int
    span_id: object  # what tells its span from the others: the span's id, or its offsets
    start: int
    end: int
    label_id: int
    label_name: str
    author: str

    @classmethod
    def of(cls, annotation: Annotation) -> BlockMark:
        span = annotation.span
        return cls(annotation.pk, span.pk, span.start, span.end, annotation.label_id, annotation.label.name,
                   annotation.created_by.get_username())


def block_marks(document: Document, ranges) -> list[BlockMark]:
    """The marks the pieces of these stretches of the current text show: one query, plain values."""
    return [BlockMark(*row) for row in Annotation.objects.overlapping(document, merge_ranges(ranges)).for_blocks()]


def marks_in(document: Document, ranges) -> list[Annotation]:
    """The marks of the current text overlapping any of the [start, end) ranges, with what a list entry shows of
    them (list fields), in text order: one query."""
    return list(Annotation.objects.overlapping(document, merge_ranges(ranges)).for_list().in_text_order())


def marks_of_version(version: DocumentVersion) -> list[BlockMark]:
    """The marks of an earlier version of a text where they were on it, as the report of the next version has them
    (a mark deleted since shows as such)."""
    later = DocumentVersion.objects.filter(document_id=version.document_id, number=version.number + 1).first()
    if later is None:
        return []
    marks = []
    for placement in Placement.objects.filter(version=later).select_related("annotation__label", "annotation__created_by"):
        mark = placement.annotation
        where = (placement.old_start, placement.old_end)
        if mark is None:
            marks.append(BlockMark(0, where, *where, 0, "Deleted mark", "someone"))
        else:
            marks.append(BlockMark(mark.pk, where, *where, mark.label_id, mark.label.name, mark.created_by.get_username()))
    return marks


# The document page's list and changes -------------------------------------------------------------------


def list_page(document: Document, filters: dict, after: tuple[int, int, int] | None = None):
    """One page of the list of marks, in text order, after the entry `after` (start, end, id).

    Returns the entries (with their list fields) and the key to ask for the next page with (None on the last page).
    One query, read in index order: it stops at the page's last entry.
    """
    marks = Annotation.objects.current(document).in_text_order().filter(**filters)
    if after is not None:
        start, end, pk = after
        marks = marks.filter(
            Q(span__start__gt=start)
            | Q(span__start=start, span__end__gt=end)
            | Q(span__start=start, span__end=end, id__gt=pk)
        )
    entries = list(marks.for_list()[: LIST_PAGE + 1])
    if len(entries) <= LIST_PAGE:
        return entries, None
    entries = entries[:LIST_PAGE]
    last = entries[-1]
    return entries, (last.span.start, last.span.end, last.pk)


def orphans_of(document: Document):
    """Marks an earlier version carried nowhere, with what the list shows of them: they wait to be re-attached."""
    return Annotation.objects.orphaned(document).select_related("span", "label", "created_by").order_by("span__start", "id")


def changes_since(document: Document, since: int) -> tuple[int, bool, list[tuple[int, int]] | None]:
    """What changed after revision `since`: the revision now, whether a new version of the text came (the page must
    reload), and the regions of the text the changes touched, joined (None: too many to go through one by one).
    Every revision has its Change row, so one query says all three."""
    changes = list(
        Change.objects.filter(document=document, revision__gt=since)
        .order_by("-revision")
        .values_list("revision", "start", "end", "text_changed")[: MAX_CHANGES_FOR_PARTIAL_REDRAW + 1]
    )
    revision = changes[0][0] if changes else since
    if len(changes) > MAX_CHANGES_FOR_PARTIAL_REDRAW:
        text_changed = Change.objects.filter(document=document, revision__gt=since, text_changed=True).exists()
        return revision, text_changed, None
    text_changed = any(changed for *_, changed in changes)
    return revision, text_changed, merge_ranges((start, end) for _, start, end, _ in changes)


# A mark's panel -------------------------------------------------------------------------------------------


def same_span(annotation: Annotation):
    """The other editors' marks on exactly this text."""
    return (
        Annotation.objects.filter(span_id=annotation.span_id).exclude(pk=annotation.pk)
        .select_related("label", "created_by").order_by("id")
    )


def citations_of(annotation: Annotation):
    """A mark's citations with their sources, without the sources' texts (the stored checks say what is needed)."""
    return annotation.citations.select_related("source").defer("source__full_text").order_by("id")


@dataclass
class PanelLink:
    """A link as one of its marks' panel reads it: the verb from this side, and what is at the other end."""

    link: Link
    verb: str
    other: Annotation | None  # the mark at the other end, if it is a mark
    other_text: str  # a source's title or a speaker's name otherwise
    outgoing: bool


# Rows that bring both marks' documents leave out their texts: each row would hold its own copy.
_NO_TEXT = ("from_annotation__span__document__text", "to_annotation__span__document__text")


def panel_links(annotation: Annotation) -> list[PanelLink]:
    """The mark's links both ways, each read from this mark's side."""
    links = (
        Link.objects.filter(Q(from_annotation=annotation) | Q(to_annotation=annotation))
        .select_related(
            "type", "created_by", "reviewed_by", "to_source",
            "from_annotation__span__document", "from_annotation__label",
            "to_annotation__span__document", "to_annotation__label",
        )
        .defer(*_NO_TEXT, "to_source__full_text")
        .order_by("type__order", "created_at", "id")
    )
    result = []
    for link in links:
        if link.from_annotation_id == annotation.pk:
            text = link.to_source.title if link.to_source is not None else link.speaker
            result.append(PanelLink(link, link.type.name, link.to_annotation, text, True))
        else:
            result.append(PanelLink(link, link.type.inverse_name, link.from_annotation, "", False))
    return result


def link_type_rules(project_id: int) -> list[tuple[int, linklib.TypeRule, str]]:
    """The project's link types as the pure rules read them: (id, rule, inverse name), in the types' order."""
    types = LinkType.objects.filter(project_id=project_id).prefetch_related(
        Prefetch("from_labels", queryset=Label.objects.only("pk")),
        Prefetch("to_labels", queryset=Label.objects.only("pk")),
    )
    return [
        (
            t.pk,
            linklib.TypeRule(
                t.name, frozenset(lb.pk for lb in t.from_labels.all()), frozenset(lb.pk for lb in t.to_labels.all()),
                t.targets,
            ),
            t.inverse_name,
        )
        for t in types
    ]


# Marks to link to -----------------------------------------------------------------------------------------


def link_targets(annotation: Annotation, *, words: str = "", mark_id: int | None = None, limit: int = 15) -> list:
    """Marks of the annotation's project another mark may link to: the one named, or those whose text or note holds
    the words (any document of the project), the mark itself left out."""
    marks = (
        Annotation.objects.current().filter(span__document__project_id=annotation.span.document.project_id)
        .exclude(pk=annotation.pk)
        .with_document()
        .select_related("label", "created_by")
        .order_by("span__document__title", "span__start", "id")
    )
    if mark_id is not None:
        return list(marks.filter(pk=mark_id))
    words = textlib.search_terms(words)
    if not words:
        return []
    return list(marks.filter(Q(span__exact__icontains=words) | Q(note__icontains=words))[:limit])


# The review queue -----------------------------------------------------------------------------------------


def pending_queue(project, user, filters: dict):
    """The project's pending marks that `user` may review (not their own), oldest first, with span, label, author and
    sources. Marks without a place in the current text wait to be re-attached first."""
    return (
        Annotation.objects.filter(span__document__project=project, status=Status.PENDING, **filters)
        .exclude(created_by=user)
        .exclude(placement="orphaned")
        .with_document()
        .select_related("label", "created_by")
        .prefetch_related(Prefetch("citations__source", queryset=Source.objects.defer("full_text")))
        .order_by("created_at", "id")
    )


def queue_item(annotation_id: int):
    """A mark as the review queue shows it, or None when it is gone."""
    return Annotation.objects.with_context().prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source").defer("source__full_text"))
    ).filter(pk=annotation_id).first()


# The argument map -----------------------------------------------------------------------------------------

_MAP_MARK = ("span__document", "label", "created_by")
# Claims per page of a map. A project of 100,000 marks has some 33,000 claims: drawn at once, 23 MB and 15 s.
MAP_PAGE = 200
# A link counts while both its ends are marks of their documents' current text (or it points at no mark).
_CURRENT_FROM = Q(from_annotation__span__version=F("from_annotation__span__document__version"))
_CURRENT_TO = Q(to_annotation__isnull=True) | Q(to_annotation__span__version=F("to_annotation__span__document__version"))




def page_of(total: int, asked: str | None, size: int) -> tuple[int, int]:
    """(the page number to show, the number of pages) for `total` items, from the page asked for; a page out of
    range or no number shows the nearest one."""
    pages = max(1, -(-total // size))
    try:
        number = int(asked or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), pages), pages


def _map_summary(claims, project_id: int) -> dict:
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


def argument_map(claims_filter: dict, project_id: int, asked: str | None) -> tuple[list[linklib.ClaimItem], dict]:
    """The claims (of the current texts, passing `claims_filter`) of the page asked for, each with what bears on it,
    and the figures and pages of the whole map. A fixed number of queries however many claims; the grouping is
    links.build_map (pure)."""
    claims = Annotation.objects.current().filter(label__key="claim", **claims_filter)
    summary = _map_summary(claims, project_id)
    number, pages = page_of(summary["claims"], asked, MAP_PAGE)
    first = (number - 1) * MAP_PAGE
    shown = list(
        claims.with_document().select_related("label", "created_by")
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
            *(f"from_annotation__{m}" for m in _MAP_MARK), "from_annotation__span",
            *(f"to_annotation__{m}" for m in _MAP_MARK), "to_annotation__span",
        )
        .defer(*_NO_TEXT, "to_source__full_text")
        .order_by("type__order", "created_at", "id")
    ) if ids else []
    quotation_ids = [link.to_annotation_id for link in links if link.type.key == linklib.QUOTES and link.to_annotation_id]
    attributions: list[Link] = []
    citations: dict[int, list[Citation]] = {}
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


# Sources --------------------------------------------------------------------------------------------------


def search_sources(queryset, q: str):
    """Sources matching q in title, authors, year, DOI or container."""
    q = textlib.search_terms(q)
    if not q:
        return queryset
    return queryset.filter(
        Q(title__icontains=q) | Q(author_names__icontains=q) | Q(issued__startswith=q) | Q(doi__icontains=q)
        | Q(container_title__icontains=q)
    )
