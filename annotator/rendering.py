"""What the document page shows: its text in blocks with their marked pieces, and its list of marks.

A long text is not drawn whole. Its blocks are grouped into parts of about PART_CHARS code points;
the page draws the first part with its marks and the others as plain text, and the browser fetches
a part's marks when it comes near the viewport. The list of marks comes a page at a time. After a
change only the blocks and list entries it touched are sent again (the Change rows say where).

The cutting itself is pure (text.layout / text.segment); this module fetches marks for ranges of
the text in a fixed number of queries and dresses the pieces for the templates.
"""
from __future__ import annotations

import bisect
import html
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.safestring import SafeString

from . import text as textlib
from .models import Annotation, Change, Document
from .texts import text_of

# Past this many changes since a page's revision, redraw the whole text rather than block by block.
MAX_CHANGES_FOR_PARTIAL_REDRAW = 200
# Code points per part of the text fetched on its own (a few screens).
PART_CHARS = 8_000
# Marks per page of the side panel's list.
LIST_PAGE = 40


# Blocks and parts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where the blocks of one version of a text start and end, and how they group into parts."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    parts: tuple[tuple[int, int], ...]  # (first block, block after the last) of each part

    @classmethod
    def of_text(cls, text: str, part_chars: int = PART_CHARS) -> Layout:
        bounds = textlib.split_blocks(text)
        parts, first, size = [], 0, 0
        for index, (start, end) in enumerate(bounds):
            size += end - start
            if size >= part_chars:
                parts.append((first, index + 1))
                first, size = index + 1, 0
        if first < len(bounds):
            parts.append((first, len(bounds)))
        return cls(tuple(s for s, _ in bounds), tuple(e for _, e in bounds), tuple(parts))

    def touching(self, start: int, end: int) -> range:
        """Indexes of the blocks [start, end) overlaps (the block holding `start` when it is empty)."""
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(first + 1, bisect.bisect_left(self.starts, end))
        return range(first, min(last, len(self.starts)))

    def part_range(self, number: int) -> tuple[int, int]:
        first, last = self.parts[number]
        return self.starts[first], self.ends[last - 1]


# Derived from the text alone, so each process may keep its own copy: a version's text never changes
# (a new text is a new version), and created_at tells apart documents that reused a deleted one's id.
_layouts: dict[tuple, Layout] = {}
_LAYOUTS_KEPT = 32


def layout_of(document: Document) -> Layout:
    key = (document.pk, document.version, document.created_at)
    layout = _layouts.get(key)
    if layout is None:
        if len(_layouts) >= _LAYOUTS_KEPT:
            _layouts.pop(next(iter(_layouts)))
        layout = _layouts[key] = Layout.of_text(text_of(document))
    return layout


def merge_ranges(ranges) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching [start, end) ranges joined."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


# Marks --------------------------------------------------------------------------------------------


def marks_in(document: Document, ranges) -> list[Annotation]:
    """Marks of the current version overlapping any of the [start, end) ranges, with their list fields, in text
    order: one query."""
    return list(Annotation.objects.overlapping(document, merge_ranges(ranges)).for_list().in_text_order())


def orphans_of(document: Document):
    """Marks an earlier version carried nowhere: they wait to be re-attached. One query."""
    return Annotation.objects.orphaned(document).select_related("span", "label", "created_by").order_by("span__start", "id")


def list_page(document: Document, filters: dict, after: tuple[int, int, int] | None = None):
    """One page of the list of marks, in text order, after the entry `after` (start, end, id).

    Returns the entries and the key to ask for the next page with (None on the last page). One query.
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


def list_counts(document: Document, filters: dict) -> tuple[int, int]:
    """(marks listed with these filters, marks in all): one query."""
    return Annotation.objects.current(document).counts(**filters)


def matches(annotation: Annotation, filters: dict) -> bool:
    """Whether a mark passes the list's filters (the same keys list_page filters on)."""
    for key, value in filters.items():
        if key == "label":
            if annotation.label_id != value.pk:
                return False
        elif getattr(annotation, key) != value:
            return False
    return True


# Pieces -------------------------------------------------------------------------------------------


@dataclass
class RenderedPiece:
    start: int
    text: str
    marks: list  # annotations covering the piece, innermost (shortest span) first

    @property
    def classes(self) -> str:
        if not self.marks:
            return "p"
        names = ["p", "m", f"c1-{self.marks[0].label_id}"]
        if len(self.marks) > 1:
            names.append(f"c2-{self.marks[1].label_id}")
        if len(self.marks) > 2:
            names.append("deep")
        return " ".join(names)

    @property
    def mark_ids(self) -> str:
        return " ".join(str(a.pk) for a in self.marks)

    @property
    def title(self) -> str:
        return "; ".join(f"{a.label.name} by {a.created_by.get_username()}" for a in self.marks)


