"""The pages' reads that are more than a QuerySet method: a page of the list of marks, what changed since a
revision, a mark's links as its panel reads them, the link types' rules, the review queue, the marks to link to.

Each is written once here and used by every page, export or service that needs it; the simple reads are methods of
the models' QuerySets (`Annotation.objects.current()`, `.with_context()`, `.for_list()`, ...). Nothing here writes.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, Count, Exists, F, Func, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Substr
from django.utils import timezone
from rapidfuzz import fuzz

from . import bibliography
from . import links as linklib
from . import text as textlib
from .models import (
    Annotation,
    Assignment,
    Change,
    Citation,
    ClaimVerdict,
    Document,
    DocumentVersion,
    Label,
    Link,
    LinkType,
    Membership,
    Placement,
    ProgressSnapshot,
    Rating,
    Role,
    Source,
    Status,
)
from .search import backends as search_backends
from .search.terms import WORD, fold
from .services.sources import SOURCE_FIELDS

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
        Annotation.objects.current()
        .filter(span__document__project=project)
        .values("span__document_id", "label_id", "status")
        .annotate(n=Count("id"))
    )
    table: dict[int, dict[str, Any]]  # {document id: {"labels": {label id: n}, "status": {status: n}, "total": n}}
    table = {
        d.pk: {"labels": {lb.pk: 0 for lb in labels}, "status": dict.fromkeys(Status.values, 0), "total": 0}
        for d in documents
    }
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
        return cls(
            annotation.pk,
            span.pk,
            span.start,
            span.end,
            annotation.label_id,
            annotation.label.name,
            annotation.created_by.get_username(),
        )


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
    for placement in Placement.objects.filter(version=later).select_related(
        "annotation__label", "annotation__created_by"
    ):
        mark = placement.annotation
        where = (placement.old_start, placement.old_end)
        if mark is None:
            marks.append(BlockMark(0, where, *where, 0, "Deleted mark", "someone"))
        else:
            marks.append(
                BlockMark(mark.pk, where, *where, mark.label_id, mark.label.name, mark.created_by.get_username())
            )
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
    return (
        Annotation.objects.orphaned(document)
        .select_related("span", "label", "created_by")
        .order_by("span__start", "id")
    )


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
        Annotation.objects.filter(span_id=annotation.span_id)
        .exclude(pk=annotation.pk)
        .select_related("label", "created_by")
        .order_by("id")
    )


def same_claims(annotation: Annotation, claims: list[int]):
    """The other appearances of a claim: the claims joined to it as the same claim (issue 24), in text order of
    their documents."""
    others = [pk for pk in claims if pk != annotation.pk]
    if not others:
        return []
    return list(
        Annotation.objects.filter(pk__in=others)
        .select_related("span__document", "label")
        .defer("span__document__text")
        .order_by("span__document__title", "span__start", "id")
    )


@dataclass
class Evidence:
    """A mark that supports or refutes a claim, with the link's verb and the mark's citations."""

    link: Link
    mark: Annotation
    citations: list


def evidence_of(claims: list[int]) -> list[Evidence]:
    """The marks linked as supporting or refuting any of these claims (links not rejected), with their sources and
    locators: what a fact-check page shows. Three queries."""
    links = list(
        Link.objects.filter(to_annotation_id__in=claims, type__key__in=[linklib.SUPPORTS, linklib.REFUTES])
        .exclude(status=Status.REJECTED)
        .select_related("type", "from_annotation__span__document", "from_annotation__label")
        .defer("from_annotation__span__document__text")
        .order_by("type__order", "from_annotation__span__document__title", "from_annotation__span__start", "id")
    )
    citations: dict[int, list] = {}
    rows = Citation.objects.filter(annotation_id__in={link.from_annotation_id for link in links})
    for citation in rows.select_related("source").defer("source__full_text").order_by("id"):
        citations.setdefault(citation.annotation_id, []).append(citation)
    return [Evidence(link, link.from_annotation, citations.get(link.from_annotation_id, [])) for link in links]


def claim_edges(project_id: int) -> dict[int, set[int]]:
    """The project's "is the same claim as" links that were not rejected, as each claim's neighbours. One query (a
    project has few of them beside its marks)."""
    edges: dict[int, set[int]] = {}
    rows = Link.objects.filter(project_id=project_id, type__key=linklib.SAME_AS, to_annotation__isnull=False)
    for a, b in rows.exclude(status=Status.REJECTED).values_list("from_annotation_id", "to_annotation_id"):
        edges.setdefault(a, set()).add(b)
        edges.setdefault(b, set()).add(a)
    return edges


def joined(edges: dict[int, set[int]], annotation_id: int) -> list[int]:
    """The claim and every claim joined to it by the edges, directly or through others: its own id first."""
    found, frontier = [annotation_id], [annotation_id]
    while frontier:
        step = sorted({other for pk in frontier for other in edges.get(pk, ()) if other not in found})
        found.extend(step)
        frontier = step
    return found


@dataclass
class VerdictEvent:
    """One change of a verdict, as its history has it: who, when, and what in words."""

    who: str
    when: datetime.datetime
    what: str


def verdict_history(verdict: ClaimVerdict, limit: int = 50) -> list[VerdictEvent]:
    """A verdict's changes, oldest first (django-simple-history's records): given, changed (the rating named),
    accepted, rejected, sent back to pending. Two queries."""
    records = list(verdict.history.select_related("history_user").order_by("history_date", "history_id")[:limit])
    names = dict(Rating.objects.filter(pk__in={r.rating_id for r in records}).values_list("pk", "name"))
    events, before = [], None
    for record in records:
        if before is None:
            what = f"gave the verdict “{names.get(record.rating_id, '?')}”"
        elif record.status != before.status and record.status != Status.PENDING:
            what = f"{record.status} it" + (f": {record.review_note}" if record.review_note else "")
        elif record.rating_id != before.rating_id:
            what = f"changed the rating to “{names.get(record.rating_id, '?')}”"
        elif record.status != before.status:
            what = "sent it back to review"
        else:
            what = "changed its summary, explanation or claimant"
        who = record.history_user.get_username() if record.history_user else "(the system)"
        events.append(VerdictEvent(who, record.history_date, what))
        before = record
    return events


# Words too common to tell claims apart (English, the desk's language so far); the others are looked for.
COMMON_WORDS = frozenset(
    "the a an and or but of to in on at by for with from as is are was were be been being it its this that these "
    "those there their they them he she his her we our you your not no than then so such into over under about "
    "has have had do does did will would can could should may might must more most very also just only".split()
)
SIMILAR_WORDS = 8  # the longest words of a claim asked for
SIMILAR_CANDIDATES = 40  # the best-ranked matches compared closely
SIMILAR_SHOWN = 5
SIMILAR_SCORE = 60  # rapidfuzz's token set ratio (0-100) a claim needs to be offered


@dataclass
class SimilarClaim:
    """A claim of the project with words like another's, how alike (0-100), and the verdict it has or shares."""

    annotation: Annotation
    score: float
    verdict: ClaimVerdict | None


