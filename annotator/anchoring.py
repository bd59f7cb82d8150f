"""Carrying marks from one version of a text to the next: pure functions, no database.

Each mark is placed by the first rule that holds, and every result says which rule placed it:

1. unchanged / shifted: no edit of the diff touches the mark's own text; its offsets are mapped
   through the diff (the text around it may have changed).
2. refound: the mark's text was removed as a whole (a moved passage), and its exact text with its
   context (W3C TextQuoteSelector prefix and suffix) occurs exactly once in the new text, as it did
   exactly once in the old one.
3. ambiguous: the exact text occurs in the new text, but rule 2 does not hold (several places, or
   the mark was edited inside): placed at the best candidate and flagged for review.
4. fuzzy: the best approximate match near where the diff puts the mark, with its score (0-100):
   flagged for review.
5. orphaned: nothing good enough; the mark keeps no place until someone re-attaches it.

Only rules 1 and 2 are silent; the others are flagged, so an edit inside a mark never moves it
silently to a wrong place.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import Enum

from diff_match_patch import diff_match_patch
from rapidfuzz import fuzz

# Below this score (rapidfuzz's partial ratio, 0-100) an approximate match is no match.
FUZZY_THRESHOLD = 75.0


class Placement(str, Enum):
    UNCHANGED = "unchanged"
    SHIFTED = "shifted"
    REFOUND = "refound"
    AMBIGUOUS = "ambiguous"
    FUZZY = "fuzzy"
    ORPHANED = "orphaned"

    @property
    def flagged(self) -> bool:
        return self in (Placement.AMBIGUOUS, Placement.FUZZY, Placement.ORPHANED)


@dataclass(frozen=True)
class Anchor:
    """A mark as the old version knew it."""

    key: object
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Placed:
    key: object
    placement: Placement
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


def _count(haystack: str, needle: str, limit: int = 2) -> list[int]:
    """Positions of needle in haystack (overlapping ones too), at most `limit`."""
    found = []
    i = haystack.find(needle)
    while i >= 0 and len(found) < limit:
        found.append(i)
        i = haystack.find(needle, i + 1)
    return found


def _context_score(text: str, pos: int, anchor: Anchor) -> int:
    """How many context characters agree around a candidate place (0 to len(prefix) + len(suffix))."""
    before = text[max(0, pos - len(anchor.prefix)) : pos]
    after = text[pos + len(anchor.exact) : pos + len(anchor.exact) + len(anchor.suffix)]
    score = 0
    for a, b in zip(reversed(before), reversed(anchor.prefix)):
        if a != b:
            break
        score += 1
    for a, b in zip(after, anchor.suffix):
        if a != b:
            break
        score += 1
    return score


def place(anchor: Anchor, old: str, new: str, offsets: OffsetMap, max_candidates: int = 200) -> Placed:
    """Place one mark of `old` in `new` by the rules in this module's docstring."""
    mapped = offsets.region(anchor.start, anchor.end)
    if mapped is not None:
        placement = Placement.UNCHANGED if mapped == (anchor.start, anchor.end) else Placement.SHIFTED
        return Placed(anchor.key, placement, mapped[0], mapped[1], 100.0)

    quote = anchor.prefix + anchor.exact + anchor.suffix
    in_new = _count(new, quote)
    if len(in_new) == 1 and not offsets.survives(anchor.start, anchor.end) and len(_count(old, quote)) == 1:
        start = in_new[0] + len(anchor.prefix)
        return Placed(anchor.key, Placement.REFOUND, start, start + len(anchor.exact), 100.0)

    expected = offsets.nearest(anchor.start)
    candidates = _count(new, anchor.exact, limit=max_candidates)
    if candidates:
        best = max(candidates, key=lambda pos: (_context_score(new, pos, anchor), -abs(pos - expected)))
        return Placed(anchor.key, Placement.AMBIGUOUS, best, best + len(anchor.exact), 100.0)

    # Approximate: the best alignment of the mark's text within a window around where it should be.
    reach = 2 * len(anchor.exact) + 64
    lo, hi = max(0, expected - reach), min(len(new), expected + len(anchor.exact) + reach)
    if anchor.exact.strip() and hi > lo:
        match = fuzz.partial_ratio_alignment(anchor.exact, new[lo:hi])
        if match is not None and match.score >= FUZZY_THRESHOLD and match.dest_end > match.dest_start:
            return Placed(anchor.key, Placement.FUZZY, lo + match.dest_start, lo + match.dest_end, round(match.score, 1))
    return Placed(anchor.key, Placement.ORPHANED, None, None, 0.0)


def carry(anchors: list[Anchor], old: str, new: str) -> list[Placed]:
    """Place every mark of `old` in `new`; one diff for all of them."""
    offsets = OffsetMap(old, new)
    return [place(anchor, old, new, offsets) for anchor in anchors]


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