@dataclass
class RenderedBlock:
    index: int
    start: int
    pieces: list

    def html(self, oob: bool = False) -> SafeString:
        """The block's markup: built here rather than by the template engine, which takes several times
        longer over the hundreds of pieces of a part of a long text. Every value is escaped."""
        swap = ' hx-swap-oob="true"' if oob else ""
        out = [f'<div id="block-{self.index}" class="block"{swap}>']
        for piece in self.pieces:
            out.append(f'<span class="{piece.classes}" data-start="{piece.start}"')
            if piece.marks:
                out.append(f' data-marks="{piece.mark_ids}" title="{html.escape(piece.title)}"')
            out.append(f">{html.escape(piece.text)}</span>")
        out.append("</div>")
        return SafeString("".join(out))

    def oob_html(self) -> SafeString:
        return self.html(oob=True)


def _by_span(annotations) -> tuple[dict, list]:
    by_span: dict[int, list] = {}
    spans = []
    for annotation in annotations:
        if annotation.span_id not in by_span:
            by_span[annotation.span_id] = []
            spans.append((annotation.span_id, annotation.span.start, annotation.span.end))
        by_span[annotation.span_id].append(annotation)
    return by_span, spans


def _dress(document_text: str, piece: textlib.Piece, by_span: dict, lengths: dict) -> RenderedPiece:
    span_ids = sorted(piece.span_ids, key=lambda sid: lengths[sid])
    marks = [a for sid in span_ids for a in by_span[sid]]
    return RenderedPiece(piece.start, document_text[piece.start : piece.end], marks)


def render_blocks(document: Document, annotations) -> list[RenderedBlock]:
    """Every block of the document's text with its pieces dressed with marks (a whole, short text)."""
    by_span, spans = _by_span(annotations)
    lengths = {sid: e - s for sid, s, e in spans}
    text = document.text
    return [
        RenderedBlock(b.index, b.start, [_dress(text, p, by_span, lengths) for p in b.pieces])
        for b in textlib.layout(text, spans)
    ]


def render_some_blocks(document: Document, layout: Layout, indexes, annotations) -> list[RenderedBlock]:
    """The blocks at `indexes` with their pieces dressed with the marks among `annotations`."""
    by_span, spans = _by_span(annotations)
    lengths = {sid: e - s for sid, s, e in spans}
    text = text_of(document)
    rendered = []
    for index in sorted(indexes):
        start, end = layout.starts[index], layout.ends[index]
        inside = [(sid, s, e) for sid, s, e in spans if s < end and start < e]
        pieces = textlib.segment(inside, start, end)
        rendered.append(RenderedBlock(index, start, [_dress(text, p, by_span, lengths) for p in pieces]))
    return rendered


def render_part(document: Document, layout: Layout, number: int) -> list[RenderedBlock]:
    """The blocks of one part of the text with their marks: one query."""
    first, last = layout.parts[number]
    annotations = marks_in(document, [layout.part_range(number)])
    return render_some_blocks(document, layout, range(first, last), annotations)


def plain_parts(document: Document, layout: Layout, numbers) -> SafeString:
    """Parts of the text as plain blocks, each part fetching its marks when it nears the viewport.

    Built as a string, not through the template engine: for a long text this is most of the page.
    """
    text = text_of(document)
    out = []
    for number in numbers:
        first, last = layout.parts[number]
        url = reverse("document_part", args=[document.pk, number])
        out.append(
            f'<div id="part-{number}" class="part" data-lazy hx-get="{url}?v={document.version}"'
            ' hx-trigger="near-viewport once" hx-swap="outerHTML">'
        )
        for index in range(first, last):
            start, end = layout.starts[index], layout.ends[index]
            out.append(
                f'<div id="block-{index}" class="block"><span class="p" data-start="{start}">'
                f"{html.escape(text[start:end])}</span></div>"
            )
        out.append("</div>")
    return SafeString("".join(out))


# Changes ------------------------------------------------------------------------------------------


def changes_since(document: Document, since: int) -> tuple[int, bool, list[tuple[int, int]] | None]:
    """What changed after revision `since`: the revision now, whether a new version of the text came
    (the page must reload), and the regions of the text the changes touched, joined (None: too many
    to go through one by one). Every revision has its Change row, so one query says all three."""
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


def project_authors(project):
    """Members of the project, for the author filter."""
    return get_user_model().objects.filter(memberships__project=project).order_by("username")