def claim_words(text: str) -> list[str]:
    """The words of a claim to look for (folded, as the index holds them): the longest uncommon ones."""
    words = dict.fromkeys(w for w in WORD.findall(fold(text)) if len(w) > 2 and w not in COMMON_WORDS)
    return sorted(words, key=lambda w: (-len(w), w))[:SIMILAR_WORDS]


def similar_claims(annotation: Annotation, edges: dict[int, set[int]]) -> list[SimilarClaim]:
    """Other claims of the project with words like this claim's ("Already checked?", issue 24), not already joined to
    it as the same claim, the most alike first, with their verdicts. The search index finds candidates (any of the
    claim's words); rapidfuzz compares each with the claim. Four queries, however many claims the project holds."""
    project_id = annotation.span.document.project_id
    words = claim_words(annotation.span.exact)
    ranked = search_backends.marks_with_any(
        words, project_id=project_id, label_id=annotation.label_id, limit=SIMILAR_CANDIDATES
    )
    joined_here = set(joined(edges, annotation.pk))
    ids = [pk for pk, _ in ranked if pk not in joined_here]
    if not ids:
        return []
    marks = (
        Annotation.objects.filter(pk__in=ids).select_related("span__document", "label").defer("span__document__text")
    )
    mine = fold(annotation.span.exact)
    scored = [(fuzz.token_set_ratio(mine, fold(m.span.exact)), m) for m in marks]
    best = sorted((x for x in scored if x[0] >= SIMILAR_SCORE), key=lambda x: (-x[0], x[1].pk))[:SIMILAR_SHOWN]
    groups = {m.pk: joined(edges, m.pk) for _, m in best}
    everyone = {pk for group in groups.values() for pk in group}
    verdicts = {
        v.annotation_id: v for v in ClaimVerdict.objects.filter(annotation_id__in=everyone).select_related("rating")
    }

    def shared(group):  # the oldest verdict of the group, as verdict_of says
        return min((verdicts[pk] for pk in group if pk in verdicts), key=lambda v: v.pk, default=None)

    return [SimilarClaim(m, score, shared(groups[m.pk])) for score, m in best]


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
            "type",
            "created_by",
            "reviewed_by",
            "to_source",
            "from_annotation__span__document",
            "from_annotation__label",
            "to_annotation__span__document",
            "to_annotation__label",
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
                t.name,
                frozenset(lb.pk for lb in t.from_labels.all()),
                frozenset(lb.pk for lb in t.to_labels.all()),
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
        Annotation.objects.current()
        .filter(span__document__project_id=annotation.span.document.project_id)
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
    return (
        Annotation.objects.with_context()
        .prefetch_related(
            Prefetch("citations", queryset=Citation.objects.select_related("source").defer("source__full_text"))
        )
        .filter(pk=annotation_id)
        .first()
    )


