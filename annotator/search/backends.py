"""The two ways the index is searched, behind one function: `matches(query, project_ids, limit)`.

SQLite: the FTS5 tables the migration made (words: unicode61 remove_diacritics 2; parts of words: trigram), ranked
by bm25. PostgreSQL: the stored vector with its GIN index, ranked by ts_rank; pg_trgm's index for parts of words.
Both answer the same rows, so facets, paging and excerpts are worked out once, in `annotator.search`.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import NamedTuple

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Cast, Upper
from django.utils.dateparse import parse_datetime

from ..models import SearchEntry
from .terms import Query, Term, trigrams

# Weights of the title (names) and the body (text) in ranking.
TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0


class Match(NamedTuple):
    """One matching entry, with what facets count and filters test; `rank`: higher is better. A tuple: a common
    word makes thousands. `created_at` as the database gives it (see `when`), read only when dates are filtered."""

    id: int
    kind: str
    project_id: int
    label_id: int | None
    status: str
    author_id: int | None
    document_id: int | None
    source_id: int | None
    created_at: object
    rank: float


COLUMNS = ["id", "kind", "project_id", "label_id", "status", "author_id", "document_id", "source_id", "created_at"]
# PostgreSQL's created_at as text, as SQLite gives it: made a datetime (8 µs) only when dates are filtered.
PG_COLUMNS = [*COLUMNS[:-1], "created_text"]
CREATED_TEXT = Cast("created_at", TextField())


# SQLite ---------------------------------------------------------------------------------------------------------


def _fts_string(term: Term) -> str:
    # FTS5 query syntax: a "quoted string" is a phrase of the tokens in it; * after it makes the last a prefix.
    phrase = '"' + " ".join(term.words) + '"'
    return phrase + "*" if term.prefix else phrase


def fts_query(query: Query) -> str:
    """The FTS5 MATCH expression: every wanted term, none of the excluded ones."""
    wanted = " AND ".join(_fts_string(t) for t in query.wanted)
    if query.excluded:
        return f"({wanted}) NOT ({' OR '.join(_fts_string(t) for t in query.excluded)})"
    return wanted


def when(value) -> datetime:
    """A row's created_at as an aware datetime (SQLite gives the text Django stored, in UTC)."""
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    if moment is None:
        raise ValueError(f"Not a date and time: {value!r}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _sqlite(query: Query, project_ids: list[int], limit: int, table: str) -> list[Match]:
    # Plain SQL: the ORM has no word for FTS5's MATCH or bm25(), and joining the entries here counts the facets
    # from the same statement. Every value is a parameter; the table name is one of two constants.
    entries = connection.ops.quote_name(SearchEntry._meta.db_table)
    marks = ", ".join(["%s"] * len(project_ids))
    matching = (
        f"FROM {table} JOIN {entries} e ON e.id = {table}.rowid WHERE {table} MATCH %s AND e.project_id IN ({marks})"
    )
    found: list[float | str | int] = [fts_query(query), *project_ids]
    with connection.cursor() as cursor:
        # FTS5 works out bm25 for every match before it sorts: tens of thousands for a common word, ~5 µs each. Past
        # `limit` matches only the newest `limit` are ranked (FTS5 walks its matches by rowid fast): the first
        # statement finds where they begin.
        cursor.execute(
            f"SELECT {table}.rowid {matching} ORDER BY {table}.rowid DESC LIMIT 1 OFFSET %s", [*found, limit - 1]
        )
        floor = cursor.fetchone()
        cursor.execute(
            f"SELECT {', '.join('e.' + c for c in COLUMNS)}, bm25({table}, %s, %s) {matching} "
            f"AND {table}.rowid >= %s ORDER BY bm25({table}, %s, %s) LIMIT %s",
            [TITLE_WEIGHT, BODY_WEIGHT, *found, floor[0] if floor else 0, TITLE_WEIGHT, BODY_WEIGHT, limit],
        )
        return [Match._make((*row[:9], -row[9])) for row in cursor.fetchall()]


def _sqlite_alike(word: str, project_ids: list[int], limit: int) -> list[tuple[str, str]]:
    # The trigram table: entries holding any of the word's three-letter pieces, those holding most of them first.
    entries = connection.ops.quote_name(SearchEntry._meta.db_table)
    table = "annotator_search_trigrams"
    pieces = " OR ".join('"' + piece.replace('"', '""') + '"' for piece in trigrams(word))
    marks = ", ".join(["%s"] * len(project_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.title, e.body FROM {table} JOIN {entries} e ON e.id = {table}.rowid "
            f"WHERE {table} MATCH %s AND e.project_id IN ({marks}) ORDER BY rank LIMIT %s",
            [pieces, *project_ids, limit],
        )
        return cursor.fetchall()


# PostgreSQL ------------------------------------------------------------------------------------------------------


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _ts_term(term: Term) -> str:
    lexemes = [_lexeme(w) for w in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return "(" + " <-> ".join(lexemes) + ")"


def ts_query(query: Query) -> str:
    """The tsquery: every wanted term, none of the excluded ones; phrases with <->, prefixes with :*."""
    parts = [_ts_term(t) for t in query.wanted] + ["!" + _ts_term(t) for t in query.excluded]
    return " & ".join(parts)


# Matches at least this dense among the newest entries are found walking the primary key back.
DENSE = 0.05
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]


def _planned_for_memory(cursor) -> None:
    """Plan this transaction's statements for an index read from memory (random_page_cost 1.1, as PostgreSQL's
    documentation suggests for SSDs and cached data). With the default 4.0, made for disks' seeks, the planner
    prefers reading every entry and testing each vector (50 ms at 112,000 entries) over fetching the GIN index's
    5,800 matches. Plain SQL: the ORM has no word for a setting; set_config(..., true) holds to the transaction's
    end."""
    cursor.execute("SELECT set_config('random_page_cost', %s, true)", [str(RANDOM_PAGE_COST)])


RANDOM_PAGE_COST = 1.1


def _postgresql(query: Query, project_ids: list[int], limit: int) -> list[Match]:
    with transaction.atomic(), connection.cursor() as cursor:
        _planned_for_memory(cursor)
        return _postgresql_ranked(query, project_ids, limit)


# The id of the n-th newest entry, by n: where the walk back starts looking.
_EDGES: dict[int, tuple[float, int]] = {}
EDGE_SECONDS = 60


def _window_edge(size: int) -> int | None:
    """The id of the `size`-th newest entry (None when there are fewer), counted back along the primary key: ids have
    gaps (an entry indexed again takes a new id, one rolled back leaves its id unused), so the newest id less `size`
    could hold few entries, and a common word then missed the walk (150 ms). Counting costs 6 ms at 112,000 entries,
    so an edge is kept in the process for a minute: entries made or deleted since only move where the walk starts,
    never which matches are the newest."""
    now = time.monotonic()
    kept = _EDGES.get(size)
    if kept is not None and now - kept[0] < EDGE_SECONDS:
        return kept[1]
    found = list(SearchEntry.objects.order_by("-id").values_list("id", flat=True)[size - 1 : size])
    if not found:
        return None
    _EDGES[size] = (now, found[0])
    return found[0]


def _postgresql_ranked(query: Query, project_ids: list[int], limit: int) -> list[Match]:
    wanted = SearchQuery(ts_query(query), config="simple", search_type="raw")
    matching = SearchEntry.objects.filter(project_id__in=project_ids, vector=wanted)
    # As on SQLite: past `limit` matches, the newest `limit` are ranked (ts_rank reads each match's vector), found one
    # of two ways. A word with many matches (the planner's estimate): walking the primary key back through the newest
    # limit / DENSE entries at most (_window_edge) to the limit-th newest match, a common word has its newest matches
    # there; then ts_rank for the matches from there on. Otherwise, or when the walk found fewer: the GIN index's
    # matches sorted by id and the newest `limit` kept, each ranked as it is read (NULLS LAST is not the key's order:
    # the planner cannot walk it), and put in rank order here. A walk costs every entry it passes (a prefix in 6% of
    # the entries: 10 ms to find its 2,000th, then 19 ms to rank them), a sort every match (its 6,800: 19 ms in all;
    # a word on every page, 67,000: 150 ms), hence SORTED_AT_MOST.
    ranked = matching.annotate(created_text=CREATED_TEXT, rank=SearchRank(F("vector"), wanted, weights=RANK_WEIGHTS))
    if _estimated_rows(matching) > SORTED_AT_MOST:
        edge = _window_edge(int(limit / DENSE))
        window = matching.filter(id__gte=edge) if edge is not None else matching
        floor = list(window.order_by("-id").values_list("id", flat=True)[limit - 1 : limit])
        if floor:
            chosen = ranked.filter(id__gte=floor[0]).order_by("-rank", "id").values_list(*PG_COLUMNS, "rank")[:limit]
            return [Match(*row) for row in chosen]
    newest_matches = ranked.order_by(F("id").desc(nulls_last=True)).values_list(*PG_COLUMNS, "rank")[:limit]
    return sorted((Match(*row) for row in newest_matches), key=lambda match: (-match.rank, match.id))


# Up to this many matches (as the planner estimates them) are sorted rather than walked to.
SORTED_AT_MOST = 8_000


def _estimated_rows(queryset) -> int:
    """How many rows the planner expects the queryset to give (EXPLAIN, nothing run): its statistics of the GIN
    index's words, about 1 ms."""
    plan = json.loads(queryset.values("id").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _postgresql_parts(query: Query, project_ids: list[int], limit: int) -> list[Match]:
    # pg_trgm: the GIN index on UPPER(body) answers icontains.
    wanted = Q()
    for term in query.wanted:
        wanted &= Q(body__icontains=" ".join(term.words))
    for term in query.excluded:
        wanted &= ~Q(body__icontains=" ".join(term.words))
    found = (
        SearchEntry.objects.filter(wanted, project_id__in=project_ids)
        .annotate(created_text=CREATED_TEXT)
        .order_by("id")
        .values_list(*PG_COLUMNS)[:limit]
    )
    return [Match._make((*row, 0.0)) for row in found]


# Marks with any of some words (issue 24: "Already checked?") -----------------------------------------------------


def _sqlite_any(words: list[str], project_id: int, label_id: int, limit: int) -> list[tuple[int, float]]:
    # Plain SQL, as _sqlite: FTS5's MATCH with OR between the words, ranked by bm25 (more of the words, rarer words:
    # better), only the project's marks of the label.
    table = "annotator_search_words"
    entries = connection.ops.quote_name(SearchEntry._meta.db_table)
    expression = " OR ".join('"' + w + '"' for w in words)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.annotation_id, bm25({table}, %s, %s) FROM {table} JOIN {entries} e ON e.id = {table}.rowid "
            f"WHERE {table} MATCH %s AND e.project_id = %s AND e.kind = 'mark' AND e.label_id = %s "
            f"ORDER BY bm25({table}, %s, %s) LIMIT %s",
            [TITLE_WEIGHT, BODY_WEIGHT, expression, project_id, label_id, TITLE_WEIGHT, BODY_WEIGHT, limit],
        )
        return [(row[0], -row[1]) for row in cursor.fetchall()]


def _postgresql_any(words: list[str], project_id: int, label_id: int, limit: int) -> list[tuple[int, float]]:
    wanted = SearchQuery(" | ".join(_lexeme(w) for w in words), config="simple", search_type="raw")
    found = (
        SearchEntry.objects.filter(project_id=project_id, kind=SearchEntry.Kind.MARK, label_id=label_id, vector=wanted)
        .annotate(rank=SearchRank(F("vector"), wanted))
        .order_by("-rank", "id")
        .values_list("annotation_id", "rank")[:limit]
    )
    return list(found)


def marks_with_any(words: list[str], *, project_id: int, label_id: int, limit: int) -> list[tuple[int, float]]:
    """(mark id, rank) of the project's marks of one label holding any of the words (folded, as `terms.fold` makes
    them), the best first: those with more of them, and with the rarer ones."""
    if not words:
        return []
    if connection.vendor == "postgresql":
        return _postgresql_any(words, project_id, label_id, limit)
    return _sqlite_any(words, project_id, label_id, limit)


# pg_trgm's word similarity a word must reach (its default, 0.6, misses one swapped pair of letters in a short word).
WORD_SIMILARITY = 0.4


def _postgresql_alike(word: str, project_ids: list[int], limit: int) -> list[tuple[str, str]]:
    # pg_trgm's word similarity (the %> operator, answered by the trigram index on UPPER(body)), most similar first.
    body, wanted = Upper("body"), word.upper()
    with transaction.atomic(), connection.cursor() as cursor:
        # Plain SQL: the ORM has no word for a setting; SET LOCAL holds until the end of this transaction.
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(WORD_SIMILARITY)])
        return list(
            SearchEntry.objects.filter(TrigramWordSimilar(body, Value(wanted)), project_id__in=project_ids)
            .annotate(similarity=TrigramWordSimilarity(wanted, body))
            .order_by("-similarity", "id")
            .values_list("title", "body")[:limit]
        )


