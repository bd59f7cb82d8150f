"""The document page, composed in one place: the text in parts and blocks with their marked pieces, the list of
marks, the open mark's panel, and the answers that redraw what a write or a poll changed.

A long text is not drawn whole. Its blocks are grouped into parts of about PART_CHARS code points; the page draws
the first part with its marks and the others as plain text, and the browser fetches a part's marks when it comes
near the viewport. The list of marks comes a page at a time. After a change only the blocks and list entries it
touched are sent again (the Change rows say where). The cutting is pure (text.segment); the reads are the models'
QuerySets and `reads`.

Views parse the request, call an access helper and a service, and answer with one of the functions at the end of
this module: the page's own template (`document_detail.html` and its partials) for a read, and for a write one
small template named for what happened (`annotation_saved.html`, `annotation_deleted.html`, `document_changed.html`)
that includes the partials with hx-swap-oob.
"""

from __future__ import annotations

import bisect
import html
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django_htmx.http import trigger_client_event

from . import history, poll_pass, reads
from . import links as linklib
from . import text as textlib
from .forms import AnnotationUpdateForm, MarkFilterForm, QuickSourceForm, VerdictForm
from .guidelines import render as render_guidelines
from .ingest import pages as pagelib
from .kept_texts import text_of
from .models import Annotation, Document, DocumentVersion, LinkType, Rating, Role, Source
from .permissions import annotation_for, can_review, deleted_mark_of_member
from .services import verdicts as verdict_services

# Past this many changes since a page's revision, redraw the whole text rather than block by block.
MAX_CHANGES_FOR_PARTIAL_REDRAW = reads.MAX_CHANGES_FOR_PARTIAL_REDRAW
# Code points per part of the text fetched on its own (a few screens).
PART_CHARS = 8_000
# Marks per page of the side panel's list.
LIST_PAGE = reads.LIST_PAGE
QUOTATION = "quotation"


# Blocks and parts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where the blocks of one version of a text start and end, and how they group into parts."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    parts: tuple[tuple[int, int], ...]  # (first block, block after the last) of each part
    pages: tuple[tuple[int, str], ...] = ()  # (start, label) of each page of a text from a PDF; () for plain text

    @classmethod
    def of_text(cls, text: str, part_chars: int = PART_CHARS, pages=()) -> Layout:
        bounds = textlib.split_blocks(text)
        parts, first, size = [], 0, 0
        for index, (start, end) in enumerate(bounds):
            size += end - start
            if size >= part_chars:
                parts.append((first, index + 1))
                first, size = index + 1, 0
        if first < len(bounds):
            parts.append((first, len(bounds)))
        return cls(
            tuple(s for s, _ in bounds),
            tuple(e for _, e in bounds),
            tuple(parts),
            tuple((int(start), str(label)) for start, label in pages),
        )

    def touching(self, start: int, end: int) -> range:
        """Indexes of the blocks [start, end) overlaps (the block holding `start` when it is empty)."""
        first = max(0, bisect.bisect_right(self.starts, start) - 1)
        last = max(first + 1, bisect.bisect_left(self.starts, end))
        return range(first, min(last, len(self.starts)))

    def part_range(self, number: int) -> tuple[int, int]:
        first, last = self.parts[number]
        return self.starts[first], self.ends[last - 1]

    def block_ranges(self, indexes) -> list[tuple[int, int]]:
        return [(self.starts[i], self.ends[i]) for i in sorted(indexes)]

    @cached_property
    def _page_starts(self) -> list[int]:
        return [start for start, _ in self.pages]

    def pages_begun(self, index: int) -> list[str]:
        """The labels of the pages that begin in block `index` (the first block holds the first page's start, and
        a page that begins in the blank between two blocks is the next block's)."""
        if not self.pages:
            return []
        offsets = self._page_starts
        first = 0 if index == 0 else bisect.bisect_left(offsets, self.ends[index - 1])
        last = bisect.bisect_left(offsets, self.ends[index]) if index + 1 < len(self.ends) else len(offsets)
        return [label for _, label in self.pages[first:last]]

    def locator(self, start: int, end: int) -> str:
        """A citation's locator for [start, end) of this text: 'p. 3', 'pp. 3–4', or '' for a text without pages."""
        return pagelib.locator(self.pages, start, end)