# The argument map -----------------------------------------------------------------------------------------

_MAP_MARK = ("span__document", "label", "created_by")
# Claims per page of a map. A project of 100,000 marks has some 33,000 claims: drawn at once, 23 MB and 15 s.
MAP_PAGE = 200
# A link counts while both its ends are marks of their documents' current text (or it points at no mark).
_CURRENT_FROM = Q(from_annotation__span__version=F("from_annotation__span__document__version"))
_CURRENT_TO = Q(to_annotation__isnull=True) | Q(
    to_annotation__span__version=F("to_annotation__span__document__version")
)


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
        _CURRENT_FROM,
        project_id=project_id,
        type__key__in=[linklib.SUPPORTS, linklib.REFUTES],
        to_annotation=OuterRef("pk"),
    )
    figures = claims.annotate(evidenced=Exists(evidence)).aggregate(
        claims=Count("id"),
        without_evidence=Count("id", filter=Q(evidenced=False)),
    )
    bearing = Link.objects.filter(_CURRENT_FROM, _CURRENT_TO, project_id=project_id).filter(
        Q(type__key__in=[linklib.SUPPORTS, linklib.REFUTES], to_annotation__in=claims)
        | Q(type__key=linklib.QUOTES, from_annotation__in=claims, to_annotation__isnull=False)
    )
    figures.update(
        bearing.aggregate(
            **{status: Count("id", filter=Q(status=status)) for status in ("accepted", "pending", "rejected")}
        )
    )
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
        claims.with_document()
        .select_related("label", "created_by")
        .order_by("span__document__title", "span__document_id", "span__start", "id")[first : first + MAP_PAGE]
    )
    summary.update(
        page=number,
        pages=pages,
        first=first + 1,
        last=first + len(shown),
        previous=number - 1 if number > 1 else None,
        next=number + 1 if number < pages else None,
    )
    return _map_items(shown, project_id), summary


