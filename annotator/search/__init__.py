"""Search: the documents' text, marks, sources and link comments of the projects a user is a member of.

`find(user=…, text=…, project=…, filters=…, page=…)` is the one read: it parses the query (terms.py), asks the
database's backend (backends.py) for the matching entries of the user's projects only, counts the facets, keeps
the filtered ones, and reads one page of results with their excerpts and exact links. The index is written by
services/search_index.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.contrib.auth import get_user_model
from django.urls import reverse

from ..models import Document, Label, Membership, SearchEntry, Source, Status
from ..text import split_blocks
from . import backends
from .terms import Excerpt, Query, QueryError, Term, closest_word, excerpts, parse

__all__ = ["Facet", "Filters", "QueryError", "Result", "Results", "find", "parse"]

PAGE = 20
# At most this many matches are ranked and counted (on SQLite the newest ones): a search for a word on every page
# says "more than".
LIMIT = 2_000
FACETS = ("kind", "label", "status", "author", "document", "source")
_ROW_FIELD = {
    "kind": "kind",
    "label": "label_id",
    "status": "status",
    "author": "author_id",
    "document": "document_id",
    "source": "source_id",
}


@dataclass(frozen=True)
class Filters:
    """What the results are narrowed to: a value per facet (ids as strings, as a form sends them), a date range."""

    kind: str = ""
    label: str = ""
    status: str = ""
    author: str = ""
    document: str = ""
    source: str = ""
    since: date | None = None
    until: date | None = None

    def in_dates(self, row: backends.Match) -> bool:
        made = backends.when(row.created_at)
        if self.since and made < datetime.combine(self.since, time.min, UTC):
            return False
        return not (self.until and made > datetime.combine(self.until, time.max, UTC))

    def chosen(self) -> dict:
        return {name: getattr(self, name) for name in FACETS if getattr(self, name)}


@dataclass(frozen=True)
class FacetValue:
    value: str
    name: str
    count: int
    chosen: bool


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    values: list[FacetValue]


@dataclass
class Result:
    entry: SearchEntry
    kind: str
    heading: str
    url: str
    excerpts: list[tuple[Excerpt, str]]  # each hit in context, with the link to its place
    title_excerpts: list[Excerpt] = field(default_factory=list)


@dataclass
class Results:
    query: Query
    total: int
    capped: bool
    results: list[Result]
    facets: list[Facet]
    page: int
    pages: int
    partial: bool = False  # no whole word matched: these hold the words as parts of words
    suggestion: str = ""  # nothing matched: a query with words spelled alike that finds something ("Did you mean")

    limit: int = LIMIT

    @property
    def first_number(self) -> int:
        return (self.page - 1) * PAGE + 1


def _facet_names(name: str, values: set) -> dict:
    ids = [int(v) for v in values if v is not None and str(v).isdigit()]
    if name == "kind":
        return dict(SearchEntry.Kind.choices)
    if name == "status":
        return dict(Status.choices)
    if name == "label":
        return dict(Label.objects.filter(pk__in=ids).values_list("pk", "name"))
    if name == "author":
        return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
    if name == "document":
        return dict(Document.objects.filter(pk__in=ids).values_list("pk", "title"))
    return dict(Source.objects.filter(pk__in=ids).values_list("pk", "title"))


FACET_TITLES = {
    "kind": "Kind",
    "label": "Label",
    "status": "Review state",
    "author": "Author",
    "document": "Document",
    "source": "Source",
}


def _facets(rows: list[backends.Match], filters: Filters) -> tuple[list[Facet], list[backends.Match]]:
    """Counts per value of each facet, among the rows the other facets' choices (and the dates) keep; and the rows
    every choice keeps. Column by column: a common word matches thousands of rows."""
    chosen = filters.chosen()
    by_field = dict(zip(backends.Match._fields, zip(*rows, strict=True), strict=True)) if rows else {}
    columns = {name: by_field.get(_ROW_FIELD[name], ()) for name in FACETS}
    passes = {name: [str(value) == chosen[name] for value in columns[name]] for name in chosen}
    if filters.since or filters.until:
        passes["dates"] = [filters.in_dates(row) for row in rows]
    out = []
    for name in FACETS:
        others = [flags for other, flags in passes.items() if other != name]
        if others:
            counts = Counter(value for value, *ok in zip(columns[name], *others, strict=True) if all(ok))
        else:
            counts = Counter(columns[name])
        counts.pop(None, None)
        counts.pop("", None)
        if not counts:
            continue
        names = _facet_names(name, set(counts))
        chosen = getattr(filters, name)
        values = [
            FacetValue(str(value), str(names.get(value, value)), count, str(value) == chosen)
            for value, count in counts.most_common(12)
        ]
        out.append(Facet(name, FACET_TITLES[name], values))
    kept = [row for row, *ok in zip(rows, *passes.values(), strict=True) if all(ok)] if passes else rows
    return out, kept


def _document_url(page: str, entry: SearchEntry, excerpt: Excerpt) -> str:
    """The document page (`page`: its address) at the hit: its block (the page's #block-N, counted from the entry's
    first block, cut as the page cuts them) and the hit's offsets, which the page selects."""
    block = entry.block + len(split_blocks(entry.body[: excerpt.start])) - 1
    start, end = entry.start + excerpt.start, entry.start + excerpt.end
    return f"{page}?at={start}-{end}#block-{block}"


