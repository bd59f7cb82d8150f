"""Pages of a text: which page(s) a stretch of it is on, by a bisect over the pages' starting offsets.

A version's pages are [(start, label), ...]: page N starts at code point `start` of the text and is called `label`
("iii", "12"), in order; an empty page starts where the next one does. Pure functions, no database.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

Pages = Sequence[Sequence]  # [(start, label), ...], as stored in JSON: lists of two


def page_index(pages: Pages, offset: int) -> int:
    """The index of the page holding the code point at `offset` (the last of the pages starting there)."""
    return max(bisect.bisect_right([start for start, _ in pages], offset) - 1, 0)


def page_range(pages: Pages, start: int, end: int) -> tuple[int, int] | None:
    """Indexes of the first and last page that [start, end) lies on; None when the text has no pages."""
    if not pages:
        return None
    return page_index(pages, start), page_index(pages, max(end - 1, start))


def page_label(pages: Pages, start: int, end: int) -> str:
    """The page(s) of [start, end) as a citation names them: '3', '3–4', 'iv–1'; '' when the text has no pages."""
    found = page_range(pages, start, end)
    if found is None:
        return ""
    first, last = (str(pages[i][1]) for i in found)
    return first if found[0] == found[1] else f"{first}–{last}"


def locator(pages: Pages, start: int, end: int) -> str:
    """A citation's locator for [start, end): 'p. 3' or 'pp. 3–4'; '' when the text has no pages."""
    label = page_label(pages, start, end)
    if not label:
        return ""
    return f"pp. {label}" if "–" in label else f"p. {label}"