def _map_items(claims: list, project_id: int) -> list[linklib.ClaimItem]:
    """The claims given, each with the links that bear on it, their attributions and citations. Four queries."""
    ids = [c.pk for c in claims]
    links = (
        list(
            Link.objects.filter(project_id=project_id)
            .filter(Q(to_annotation_id__in=ids) | Q(from_annotation_id__in=ids))
            # A link whose other end a new version orphaned is not current evidence: it waits for a re-attach.
            .filter(_CURRENT_FROM, _CURRENT_TO)
            .select_related(
                "type",
                "created_by",
                "reviewed_by",
                "to_source",
                *(f"from_annotation__{m}" for m in _MAP_MARK),
                "from_annotation__span",
                *(f"to_annotation__{m}" for m in _MAP_MARK),
                "to_annotation__span",
            )
            .defer(*_NO_TEXT, "to_source__full_text")
            .order_by("type__order", "created_at", "id")
        )
        if ids
        else []
    )
    quotation_ids = [
        link.to_annotation_id for link in links if link.type.key == linklib.QUOTES and link.to_annotation_id
    ]
    attributions: list[Link] = []
    citations: dict[int, list[Citation]] = {}
    if quotation_ids:
        attributions = list(
            Link.objects.filter(from_annotation_id__in=quotation_ids, type__key=linklib.ATTRIBUTED_TO)
            .select_related("type", "to_source", "to_annotation__span")
            .defer("to_source__full_text")
            .order_by("created_at", "id")
        )
        for citation in (
            Citation.objects.filter(annotation_id__in=quotation_ids)
            .select_related("source")
            .defer("source__full_text")
            .order_by("id")
        ):
            citations.setdefault(citation.annotation_id, []).append(citation)
    return linklib.build_map(claims, links, attributions, citations)


# Sources --------------------------------------------------------------------------------------------------


def search_sources(queryset, q: str):
    """Sources matching q in title, names, year (the first of a range; '334 BC'), DOI or container."""
    q = textlib.search_terms(q)
    if not q:
        return queryset
    found = Q(title__icontains=q) | Q(author_names__icontains=q) | Q(doi__icontains=q) | Q(container_title__icontains=q)
    year = re.fullmatch(r"(\d{1,4})(\s*BC)?", q, re.IGNORECASE)
    if year:
        found |= Q(**{"issued__date-parts__0__0": -int(year.group(1)) if year.group(2) else int(year.group(1))})
    return queryset.filter(found)


# Running a team (issue 20): My work and the progress dashboard ------------------------------------------------


def my_work(user) -> dict:
    """A member's work across their projects (archived ones left out): the documents assigned to them, with how many
    marks they made there, and per project where they review, the marks waiting for their review. Three queries."""
    mine = Annotation.objects.current().filter(span__document=OuterRef("document"), created_by=user)
    waiting = (
        Annotation.objects.current()
        .filter(span__document=OuterRef("document"), status=Status.PENDING)
        .exclude(created_by=user)
    )
    assignments = list(
        Assignment.objects.filter(
            user=user, document__project__archived_at__isnull=True, document__project__memberships__user=user
        )
        .select_related("document__project")
        .defer("document__text")
        .annotate(my_marks=_count_of_rows(mine), pending=_count_of_rows(waiting))
        .order_by("document__project__name", "document__title", "task")
    )
    reviewing = list(
        Membership.objects.filter(user=user, role__in=[Role.REVIEWER, Role.MANAGER], project__archived_at__isnull=True)
        .select_related("project")
        .order_by("project__name")
    )
    pending = (
        dict(
            Annotation.objects.current()
            .filter(status=Status.PENDING, span__document__project__in=[m.project_id for m in reviewing])
            .exclude(created_by=user)
            .order_by()
            .values_list("span__document__project")
            .annotate(n=Count("id"))
        )
        if reviewing
        else {}
    )
    return {
        "assignments": assignments,
        "reviews": [{"project": m.project, "pending": pending.get(m.project_id, 0)} for m in reviewing],
    }


def _count_of_rows(rows):
    return Coalesce(Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0)


@dataclass
class Tally:
    """Marks counted by label and by review state: a row of the dashboard."""

    labels: dict
    accepted: int = 0
    rejected: int = 0
    pending: int = 0
    by_label_list: list = field(default_factory=list)  # the counts in the order of the project's labels

    @property
    def total(self) -> int:
        return self.accepted + self.rejected + self.pending

    def add(self, label_id: int, status: str, n: int) -> None:
        self.labels[label_id] = self.labels.get(label_id, 0) + n
        setattr(self, status, getattr(self, status) + n)

    def by_label(self, labels) -> list[int]:
        return [self.labels.get(label.pk, 0) for label in labels]

    @property
    def bar(self) -> list[dict]:
        """The progress bar's segments on a scale of 100: accepted, rejected, pending, each where the last ended."""
        total, x, segments = self.total, 0.0, []
        for state in REVIEW_STATES:
            width = 100 * getattr(self, state) / total if total else 0
            if width:
                segments.append({"state": state, "x": f"{x:.2f}", "width": f"{width:.2f}"})
            x += width
        return segments


