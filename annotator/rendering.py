"""What the document page shows: its blocks with their marked pieces, and its list of marks.

The cutting itself is pure (text.layout / text.segment); this module fetches the marks in a fixed
number of queries and dresses the pieces for the template.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from . import text as textlib
from .models import Annotation, Change, Document, Link

# Past this many changes since a page's revision, redraw the whole text rather than block by block.
MAX_CHANGES_FOR_PARTIAL_REDRAW = 200


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


def _link_count():
    # Subqueries, not joins: a join on links would multiply the citations counted beside it.
    def count(field):
        rows = Link.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows), 0)

    return count("from_annotation") + count("to_annotation")


def marks_of(document: Document):
    """Every mark of the document with what the page shows of it, in text order: one query."""
    return (
        Annotation.objects.filter(span__document=document, span__version=document.version)
        .select_related("span", "label", "created_by")
        .annotate(source_count=Count("citations"), link_count=_link_count())
        .order_by("span__start", "span__end", "id")
    )


def orphans_of(document: Document):
    """Marks an earlier version carried nowhere: they wait to be re-attached. One query."""
    return (
        Annotation.objects.filter(span__document=document, placement="orphaned")
        .exclude(span__version=document.version)
        .select_related("span", "label", "created_by")
        .order_by("span__start", "id")
    )


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


def render_blocks(document: Document, annotations, only: set[int] | None = None) -> list[RenderedBlock]:
    """The document's blocks (all, or the indexes in `only`) with their pieces dressed with marks."""
    by_span, spans = _by_span(annotations)
    lengths = {sid: e - s for sid, s, e in spans}
    text = document.text
    if only is None:
        blocks = textlib.layout(text, spans)
        return [
            RenderedBlock(b.index, b.start, [_dress(text, p, by_span, lengths) for p in b.pieces]) for b in blocks
        ]
    bounds = textlib.split_blocks(text)
    rendered = []
    for index in sorted(only):
        start, end = bounds[index]
        inside = [(sid, s, e) for sid, s, e in spans if s < end and start < e]
        pieces = textlib.segment(inside, start, end)
        rendered.append(RenderedBlock(index, start, [_dress(text, p, by_span, lengths) for p in pieces]))
    return rendered


def text_changed_since(document: Document, since: int) -> bool:
    """Whether a new version of the text came after revision `since` (the page must reload)."""
    return Change.objects.filter(document=document, revision__gt=since, text_changed=True).exists()


def changed_blocks(document: Document, since: int) -> set[int] | None:
    """Indexes of the blocks touched by changes after revision `since`; None means redraw everything."""
    changes = list(
        Change.objects.filter(document=document, revision__gt=since).values_list("start", "end", "text_changed")[
            : MAX_CHANGES_FOR_PARTIAL_REDRAW + 1
        ]
    )
    if len(changes) > MAX_CHANGES_FOR_PARTIAL_REDRAW:
        return None
    bounds = textlib.split_blocks(document.text)
    touched: set[int] = set()
    for start, end, _ in changes:
        touched.update(textlib.blocks_touching(bounds, start, end))
    return touched


def authors_of(annotations) -> list:
    seen = {}
    for annotation in annotations:
        seen.setdefault(annotation.created_by_id, annotation.created_by)
    return sorted(seen.values(), key=lambda u: u.get_username())


def project_authors(project):
    """Members of the project, for the author filter."""
    return get_user_model().objects.filter(memberships__project=project).order_by("username")