# The one entry point ------------------------------------------------------------------------------------------------


def matches(query: Query, project_ids: list[int], limit: int) -> list[Match]:
    """The entries of these projects matching the query, best first, at most `limit`."""
    if not project_ids:
        return []
    if connection.vendor == "postgresql":
        return _postgresql(query, project_ids, limit)
    return _sqlite(query, project_ids, limit, "annotator_search_words")


def partial_matches(query: Query, project_ids: list[int], limit: int) -> list[Match]:
    """Entries holding each wanted term as a part of a word (`purg` in `Great Purge`): what is offered when no
    whole word matched. Terms of fewer than three characters find nothing here."""
    if not project_ids or any(len(" ".join(t.words)) < 3 for t in query.wanted):
        return []
    if connection.vendor == "postgresql":
        return _postgresql_parts(query, project_ids, limit)
    plain = Query(tuple(Term(t.words, excluded=t.excluded) for t in query.terms))
    return _sqlite(plain, project_ids, limit, "annotator_search_trigrams")


def spelled_alike(word: str, project_ids: list[int], limit: int = 30) -> list[tuple[str, str]]:
    """(title, body) of up to `limit` entries of these projects holding words spelled like `word` (three letters or
    more, folded): where "Did you mean" looks for the word meant. By the trigram indexes both backends keep."""
    if not project_ids or len(word) < 3:
        return []
    if connection.vendor == "postgresql":
        return _postgresql_alike(word, project_ids, limit)
    return _sqlite_alike(word, project_ids, limit)