# Derived from the text alone, so each process may keep its own copy: a version's text never changes
# (a new text is a new version), and created_at tells apart documents that reused a deleted one's id.
_layouts: dict[tuple, Layout] = {}
_LAYOUTS_KEPT = 32


def forget_layouts() -> None:
    """Drop every kept layout (tests that count queries start from none)."""
    _layouts.clear()


def layout_of(document: Document) -> Layout:
    key = (document.pk, document.version, document.created_at)
    layout = _layouts.get(key)
    if layout is None:
        if len(_layouts) >= _LAYOUTS_KEPT:
            _layouts.pop(next(iter(_layouts)))
        pages = DocumentVersion.objects.pages_of(document.pk, document.version)
        layout = _layouts[key] = Layout.of_text(text_of(document), pages=pages)
    return layout


def _piece_html(start: int, text: str, marks: list[reads.BlockMark]) -> str:
    """One piece of a block: its offset, the marks covering it (innermost first) and its text, all escaped.

    A marked piece is a <mark>, which assistive technology announces as highlighted text, described by its title
    ("Claim by editor1"): ARIA gives a mark no name of its own, and a name would stand in for the marked text. Its label
    shows beyond colour through the underline style of the c1- class (colours.label_rules)."""
    if not marks:
        return f'<span class="p" data-start="{start}">{html.escape(text)}</span>'
    classes = f"p m c1-{marks[0].label_id}"
    if len(marks) > 1:
        classes += f" c2-{marks[1].label_id}"
    if len(marks) > 2:
        classes += " deep"
    ids = " ".join(str(m.pk) for m in marks)
    title = html.escape("; ".join(f"{m.label_name} by {m.author}" for m in marks))
    return f'<mark class="{classes}" data-start="{start}" data-marks="{ids}" title="{title}">{html.escape(text)}</mark>'


def _pages_html(labels: list[str]) -> str:
    """The page number(s) beside a block where a page of the original begins: outside the pieces, so no offset or
    selection counts it."""
    if not labels:
        return ""
    said = ("p. " if len(labels) == 1 else "pp. ") + ", ".join(html.escape(label) for label in labels)
    return f'<span class="page-no">{said}</span>'


def block_html(
    index: int,
    pieces: list[tuple[int, str, list[reads.BlockMark]]],
    *,
    oob: bool = False,
    pages: list[str] | None = None,
) -> str:
    """A block's markup, the one place it is written. Built here rather than by the template engine, which takes
    several times longer over the hundreds of pieces of a part of a long text. Every value is escaped."""
    swap = ' hx-swap-oob="true"' if oob else ""
    inner = "".join(_piece_html(start, text, marks) for start, text, marks in pieces)
    return f'<div id="block-{index}" class="block"{swap}>{_pages_html(pages or [])}{inner}</div>'


def blocks_html(text: str, layout: Layout, indexes, marks: list[reads.BlockMark], *, oob: bool = False) -> SafeString:
    """The blocks of `text` at `indexes`, each cut into pieces by the `marks` that overlap it."""
    spans = {m.span_id: (m.start, m.end) for m in marks}
    on_span: dict[object, list[reads.BlockMark]] = {}
    for mark in marks:
        on_span.setdefault(mark.span_id, []).append(mark)
    out = []
    for index in sorted(indexes):
        start, end = layout.starts[index], layout.ends[index]
        inside = [(sid, s, e) for sid, (s, e) in spans.items() if s < end and start < e]
        pieces = []
        for piece in textlib.segment(inside, start, end):
            innermost_first = sorted(piece.span_ids, key=lambda sid: spans[sid][1] - spans[sid][0])
            pieces.append(
                (piece.start, text[piece.start : piece.end], [m for sid in innermost_first for m in on_span[sid]])
            )
        out.append(block_html(index, pieces, oob=oob, pages=layout.pages_begun(index)))
    return SafeString("".join(out))