def _result(entry: SearchEntry, query: Query) -> Result:
    found = excerpts(entry.body, query.wanted)
    titled = excerpts(entry.title, query.wanted, width=200)
    document, source = entry.document, entry.source
    if entry.kind == SearchEntry.Kind.TEXT and document is not None:
        heading, url = document.title, reverse("document_detail", args=[entry.document_id])
        linked = [(e, _document_url(url, entry, e)) for e in found]
    elif entry.kind == SearchEntry.Kind.SOURCE and source is not None:
        heading, url = source.title, reverse("source_detail", args=[entry.source_id])
        linked = [(e, url) for e in found]
    else:
        heading = document.title if document is not None else ""
        url = reverse("annotation_detail", args=[entry.annotation_id])
        linked = [(e, url) for e in found]
    return Result(entry, entry.kind, heading, url, linked, titled)


# Words looked for again, at most, when nothing matched: each a search of the words' index and one of the trigrams'.
MAX_RESPELLED = 3


def suggestion(query: Query, project_ids: list[int]) -> str:
    """For a query that found nothing: the same query with each word that finds nothing (up to MAX_RESPELLED of them)
    replaced by the word of these projects spelled most like it, when that query finds something; "" otherwise.
    Words come only from these projects' entries: nobody is shown a word of a project they are not in."""
    terms, changed = list(query.terms), False
    for index, term in enumerate(query.terms):
        if index >= MAX_RESPELLED:
            break
        if term.excluded or term.prefix or len(term.words) != 1:
            continue
        if backends.matches(Query((term,)), project_ids, 1):
            continue
        word = term.words[0]
        near = closest_word(word, [f"{title} {body}" for title, body in backends.spelled_alike(word, project_ids)])
        if near:
            terms[index], changed = Term((near,)), True
    respelled = Query(tuple(terms))
    return str(respelled) if changed and backends.matches(respelled, project_ids, 1) else ""


def find(*, user, text: str, project=None, filters: Filters = Filters(), page: int = 1) -> Results:
    """One page of what `user` finds for `text`: in `project` (the caller checked the user is a member) or in every
    project of theirs. Raises QueryError for a query with nothing to look for."""
    query = parse(text)
    if project is not None:
        project_ids = [project.pk]
    else:
        project_ids = list(Membership.objects.filter(user=user).values_list("project_id", flat=True))
    rows = backends.matches(query, project_ids, LIMIT)
    partial = False
    if not rows:
        rows = backends.partial_matches(query, project_ids, LIMIT)
        partial = bool(rows)
    if not rows:
        return Results(query, 0, False, [], [], 1, 1, suggestion=suggestion(query, project_ids))
    facets, kept = _facets(rows, filters)
    pages = max(1, -(-len(kept) // PAGE))
    page = min(max(1, page), pages)
    shown = kept[(page - 1) * PAGE : page * PAGE]
    entries = (
        SearchEntry.objects.filter(pk__in=[row.id for row in shown])
        .select_related("document", "source", "label", "author", "project")
        .defer("document__text", "source__full_text", "vector")
    )
    by_id = {entry.pk: entry for entry in entries}
    shown_query = Query(tuple(Term(t.words, part=True) for t in query.wanted)) if partial else query
    results = [_result(by_id[row.id], shown_query) for row in shown if row.id in by_id]
    return Results(query, len(kept), len(rows) >= LIMIT, results, facets, page, pages, partial)
