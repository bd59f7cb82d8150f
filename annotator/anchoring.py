"""Carrying marks from one version of a text to the next: pure functions, no database.

Each mark is placed by the first rule that holds, and every result says which rule placed it:

1. unchanged / shifted: no edit of the diff touches the mark's own text; its offsets are mapped
   through the diff (the text around it may have changed).
2. refound: the mark's text is in the new text, intact, once, as it was once in the old one; and
   either it was removed as a whole (a moved passage) with its context (W3C TextQuoteSelector prefix
   and suffix), or it is where the diff puts the mark (an edit next to it that the character diff
   cut into), or one side of its context came along, or it is long enough (DISTINCT_CHARS) to name
   its passage by itself (a paragraph moved whole, its neighbours new).
3. ambiguous: the exact text occurs in the new text, but rule 2 does not hold (several places, or
   a short text once, elsewhere and in new surroundings): placed at the best candidate and flagged.
4. fuzzy: the best approximate match near where the diff puts the mark, its edges on the edges of
   words (unless the mark's own were not), with its score (0-100): flagged for review.
5. orphaned: nothing good enough; the mark keeps no place until someone re-attaches it.

Only rules 1 and 2 are silent; the others are flagged, so an edit inside a mark never moves it
silently to a wrong place.

An import has no older text to diff against: locate() places a mark read from a file by its offsets when its text is
there, else by its text and context alone, with the same search for a quote in its context (best_in_context) that
rule 3 uses, and refuses where rule 3 would guess.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import Enum

from diff_match_patch import diff_match_patch
from rapidfuzz import fuzz

# Below this score (rapidfuzz's ratio of the mark's text and the text placed, 0-100) an approximate match is no match.
FUZZY_THRESHOLD = 75.0
# A mark's text at least this long (the W3C context's length), once in each version, names its passage by itself.
DISTINCT_CHARS = 32
# Words (or signs) either side of an approximate match's edges tried as its edges.
SNAP_WORDS = 2


class Rule(str, Enum):
    """The rule that placed a mark (stored as the mark's `placement`)."""

    UNCHANGED = "unchanged"
    SHIFTED = "shifted"
    REFOUND = "refound"
    AMBIGUOUS = "ambiguous"
    FUZZY = "fuzzy"
    ORPHANED = "orphaned"

    @property
    def flagged(self) -> bool:
        return self in (Rule.AMBIGUOUS, Rule.FUZZY, Rule.ORPHANED)


@dataclass(frozen=True)
class Anchor:
    """A mark as the old version knew it: its offsets and its W3C TextQuoteSelector (exact, prefix, suffix)."""

    key: object
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Placed:
    key: object
    placement: Rule
    start: int | None
    end: int | None
    score: float  # 100 for exact placements, the match score for fuzzy ones, 0 for orphans


class OffsetMap:
    """The unchanged stretches between two texts, from a character diff: old offsets to new ones."""

    def __init__(self, old: str, new: str, timeout: float = 5.0):
        dmp = diff_match_patch()
        dmp.Diff_Timeout = timeout
        # Line mode first (fast on long texts), then characters within the changed lines.
        diffs = dmp.diff_main(old, new, True)
        self.old_starts: list[int] = []
        self.new_starts: list[int] = []
        self.lengths: list[int] = []
        o = n = 0
        for op, chunk in diffs:
            size = len(chunk)
            if op == 0:
                self.old_starts.append(o)
                self.new_starts.append(n)
                self.lengths.append(size)
                o += size
                n += size
            elif op < 0:
                o += size
            else:
                n += size

    def _segment(self, offset: int) -> int:
        return bisect.bisect_right(self.old_starts, offset) - 1

    def region(self, start: int, end: int) -> tuple[int, int] | None:
        """[start, end) in the new text when no edit touches it, else None."""
        i = self._segment(start)
        if i < 0:
            return None
        seg_start, length = self.old_starts[i], self.lengths[i]
        if end <= seg_start + length:
            delta = self.new_starts[i] - seg_start
            return start + delta, end + delta
        return None

    def survives(self, start: int, end: int) -> bool:
        """Whether any character of old [start, end) is still there unchanged."""
        i = self._segment(start)
        if i >= 0 and start < self.old_starts[i] + self.lengths[i]:
            return True
        j = bisect.bisect_left(self.old_starts, start)
        return j < len(self.old_starts) and self.old_starts[j] < end

    def nearest(self, offset: int) -> int:
        """Where the diff puts an old offset in the new text (the edge of the nearest unchanged stretch)."""
        i = self._segment(offset)
        if i < 0:
            return 0
        seg_start, length = self.old_starts[i], self.lengths[i]
        return self.new_starts[i] + min(offset - seg_start, length)


def _count(haystack: str, needle: str, limit: int | None = 2) -> list[int]:
    """Positions of needle in haystack (overlapping ones too), at most `limit` (None: all), in text order."""
    found: list[int] = []
    i = haystack.find(needle)
    while i >= 0 and (limit is None or len(found) < limit):
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


def _context_score(text: str, pos: int, exact: str, prefix: str, suffix: str) -> int:
    """How many context characters agree around a candidate place (0 to len(prefix) + len(suffix)): the prefix
    read backwards from the place, the suffix forwards from the quote's end, each up to its first difference."""
    before = text[max(0, pos - len(prefix)) : pos]
    after = text[pos + len(exact) : pos + len(exact) + len(suffix)]
    score = 0
    for a, b in zip(reversed(before), reversed(prefix)):
        if a != b:
            break
        score += 1
    for a, b in zip(after, suffix):
        if a != b:
            break
        score += 1
    return score


def best_in_context(text: str, exact: str, prefix: str, suffix: str, candidates: list[int]) -> list[int]:
    """Of the places where a quote's exact text occurs in `text`, those around which the most of its context
    (W3C TextQuoteSelector prefix and suffix) agrees, in text order: one place, or the places that tie."""
    scores = [_context_score(text, pos, exact, prefix, suffix) for pos in candidates]
    best = max(scores, default=0)
    return [pos for pos, score in zip(candidates, scores) if score == best]


def _context_came_along(text: str, pos: int, anchor: Anchor, old: str) -> bool:
    """Whether one side of the mark's context is around `pos` in `text` as it was (at a text's edge: still at one)."""
    end = pos + len(anchor.exact)
    if anchor.prefix or anchor.start == 0:
        if text[max(0, pos - len(anchor.prefix)) : pos] == anchor.prefix and (anchor.prefix or pos == 0):
            return True
    if anchor.suffix or anchor.end == len(old):
        if text[end : end + len(anchor.suffix)] == anchor.suffix and (anchor.suffix or end == len(text)):
            return True
    return False


def _intact_once(anchor: Anchor, old: str, new: str, offsets: OffsetMap, pos: int) -> bool:
    """Rule 2 for the mark's text found once in the new text at `pos`: it was once in the old text too, and it is
    where the diff puts the mark, or one side of its context came along, or it is long enough to name its passage."""
    if len(_count(old, anchor.exact)) != 1:
        return False
    lo, hi = sorted((offsets.nearest(anchor.start), offsets.nearest(anchor.end)))
    where_the_diff_puts_it = pos <= hi and lo <= pos + len(anchor.exact)
    return where_the_diff_puts_it or _context_came_along(new, pos, anchor, old) or len(anchor.exact) >= DISTINCT_CHARS


_EDGES = re.compile(r"\w+|[^\w\s]")  # the words and signs whose edges an approximate match is moved onto
_WORD_END = re.compile(r"\w+$")
_WORD_START = re.compile(r"\w+")


def _into_word(text: str, at: int) -> tuple[int, int]:
    """How far `at` is inside a word of the text: (word characters before it, word characters after it); (0, 0) on a
    word's edge. A selection made inside a word is placed inside the new word as far."""
    before = _WORD_END.search(text, max(0, at - 64), at)
    after = _WORD_START.match(text, at, at + 64)
    if before is None or after is None:
        return 0, 0
    return len(before.group()), len(after.group())


def _snapped(anchor: Anchor, old: str, new: str, lo: int, hi: int, start: int, end: int) -> tuple[int, int, float]:
    """An approximate match [start, end) of the mark's text, its edges moved onto the edges of the words and signs
    around them (SNAP_WORDS either way), whichever pair reads most like the mark's text. A mark whose edge was inside a
    word keeps it as far inside; one whose edge was white space may also keep the match's edge."""
    edges = [m.span() for m in _EDGES.finditer(new, lo, hi)]
    starts, ends = [s for s, _ in edges], [e for _, e in edges]
    i, j = bisect.bisect_left(starts, start), bisect.bisect_right(ends, end)
    first = set(starts[max(0, i - SNAP_WORDS - 1) : i + SNAP_WORDS])
    last = set(ends[max(0, j - SNAP_WORDS) : j + SNAP_WORDS + 1])
    into = _into_word(old, anchor.start)[0]
    if into:
        first = {s + into for s in first}
    out = _into_word(old, anchor.end)[1]
    if out:
        last = {e - out for e in last}
    if anchor.exact[:1].isspace() or into:
        first.add(start)
    if anchor.exact[-1:].isspace() or out:
        last.add(end)
    best = (-1.0, 0, 0, 0)
    for s in sorted(first):
        for e in sorted(last):
            if e > s:
                score = fuzz.ratio(anchor.exact, new[s:e])
                best = max(best, (score, -abs(s - start) - abs(e - end), -s, e))
    score, _, s, e = best
    return -s, e, score


def place(anchor: Anchor, old: str, new: str, offsets: OffsetMap, max_candidates: int = 200) -> Placed:
    """Place one mark of `old` in `new` by the rules in this module's docstring."""
    mapped = offsets.region(anchor.start, anchor.end)
    if mapped is not None:
        placement = Rule.UNCHANGED if mapped == (anchor.start, anchor.end) else Rule.SHIFTED
        return Placed(anchor.key, placement, mapped[0], mapped[1], 100.0)

    quote = anchor.prefix + anchor.exact + anchor.suffix
    in_new = _count(new, quote)
    if len(in_new) == 1 and not offsets.survives(anchor.start, anchor.end) and len(_count(old, quote)) == 1:
        start = in_new[0] + len(anchor.prefix)
        return Placed(anchor.key, Rule.REFOUND, start, start + len(anchor.exact), 100.0)

    expected = offsets.nearest(anchor.start)
    candidates = _count(new, anchor.exact, limit=max_candidates)
    if len(candidates) == 1 and _intact_once(anchor, old, new, offsets, candidates[0]):
        return Placed(anchor.key, Rule.REFOUND, candidates[0], candidates[0] + len(anchor.exact), 100.0)
    if candidates:
        # The most context around it, then the nearest to where the diff puts the mark.
        best = min(
            best_in_context(new, anchor.exact, anchor.prefix, anchor.suffix, candidates),
            key=lambda pos: abs(pos - expected),
        )
        return Placed(anchor.key, Rule.AMBIGUOUS, best, best + len(anchor.exact), 100.0)

    # Approximate: the best alignment of the mark's text within a window around where it should be, on word edges.
    reach = 2 * len(anchor.exact) + 64
    lo, hi = max(0, expected - reach), min(len(new), expected + len(anchor.exact) + reach)
    if anchor.exact.strip() and hi > lo:
        match = fuzz.partial_ratio_alignment(anchor.exact, new[lo:hi])
        if match is not None and match.score >= FUZZY_THRESHOLD and match.dest_end > match.dest_start:
            start, end, score = _snapped(anchor, old, new, lo, hi, lo + match.dest_start, lo + match.dest_end)
            if score >= FUZZY_THRESHOLD:
                return Placed(anchor.key, Rule.FUZZY, start, end, round(score, 1))
    return Placed(anchor.key, Rule.ORPHANED, None, None, 0.0)


def carry(anchors: list[Anchor], old: str, new: str) -> list[Placed]:
    """Place every mark of `old` in `new`; one diff for all of them."""
    offsets = OffsetMap(old, new)
    return [place(anchor, old, new, offsets) for anchor in anchors]


class Unplaceable(ValueError):
    """A mark that cannot be placed in a text; the message is for the user."""


def locate(
    text: str,
    exact: str,
    start: int | None = None,
    end: int | None = None,
    prefix: str = "",
    suffix: str = "",
    key: object = None,
) -> Placed:
    """Where a mark read from a file goes in `text` (an import: there is no older text to diff against).

    UNCHANGED at its offsets when text[start:end] is its exact text; else REFOUND where its text occurs with the most
    of its context around it (best_in_context). Unplaceable when its text is nowhere in `text`, or when several
    places fit equally well: an import does not guess, where carrying a revision places the mark and flags it.
    """
    if not exact:
        raise Unplaceable("the marked text is empty")
    if start is not None and end is not None and 0 <= start < end <= len(text) and text[start:end] == exact:
        return Placed(key, Rule.UNCHANGED, start, end, 100.0)
    candidates = _count(text, exact, limit=None)
    if not candidates:
        raise Unplaceable("its text is not in the document")
    best = best_in_context(text, exact, prefix, suffix, candidates)
    if len(best) > 1:
        raise Unplaceable(
            f"its text is not at its offsets, and occurs {len(best)} times with context that fits equally well"
        )
    return Placed(key, Rule.REFOUND, best[0], best[0] + len(exact), 100.0)


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def _word_diff(old: str, new: str) -> list[tuple[int, str]]:
    """diff-match-patch on words: each distinct token stands for one character while diffing."""
    table: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        out = []
        for token in _TOKEN.findall(text):
            if token not in table:
                table[token] = chr(len(tokens) + 0x100)  # clear of control characters
                tokens.append(token)
            out.append(table[token])
        return "".join(out)

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 5.0
    diffs = dmp.diff_main(encode(old), encode(new), False)
    dmp.diff_cleanupSemantic(diffs)
    return [(op, "".join(tokens[ord(c) - 0x100] for c in chunk)) for op, chunk in diffs]


def diff_segments(old: str, new: str, context: int = 120) -> list[tuple[str, str]]:
    """A readable diff of two versions: [(op, text)] with op 'equal', 'delete', 'insert' or 'skip'.

    Long unchanged stretches keep `context` characters at each end and say how much was skipped.
    """
    diffs = _word_diff(old, new)
    names = {0: "equal", -1: "delete", 1: "insert"}
    out: list[tuple[str, str]] = []
    last = len(diffs) - 1
    for i, (op, chunk) in enumerate(diffs):
        if op == 0 and len(chunk) > 2 * context + 40:
            head = chunk[:context] if i > 0 else ""
            tail = chunk[-context:] if i < last else ""
            skipped = len(chunk) - len(head) - len(tail)
            if head:
                out.append(("equal", head))
            out.append(("skip", f"{skipped:,} unchanged characters"))
            if tail:
                out.append(("equal", tail))
        else:
            out.append((names[op], chunk))
    return out