def part_html(document: Document, layout: Layout, number: int) -> SafeString:
    """One part of the text with its marks: one query."""
    first, last = layout.parts[number]
    marks = reads.block_marks(document, [layout.part_range(number)])
    return blocks_html(text_of(document), layout, range(first, last), marks)


def whole_text_html(text: str, marks: list[reads.BlockMark]) -> SafeString:
    """A whole text with its marks at once: an earlier version, read as it was."""
    layout = Layout.of_text(text)
    return blocks_html(text, layout, range(len(layout.starts)), marks)


def plain_parts_html(document: Document, layout: Layout, numbers) -> SafeString:
    """Parts of the text as plain blocks, each part fetching its marks when it nears the viewport."""
    text = text_of(document)
    out = []
    for number in numbers:
        first, last = layout.parts[number]
        url = reverse("document_part", args=[document.pk, number])
        out.append(
            f'<div id="part-{number}" class="part" data-lazy hx-get="{url}?v={document.version}"'
            ' hx-trigger="near-viewport once" hx-swap="outerHTML">'
        )
        out += (
            block_html(
                i, [(layout.starts[i], text[layout.starts[i] : layout.ends[i]], [])], pages=layout.pages_begun(i)
            )
            for i in range(first, last)
        )
        out.append("</div>")
    return SafeString("".join(out))


def text_context(document: Document) -> dict:
    """The text: its first part drawn with its marks, the others plain until they near the viewport."""
    layout = layout_of(document)
    return {
        "part_number": 0,
        "part": part_html(document, layout, 0),
        "later_parts": plain_parts_html(document, layout, range(1, len(layout.parts))),
    }


def part_context(document: Document, number: int) -> dict | None:
    """One part of the text with its marks, or None when the text has no such part."""
    layout = layout_of(document)
    if number >= len(layout.parts):
        return None
    return {"part_number": number, "part": part_html(document, layout, number), "revision": document.revision}


# The list of marks --------------------------------------------------------------------------------


def filter_form(data, project) -> MarkFilterForm:
    return MarkFilterForm(data or None, project=project, authors=reads.project_authors(project))


def chosen_filters(data, project) -> dict:
    """The list's filters alone (no form to draw): none chosen, the common case, costs no form at all."""
    if not any(data.get(name) for name in MarkFilterForm.base_fields):
        return {}
    return filter_form(data, project).filters()


def list_context(document: Document, data, after: tuple[int, int, int] | None = None) -> dict:
    """The side panel's list: a page of entries, the counts, the orphans. Four queries."""
    form = filter_form(data, document.project)
    filters = form.filters()
    listed, next_key = reads.list_page(document, filters, after)
    listed_count, total = Annotation.objects.current(document).counts(**filters)
    return {
        "document": document,
        "filter_form": form,
        "listed": listed,
        "next_after": ".".join(map(str, next_key)) if next_key else "",
        "listed_count": listed_count,
        "mark_total": total,
        "orphans": list(reads.orphans_of(document)),
    }


def more_entries_context(document: Document, data, after: tuple[int, int, int]) -> dict:
    """The next page of the list's entries, after the entry `after`."""
    listed, next_key = reads.list_page(document, filter_form(data, document.project).filters(), after)
    return {"document": document, "listed": listed, "next_after": ".".join(map(str, next_key)) if next_key else ""}


def count_context(document: Document, data) -> dict:
    """The list's count ("3 of 40 marks") and its orphans: fetched on its own after a change, as counting every
    mark is the one part of an answer to a change that grows with the document."""
    listed_count, total = Annotation.objects.current(document).counts(**chosen_filters(data, document.project))
    return {
        "document": document,
        "listed_count": listed_count,
        "mark_total": total,
        "orphans": list(reads.orphans_of(document)),
    }


def _matches(annotation: Annotation, filters: dict) -> bool:
    """Whether a mark passes the list's filters (the keys reads.list_page filters on)."""
    for key, value in filters.items():
        if key == "label":
            if annotation.label_id != value.pk:
                return False
        elif getattr(annotation, key) != value:
            return False
    return True


# The open mark's panel ----------------------------------------------------------------------------


