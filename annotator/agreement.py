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
import re
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Hashable, Iterable, Sequence

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


def _f1(spans_a: set, spans_b: set, match) -> float | None:
    if not spans_a and not spans_b:
        return None  # neither editor used the label: nothing to agree or disagree on
    if not spans_a or not spans_b:
        return 0.0
    recall = Fraction(sum(1 for a in spans_a if any(match(a, b) for b in spans_b)), len(spans_a))
    precision = Fraction(sum(1 for b in spans_b if any(match(a, b) for a in spans_a)), len(spans_b))
    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def exact_f1(spans_a: Iterable[tuple[int, int]], spans_b: Iterable[tuple[int, int]]) -> float | None:
    """F1 of two editors' spans (one label) when a match is the very same span; None when both are empty."""
    return _f1(set(spans_a), set(spans_b), lambda a, b: a == b)


def overlap_f1(spans_a: Iterable[tuple[int, int]], spans_b: Iterable[tuple[int, int]]) -> float | None:
    """F1 of two editors' spans (one label) when a match is any shared character; None when both are empty."""
    return _f1(set(spans_a), set(spans_b), overlaps)


def tokens(text: str) -> list[tuple[int, int]]:
    """The text's whitespace tokens as (start, end) code-point offsets."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_coverage(token_spans: Sequence[tuple[int, int]], spans: Iterable[tuple[int, int]]) -> list[bool]:
    """For each token, whether one of the spans covers at least one of its characters."""
    covered = [False] * len(token_spans)
    ends = [end for _, end in token_spans]
    for start, end in spans:
        # Tokens are sorted and disjoint: the first one that ends after `start` is the first candidate.
        i = bisect.bisect_right(ends, start)
        while i < len(token_spans) and token_spans[i][0] < end:
            covered[i] = True
            i += 1
    return covered


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float | None:
    """Cohen's kappa of two binary ratings of the same items; None when it is undefined (chance agreement is 1)."""
    if len(a) != len(b):
        raise ValueError("Both editors must rate the same items.")
    n = len(a)
    if n == 0:
        return None
    observed = Fraction(sum(1 for x, y in zip(a, b) if x == y), n)
    pa, pb = Fraction(sum(a), n), Fraction(sum(b), n)
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


def label_figures(text: str, marks: Sequence[Mark], labels: Sequence[Hashable]) -> list[LabelFigures]:
    """Per label, the figures of every pair of editors who marked the text."""
    editors = editors_of(marks)
    token_spans = tokens(text)
    spans: dict = {}
    for m in marks:
        spans.setdefault((m.editor, m.label), set()).add((m.start, m.end))
    result = []
    for label in labels:
        pairs = []
        for a, b in combinations(editors, 2):
            sa, sb = spans.get((a, label), set()), spans.get((b, label), set())
            pairs.append(
                PairFigures(
                    a, b, exact_f1(sa, sb), overlap_f1(sa, sb),
                    cohen_kappa(token_coverage(token_spans, sa), token_coverage(token_spans, sb)),
                )
            )
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
    other editor marked any of it.
    """
    groups: dict = {}
    for m in marks:
        groups.setdefault((m.start, m.end, m.label), set()).add(m.editor)
    by_start = sorted(marks, key=lambda m: (m.start, m.end))
    rows = []
    for (start, end, label), editors in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1], str(item[0][2]))):
        others = tuple(
            m for m in by_start
            if m.editor not in editors and overlaps((m.start, m.end), (start, end))
        )
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