REVIEW_STATES = ("accepted", "rejected", "pending")


def progress(project, *, days: int = 30) -> dict:
    """The progress dashboard: per document and per editor, the marks of the current texts by label and review state,
    each document's assignments and whether they are done; and marks of the current texts made per day (UTC) over
    the last `days` days. Five queries, whatever the project's size."""

    labels = list(Label.objects.filter(project=project))
    documents = list(
        Document.objects.filter(project=project)
        .only("id", "title", "project_id", "revision", "version")
        .order_by("title", "id")
    )
    by_document = {d.pk: Tally({}) for d in documents}
    by_editor: dict[int, Tally] = {}
    today = timezone.now().date()  # days in UTC, as the database stores times
    first = today - datetime.timedelta(days=days - 1)
    since = datetime.datetime.combine(first, datetime.time.min, tzinfo=datetime.UTC)
    # One pass over the marks (index annotation_tally covers it): grouped by document, editor, label, review state and,
    # for the last `days` days, the day they were made (the first ten characters of the time as the database writes
    # it, in UTC: no per-row date function, which SQLite would run in Python).
    day = Case(When(created_at__gte=since, then=Substr(Cast("created_at", CharField()), 1, 10)), default=Value(""))
    counts = _tally_rows(project, documents, day=day, today=today)
    made: dict[str, int] = {}
    for document_id, editor_id, label_id, status, day_made, n in counts:
        by_document[document_id].add(label_id, status, n)
        by_editor.setdefault(editor_id, Tally({})).add(label_id, status, n)
        if day_made:
            made[day_made] = made.get(day_made, 0) + n
    assignments: dict[int, list] = {}
    listed = Assignment.objects.filter(document__project=project).select_related("user")
    for assignment in listed.order_by("task", "user__username"):
        assignments.setdefault(assignment.document_id, []).append(assignment)
    names = dict(get_user_model().objects.filter(pk__in=by_editor).values_list("pk", "username")) if by_editor else {}
    dates = [first + datetime.timedelta(days=i) for i in range(days)]
    per_day = [(d, made.get(d.isoformat(), 0)) for d in dates]
    document_rows = []
    for document in documents:
        tasks = assignments.get(document.pk, [])
        annotating = [a for a in tasks if a.task == Assignment.Task.ANNOTATE]
        document_rows.append(
            {
                "document": document,
                "tally": by_document[document.pk],
                "assignments": tasks,
                "done": bool(annotating) and all(a.progress == Assignment.Progress.DONE for a in annotating),
            }
        )
    editor_rows = sorted(
        ({"name": names.get(pk, "?"), "tally": tally} for pk, tally in by_editor.items()),
        key=lambda row: str(row["name"]),
    )
    whole = Tally({})
    for tally in by_document.values():
        for label_id, n in tally.labels.items():
            whole.labels[label_id] = whole.labels.get(label_id, 0) + n
        whole.accepted, whole.rejected, whole.pending = (
            whole.accepted + tally.accepted,
            whole.rejected + tally.rejected,
            whole.pending + tally.pending,
        )
    for tally in [whole, *by_document.values(), *by_editor.values()]:
        tally.by_label_list = tally.by_label(labels)
    return {
        "chart": _day_chart(per_day),
        "labels": labels,
        "documents": document_rows,
        "editors": editor_rows,
        "whole": whole,
        "per_day": per_day,
        "day_max": max((n for _, n in per_day), default=0),
        "done": sum(1 for row in document_rows if row["done"]),
    }


def _day_chart(per_day: list, *, height: int = 120, bar: int = 14, gap: int = 4, left: int = 30) -> dict:
    """The marks-per-day chart's geometry: one bar per day, the tallest the full height, a date under every 7th."""
    top = max((n for _, n in per_day), default=0) or 1
    base = height - 16
    bars = []
    for i, (day, n) in enumerate(per_day):
        h = round((base - 4) * n / top, 1)
        bars.append(
            {
                "day": day,
                "n": n,
                "x": left + i * (bar + gap),
                "y": base - h,
                "width": bar,
                "height": h,
                "label": i % 7 == 0,
            }
        )
    return {"width": left + len(per_day) * (bar + gap), "height": height, "base": base, "bars": bars}