def panel_context(
    user,
    annotation: Annotation,
    membership,
    *,
    form=None,
    error=None,
    link_form=None,
    new_source_form=None,
    verdict_form=None,
    verdict_error="",
) -> dict:
    """Everything the open mark's panel shows: the mark, its edit form for its author, its sources (with their stored
    quotation checks: a page never works one out, nor reads a source's text), links, review and history."""
    project = annotation.span.document.project
    is_author = annotation.created_by_id == user.pk
    if form is None and is_author:
        form = AnnotationUpdateForm(
            initial={"label": annotation.label_id, "note": annotation.note, "version": annotation.version},
            project=project,
            offered_with=annotation.label_id,
        )
    events = history.history_of(annotation.pk, project.pk)
    return {
        "annotation": annotation,
        "is_author": is_author,
        "can_reattach": is_author or membership.role == Role.MANAGER,
        "edit_form": form,
        "error": error,
        "same_span": reads.same_span(annotation),
        "can_review": can_review(membership),
        "history": events,
        **_latest_change(events),
        **_sources_context(user, annotation, new_source_form),
        **links_context(annotation, membership, link_form),
        **verdict_context(annotation, membership, form=verdict_form, error=verdict_error),
    }


def _latest_change(events) -> dict:
    """Who made a mark's latest change and what it was, for the notice that it changed under an open panel."""
    if not events:
        return {}
    latest = [e for e in events if e.when == events[-1].when]
    return {"changed_by": latest[-1].who, "change_summary": "; ".join(e.what for e in latest)}


def _sources_context(user, annotation: Annotation, new_source_form=None) -> dict:
    can_cite = annotation.created_by_id == user.pk
    span, document = annotation.span, annotation.span.document
    # A text from a PDF: the page(s) the mark is on, shown, and the locator when it cites the document's own source.
    page = layout_of(document).locator(span.start, span.end) if span.version == document.version else ""
    return {
        "page": page,
        "own_source": document.source if can_cite and document.source_id else None,
        "citations": reads.citations_of(annotation),
        "is_quotation": annotation.label.key == QUOTATION,
        "can_cite": can_cite,
        "new_source_form": (new_source_form or QuickSourceForm(initial={"type": "book"})) if can_cite else None,
    }


def links_context(annotation: Annotation, membership, link_form=None) -> dict:
    """The panel's links section: the mark's links both ways, and the form to make one."""
    project_id = annotation.span.document.project_id
    panel_links = reads.panel_links(annotation)
    choices = linklib.type_choices(reads.link_type_rules(project_id), annotation.label_id)
    person = any(c.allows_person for c in choices)
    document = annotation.span.document
    linked_here = sorted(
        {
            p.other.pk
            for p in panel_links
            if p.other is not None
            and p.other.span.document_id == document.pk
            and p.other.span.version == document.version
        }
    )
    return {
        "panel_links": panel_links,
        "link_count": len(panel_links),
        "type_choices": choices,
        "link_sources": list(Source.objects.filter(project_id=project_id).only("pk", "title")) if person else None,
        "linked_here": " ".join(str(pk) for pk in linked_here),
        "link_form": link_form,
        "can_review_links": can_review(membership),
    }


def verdict_context(annotation: Annotation, membership, *, form=None, error: str = "") -> dict:
    """The panel's verdict section, for a claim: the verdict it has or shares, the other appearances of the same
    claim, and for reviewers and managers the form to give or change it (`form`: what they sent, when refused)."""
    if annotation.label.key != verdict_services.CLAIM:
        return {"is_claim": False}
    project_id = annotation.span.document.project_id
    edges = reads.claim_edges(project_id)
    claims = reads.joined(edges, annotation.pk)
    verdict = verdict_services.verdict_of(annotation, claims=claims)
    can_give = can_review(membership)
    if form is None and can_give:
        initial: dict[str, object] = {"appearances": verdict_services.document_url(annotation)}
        if verdict is not None:
            initial = {
                "rating": verdict.rating_id,
                "summary": verdict.summary,
                "explanation": verdict.explanation,
                "claimant": verdict.claimant,
                "claimant_source": verdict.claimant_source_id,
                "claim_date": verdict.claim_date,
                "appearances": "\n".join(verdict.appearances),
                "version": verdict.version,
            }
        form = VerdictForm(initial=initial)
    return {
        "is_claim": True,
        "verdict": verdict,
        "verdict_form": form if can_give else None,
        "verdict_error": error,
        "same_claims": reads.same_claims(annotation, claims),
        "verdict_history": reads.verdict_history(verdict) if verdict is not None else [],
        "similar_claims": reads.similar_claims(annotation, edges),
        "same_as_type": LinkType.objects.filter(project_id=project_id, key=linklib.SAME_AS)
        .values_list("pk", flat=True)
        .first(),
        "ratings": list(Rating.objects.filter(project_id=project_id)) if can_give else [],
        "claimant_sources": list(Source.objects.filter(project_id=project_id).only("pk", "title")) if can_give else [],
        "can_review_verdict": can_give and verdict is not None and verdict.created_by_id != membership.user_id,
        "summary_limit": verdict_services.SUMMARY_LIMIT - 1,
    }


