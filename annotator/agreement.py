"""Agreement between editors on one document: pure functions, no database.

A mark here is (editor, start, end, label), offsets in code points as everywhere. The figures:

- pairwise F1 per label, with exact matching (same start and end) and with overlap matching (the
  two spans share at least one character). For editors A and B: precision is the share of B's
  spans matched by one of A's, recall the share of A's spans matched by one of B's, and
  F1 = 2PR / (P + R). With exact matching this is 2|A ∩ B| / (|A| + |B|). It is symmetric in A and B.
- Cohen's kappa per label on whitespace tokens: each token (a maximal run of non-space characters)
  is "in" for an editor when one of their spans with that label covers at least one of its
  characters, else "out". kappa = (po - pe) / (1 - pe), po the observed share of tokens on which
  the two agree, pe the agreement expected by chance from each editor's share of "in" tokens.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

# The categories of the comparison, in the order the page lists them.
AGREE = "agree"
SAME_SPAN_OTHER_LABEL = "same-span-other-label"
OVERLAP = "overlap"
SINGLE = "single"
CATEGORIES = {
    AGREE: "Same span, same label",
    SAME_SPAN_OTHER_LABEL: "Same span, other label",
    OVERLAP: "Overlapping spans",
    SINGLE: "Marked by one editor only",
}

_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Mark:
    editor: Hashable
    start: int
    end: int
    label: Hashable


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two half-open spans share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def _f1_from_counts(size_a: int, size_b: int, recalled: int, precise: int) -> float | None:
    if not size_a and not size_b:
        return None  # neither editor used the label: nothing to agree or disagree on
    if not size_a or not size_b:
        return 0.0
    recall = Fraction(recalled, size_a)
    precision = Fraction(precise, size_b)
    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def _overlapped_count(spans: Iterable[tuple[int, int]], others: Sequence[tuple[int, int]]) -> int:
    """How many of `spans` share a character with at least one of `others`: O((n + m) log m).

    A span (s, e) is hit when some other (s2, e2) has s2 < e and e2 > s: among the others that start
    before e (a prefix of them sorted by start), the one that ends last tells.
    """
    ordered = sorted(others)
    starts = [start for start, _ in ordered]
    furthest, reach = [], None
    for _, end in ordered:
        reach = end if reach is None or end > reach else reach
        furthest.append(reach)
    hits = 0
    for start, end in spans:
        k = bisect.bisect_left(starts, end)
        if k and furthest[k - 1] > start:
            hits += 1
    return hits


def exact_f1(spans_a: Iterable[tuple[int, int]], spans_b: Iterable[tuple[int, int]]) -> float | None:
    """F1 of two editors' spans (one label) when a match is the very same span; None when both are empty."""
    a, b = set(spans_a), set(spans_b)
    shared = len(a & b)
    return _f1_from_counts(len(a), len(b), shared, shared)


def overlap_f1(spans_a: Iterable[tuple[int, int]], spans_b: Iterable[tuple[int, int]]) -> float | None:
    """F1 of two editors' spans (one label) when a match is any shared character; None when both are empty."""
    a, b = set(spans_a), set(spans_b)
    return _f1_from_counts(len(a), len(b), _overlapped_count(a, list(b)), _overlapped_count(b, list(a)))


def tokens(text: str) -> list[tuple[int, int]]:
    """The text's whitespace tokens as (start, end) code-point offsets."""
    return [m.span() for m in _TOKEN.finditer(text)]


def token_coverage(token_spans: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int]]) -> list[bool]:
    """For each token, whether one of the spans covers at least one of its characters."""
    covered = [False] * len(token_spans)
    for first, last in covered_runs(token_spans, spans):
        covered[first:last] = [True] * (last - first)
    return covered