def deleted_marks(document, *, limit: int = 50) -> list[dict]:
    """The document's deleted marks, newest deletion first, as their last history record has them (with the words
    they were on): what its *Deleted marks* list offers to restore. Three queries."""
    prefix = f"deleted from document {document.pk} version "
    records = (
        Annotation.history.filter(history_type="-", history_change_reason__startswith=prefix)
        .exclude(Exists(Annotation.objects.filter(pk=OuterRef("id"))))
        .select_related("label", "history_user", "created_by")
        .order_by("-history_date", "-history_id")[: 2 * limit]
    )
    rows, seen = [], set()
    for record in records:
        if record.id in seen:
            continue
        seen.add(record.id)
        version, _, place = record.history_change_reason[len(prefix) :].partition(" at ")
        start, _, end = place.partition("-")
        rows.append({"record": record, "version": int(version), "start": int(start), "end": int(end)})
    rows = rows[:limit]
    texts = DocumentVersion.objects.texts_of(document.pk, {r["version"] for r in rows}) if rows else {}
    for row in rows:
        row["exact"] = texts.get(row["version"], "")[row["start"] : row["end"]]
    return rows


def _tally_rows(project, documents, *, day, today) -> list:
    """The dashboard's grouped counts: from the project's snapshot while no document's marks changed since it was
    made (every change to a mark bumps its document's revision) and the day is the same, else counted and kept."""
    seen = ",".join(f"{d.pk}:{d.revision}:{d.version}" for d in sorted(documents, key=lambda d: d.pk))
    key = hashlib.sha256(f"{today.isoformat()}|{seen}".encode()).hexdigest()
    snapshot = ProgressSnapshot.objects.filter(project=project).values_list("key", "rows").first()
    if snapshot is not None and snapshot[0] == key:
        return snapshot[1]
    rows = [
        list(row)
        for row in Annotation.objects.current()
        .filter(span__document__project=project)
        .order_by()
        .annotate(day=day)
        .values_list("span__document_id", "created_by_id", "label_id", "status", "day")
        .annotate(n=Count("id"))
    ]
    # A memo of a read, not data: the same counts, read again when the key moves on.
    ProgressSnapshot.objects.update_or_create(project=project, defaults={"key": key, "rows": rows})
    return rows


# The API (issue 23) -----------------------------------------------------------------------------------------------

COMPACT_CHUNK = 2000


def compact_marks(document: Document, number: int):
    """Every mark of that version of the document's text, in text order, as (id, start, end, exact, label key,
    author's username, status, [source ids]). Two queries: the citations' (mark, source) pairs first (ids only: a
    few bytes a citation), then the marks COMPACT_CHUNK rows at a time (a server-side cursor on PostgreSQL), so
    memory stays flat however many marks there are. (Citations by chunk, as `annotation_id IN (2,000 ids)`, cost
    70 ms of the 10,000 marks' 100: Django prepares each id of the list.)"""
    sources: dict[int, list[int]] = {}
    cited = Citation.objects.filter(annotation__span__document=document, annotation__span__version=number)
    for annotation_id, source_id in cited.order_by("annotation_id", "id").values_list("annotation_id", "source_id"):
        sources.setdefault(annotation_id, []).append(source_id)
    rows = (
        Annotation.objects.of_version(document, number)
        .in_text_order()
        .values_list("id", "span__start", "span__end", "span__exact", "label__key", "created_by__username", "status")
        .iterator(chunk_size=COMPACT_CHUNK)
    )
    for row in rows:
        yield (*row, sources.get(row[0], []))


def csl_items(sources) -> list[dict]:
    """Sources as CSL-JSON items ("id": "source-<pk>"), in id order: the bibliography's export and the API's."""
    return [csl_item(source) for source in sources.defer("full_text").order_by("pk")]


def csl_item(source) -> dict:
    """One source as a CSL-JSON item ("id": "source-<pk>")."""
    return bibliography.to_csl({f: getattr(source, f) for f in SOURCE_FIELDS}, f"source-{source.pk}")