def conflict_context(user, current: Annotation, membership, **kept) -> dict:
    """The panel of a mark that changed after the editor opened it, for a save the change refused: the mark as it is
    now beside the editor's input, kept (`kept`: the edit form's label and note, or the review's note), and forms at
    the current version, so saving again replaces the saved version knowingly."""
    form = None
    if "label" in kept:
        form = AnnotationUpdateForm(
            initial={"label": kept["label"], "note": kept["note"], "version": current.version},
            project=current.span.document.project,
            offered_with=current.label_id,
        )
    context = panel_context(user, current, membership, form=form)
    return {**context, "conflict": True, "review_draft": kept.get("review_note", "")}


def open_mark_update(user, document: Document, membership, open_mark: str) -> dict:
    """The open mark's panel as it is now, when the poll names the mark its page has open (`open_mark`: "id.version")
    and that mark changed or went since: the page shows it in place of the old one, or, when the old one holds
    unsaved input, only the notice of the change (annotator.js). Asked only when the document's revision moved."""
    number, _, version = open_mark.partition(".")
    pk = textlib.row_id(number)
    if pk is None or not version.isdecimal():
        return {}
    current = Annotation.objects.with_context().filter(pk=pk, span__document_id=document.pk).first()
    if current is None:  # deleted (or never a mark of this document: the same answer, so an id tells nothing)
        return {"mark_update": pk, "annotation": None, "deleted": True, "meanwhile": True}
    if str(current.version) == version:
        return {}
    return {"mark_update": pk, "meanwhile": True, **panel_context(user, current, membership)}


# The whole page -----------------------------------------------------------------------------------


def poller_context(user, document: Document, revision: int | None = None) -> dict:
    return {
        "document": document,
        "revision": document.revision if revision is None else revision,
        "poll_pass": poll_pass.issue(user.pk, document.pk),
    }


def page_context(user, document: Document, membership, data, open_annotation: Annotation | None = None) -> dict:
    context = {
        "project": document.project,
        "membership": membership,
        "labels": list(document.project.labels.filter(retired=False)),  # a retired label is offered no more
        "open": open_annotation,
        "can_review": can_review(membership),
        "guidelines": render_guidelines(document.project.guidelines),
        **text_context(document),
        **list_context(document, data),
        **poller_context(user, document),
    }
    if open_annotation is not None:
        context.update(panel_context(user, open_annotation, membership))
    return context


# What a write or a poll changed -------------------------------------------------------------------