def covered_runs(token_spans: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The tokens the spans cover (at least one character of each), as sorted, disjoint runs of token indexes [i, j)."""
    starts = [start for start, _ in token_spans]
    ends = [end for _, end in token_spans]
    return _covered_runs(starts, ends, spans)


def _covered_runs(starts: list[int], ends: list[int], spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    runs = []
    for start, end in spans:
        # Tokens are sorted and disjoint: the first one that ends after `start`, up to the last that starts before
        # `end`.
        first, last = bisect.bisect_right(ends, start), bisect.bisect_left(starts, end)
        if first < last:
            runs.append((first, last))
    runs.sort()
    merged: list[tuple[int, int]] = []
    for first, last in runs:
        if merged and first <= merged[-1][1]:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


def _runs_length(runs: Sequence[tuple[int, int]]) -> int:
    return sum(last - first for first, last in runs)


def _runs_shared(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int:
    """How many indexes two lists of sorted, disjoint runs have in common: one walk over both."""
    shared = i = j = 0
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if low < high:
            shared += high - low
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return shared


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float | None:
    """Cohen's kappa of two binary ratings of the same items; None when it is undefined (chance agreement is 1)."""
    if len(a) != len(b):
        raise ValueError("Both editors must rate the same items.")
    return kappa_from_counts(len(a), sum(a), sum(b), sum(1 for x, y in zip(a, b) if x and y))


def kappa_from_counts(n: int, in_a: int, in_b: int, in_both: int) -> float | None:
    """Cohen's kappa of two binary ratings of n items from how many each rated "in" and how many both did."""
    if n == 0:
        return None
    observed = Fraction(n - in_a - in_b + 2 * in_both, n)  # both in, plus both out
    pa, pb = Fraction(in_a, n), Fraction(in_b, n)
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected == 1:
        return None
    return float((observed - expected) / (1 - expected))


@dataclass(frozen=True)
class PairFigures:
    editor_a: Hashable
    editor_b: Hashable
    exact_f1: float | None
    overlap_f1: float | None
    kappa: float | None


@dataclass(frozen=True)
class LabelFigures:
    label: Hashable
    pairs: tuple

    def _mean(self, name):
        values = [getattr(p, name) for p in self.pairs if getattr(p, name) is not None]
        return sum(values) / len(values) if values else None

    @property
    def mean_exact_f1(self):
        return self._mean("exact_f1")

    @property
    def mean_overlap_f1(self):
        return self._mean("overlap_f1")

    @property
    def mean_kappa(self):
        return self._mean("kappa")


def editors_of(marks: Iterable[Mark]) -> list:
    return sorted({m.editor for m in marks}, key=str)


def label_figures(
    text: str, marks: Sequence[Mark], labels: Sequence[Hashable], token_spans: Sequence[tuple[int, int]] | None = None
) -> list[LabelFigures]:
    """Per label, the figures of every pair of editors who marked the text.

    `token_spans` are tokens(text), for a caller who has them already. Each editor's covered tokens are
    computed once per label, as runs of token indexes, so a pair costs the length of their runs, not of the text.
    """
    editors = editors_of(marks)
    if token_spans is None:
        token_spans = tokens(text)
    starts = [start for start, _ in token_spans]
    ends = [end for _, end in token_spans]
    spans: dict = {}
    for m in marks:
        spans.setdefault((m.editor, m.label), set()).add((m.start, m.end))
    runs = {key: _covered_runs(starts, ends, value) for key, value in spans.items()}
    covered = {key: _runs_length(value) for key, value in runs.items()}
    n = len(token_spans)
    result = []
    for label in labels:
        pairs = []
        for a, b in combinations(editors, 2):
            sa, sb = spans.get((a, label), set()), spans.get((b, label), set())
            ra, rb = runs.get((a, label), []), runs.get((b, label), [])
            kappa = kappa_from_counts(n, covered.get((a, label), 0), covered.get((b, label), 0), _runs_shared(ra, rb))
            pairs.append(PairFigures(a, b, exact_f1(sa, sb), overlap_f1(sa, sb), kappa))
        result.append(LabelFigures(label, tuple(pairs)))
    return result


@dataclass(frozen=True)
class Row:
    """One (span, label) of the comparison: who marked it, and how the other editors' marks relate."""

    start: int
    end: int
    label: Hashable
    editors: tuple
    category: str
    others: tuple  # marks of other editors on the same span or overlapping it


def compare(marks: Sequence[Mark]) -> list[Row]:
    """Every distinct (span, label) with its editors, classified against the other editors' marks.

    agree: two or more editors marked the same span with the same label. Otherwise, for the one
    editor who marked it: same-span-other-label when another editor marked exactly this span with
    another label; overlap when another editor's span shares a character with it; single when no
    other editor marked any of it. `others` lists those marks in order of (start, end), ties in
    the order given.

    Spans run forward (start < end), as every span in the app does. O(n log n) plus the size of the
    answer: the (span, label) groups are visited in order of start while, per editor, the marks that
    began before it and still run (the active ones) are kept; an overlapping mark either is active at
    the group's start or starts inside the group's span.
    """
    groups: dict = {}
    for m in marks:
        groups.setdefault((m.start, m.end, m.label), set()).add(m.editor)
    by_start = sorted(marks, key=lambda m: (m.start, m.end))
    # Per editor: positions (in by_start) of their marks, the starts of those marks, and the active ones.
    positions: dict = {}
    for k, m in enumerate(by_start):
        positions.setdefault(m.editor, []).append(k)
    starts = {editor: [by_start[k].start for k in ks] for editor, ks in positions.items()}
    active: dict = {editor: {} for editor in positions}  # insertion order is by_start order
    ending: list = []  # heap of (end, position, editor) of the active marks
    entered = 0  # by_start[:entered] have been made active (or were over already)
    rows = []
    for (start, end, label), editors in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1], str(item[0][2]))
    ):
        while entered < len(by_start) and by_start[entered].start < start:
            m = by_start[entered]
            if m.end > start:
                active[m.editor][entered] = m
                heapq.heappush(ending, (m.end, entered, m.editor))
            entered += 1
        while ending and ending[0][0] <= start:
            _, k, editor = heapq.heappop(ending)
            del active[editor][k]
        found = []
        for editor, ks in positions.items():
            if editor in editors:
                continue
            found.extend(active[editor])
            # Marks that start inside the span (they end after its start, as spans run forward).
            first = bisect.bisect_left(starts[editor], start)
            last = bisect.bisect_left(starts[editor], end, first)
            found.extend(ks[first:last])
        found.sort()
        others = tuple(by_start[k] for k in found)
        if len(editors) > 1:
            category = AGREE
        elif any((m.start, m.end) == (start, end) for m in others):
            category = SAME_SPAN_OTHER_LABEL
        elif others:
            category = OVERLAP
        else:
            category = SINGLE
        rows.append(Row(start, end, label, tuple(sorted(editors, key=str)), category, others))
    return rows