def changes_context(user, document: Document, since: int, data, *, made: Annotation | None = None) -> dict | None:
    """What to redraw for a page at revision `since`: the touched blocks and list entries (or the whole text and list
    past MAX_CHANGES_FOR_PARTIAL_REDRAW changes), the revision and the poll's pass. None when a new version of the
    text came: the page must reload, its offsets mean nothing any more.

    `made`: the mark this request just made, which raised the revision by one. When the page was at the revision
    before, that mark's blocks are all there is to redraw and its entry all there is to list: the Change rows need
    not be read, nor the list fields of the other marks there (their entries did not change).
    """
    context: dict[str, Any] = {"project": document.project}
    layout = layout_of(document)
    if made is not None and since == document.revision - 1:
        touched: range | set[int] = layout.touching(made.span.start, made.span.end)
        context.update(poller_context(user, document))
        marks = reads.block_marks(document, layout.block_ranges(touched))
        context["blocks"] = blocks_html(text_of(document), layout, touched, marks, oob=True)
        # The counts for_list() annotates, which a new mark has none of (the stubs know only the model's fields).
        made.source_count, made.link_count = 0, 0  # type: ignore[attr-defined]
        context["updated"] = [made] if _matches(made, chosen_filters(data, document.project)) else []
        context["regions"] = ""  # no entry but the new one changed: the list keeps the others
        return context
    revision, text_changed, regions = reads.changes_since(document, since)
    if text_changed:
        return None
    context.update(poller_context(user, document, revision))
    if regions is None:
        # Too many changes to go through one by one: the text and the list as a fresh page has them.
        context.update(full_redraw=True, **text_context(document), **list_context(document, data))
        return context
    filters = chosen_filters(data, document.project)
    touched = {index for start, end in regions for index in layout.touching(start, end)}
    annotations = reads.marks_in(document, layout.block_ranges(touched))
    context["blocks"] = blocks_html(
        text_of(document), layout, touched, [reads.BlockMark.of(a) for a in annotations], oob=True
    )
    context["regions"] = " ".join(f"{start}-{end}" for start, end in regions)
    context["updated"] = [
        a
        for a in annotations
        if _matches(a, filters) and any(a.span.start < end and start < a.span.end for start, end in regions)
    ]
    return context


# Answers ------------------------------------------------------------------------------------------


def reload() -> HttpResponse:
    """The page must be drawn anew (a new version of its text): htmx reloads it."""
    response = HttpResponse(status=200)
    response["HX-Refresh"] = "true"
    return response


def answer_changes(
    request,
    document: Document,
    template: str,
    panel: dict,
    *,
    event: str = "",
    made: Annotation | None = None,
    status: int = 200,
) -> HttpResponse:
    """A write's answer from the document page: the panel as `panel` has it, and what changed on the page since the
    revision the page sent (`since`), in the template named for what happened; the client event, if any."""
    context = changes_context(request.user, document, since_of(request), request.POST or request.GET, made=made)
    if context is None:
        return reload()
    response = render(request, template, {**context, **panel}, status=status)
    if event:
        trigger_client_event(response, event)
    return response


def answer_saved(request, annotation_id: int, membership, event: str = "annotation-saved") -> HttpResponse:
    """The answer to a write from a mark's panel that went through: the mark's page for a plain POST; for htmx its
    panel as it is now, with what changed on the page, and the client event."""
    if not request.htmx:
        return redirect("annotation_detail", annotation_id=annotation_id)
    annotation, _ = annotation_for(request.user, annotation_id)
    panel = panel_context(request.user, annotation, membership)
    return answer_changes(request, annotation.span.document, "annotator/annotation_saved.html", panel, event=event)


def answer_panel(request, context: dict, status: int = 200) -> HttpResponse:
    """The open mark's panel alone (a refusal with its message, or a read)."""
    return render(request, "annotator/document_detail.html#mark-detail", context, status=status)


def answer_error(request, message: str, status: int, kept_note: str = "") -> HttpResponse:
    """The panel with only the message; `kept_note`: what the editor typed, shown so that it is not lost."""
    context = {"error": message, "kept_note": kept_note}
    return render(request, "annotator/document_detail.html#error", context, status=status)


def gone_meanwhile(request, annotation_id, kept_note: str) -> HttpResponse | None:
    """For a panel's save on a mark deleted since the panel was drawn: the message in place of the panel, with
    what was typed (else the 404 of an unknown id would replace it, and the typed text with it). None otherwise."""
    if request.htmx and deleted_mark_of_member(request.user, annotation_id):
        return answer_error(request, "This mark was deleted meanwhile; nothing was saved.", 409, kept_note=kept_note)
    return None


def since_of(request) -> int:
    """The revision the page sent: what it has drawn."""
    try:
        return max(0, int(request.GET.get("since") or request.POST.get("since") or 0))
    except ValueError:
        return 0
