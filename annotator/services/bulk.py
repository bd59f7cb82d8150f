"""Many marks, citations or links in one call: the rules of annotate, cite_source and create_link, saved in bulk.

For scripted clients and the benchmark's scale scenarios, where one call per mark would take minutes. Each call
checks everything before it saves anything, is all or nothing (one transaction), writes a history row for each
thing it makes, and records one Change per document touched, so an open page's revision moves once.
`cap` is the most items one call may make: pass settings.ANNOTATOR_MAX_MARKS_PER_REQUEST for anything a request
sent; None lifts it, for trusted callers that pick their own batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from ..models import Annotation, Citation, Document, Label, Link, LinkType, SearchEntry, Source, Status
from . import deliveries, rows
from .errors import ActionRefused, Conflict
from .links import ManyLinks, link_exists, locked_marks, record_link_changes
from .projects import check_member
from .quotations import refresh_quote_checks
from .search_index import index_links, index_marks_made
from .sources import already_cited, check_citation
from .spans import (
    already_marked,
    check_region,
    lock_document,
    locked_text,
    note_change,
    record_changes,
    repeats,
    span_ids_at,
)


@dataclass(frozen=True)
class NewMark:
    """A mark to make: document.text[start:end] == exact, with a label of the document's project."""

    start: int
    end: int
    exact: str
    label: Label
    note: str = ""


@dataclass(frozen=True)
class NewCitation:
    annotation: Annotation
    source: Source
    locator: str = ""
    note: str = ""


@dataclass(frozen=True)
class NewLink:
    """A link to make: to one mark, or one source, or one speaker, as create_link takes it."""

    from_annotation: Annotation
    type: LinkType
    to_annotation: Annotation | None = None
    to_source: Source | None = None
    speaker: str = ""
    note: str = ""


def _check_cap(count: int, cap: int | None, noun: str) -> None:
    if cap is not None and count > cap:
        raise ActionRefused(f"At most {cap} {noun} may be saved at once; this asked for {count}.")


def _refused(number: int, exc: ActionRefused) -> ActionRefused:
    """The same refusal, saying which item of the batch it was (counted from 1); `items` names it (from 0)."""
    refused = type(exc)(f"Item {number}: {exc.message}")
    refused.items = [(number - 1, exc.message)]
    return refused


class BatchRefused(ActionRefused):
    """Items of a batch that break a rule: `items` holds each one's index (from 0) and reason, in order. The
    message is the first one's, as a refusal of that item alone would say it."""

    def __init__(self, items: list[tuple[int, str]]):
        items = sorted(items)
        super().__init__(f"Item {items[0][0] + 1}: {items[0][1]}")
        self.items = items


# Marks -------------------------------------------------------------------------------------------


def bulk_annotate(*, user, document: Document, marks: Sequence[NewMark], cap: int | None) -> list[Annotation]:
    """Make many marks on one document for one user, under annotate's rules. Returns them in the order given.

    The user must be a member; each label must be the project's; each span must lie in the text with its exact
    text; nobody marks the same text with the same label twice (earlier, or twice in the batch). Marks on the
    same region share its span, made with its quote context as annotate makes it.
    """
    ids = bulk_mark_ids(user=user, document=document, marks=marks, cap=cap)
    found = Annotation.objects.select_related("span", "label").in_bulk(ids)
    return [found[pk] for pk in ids]


def bulk_mark_ids(*, user, document: Document, marks: Sequence[NewMark], cap: int | None) -> list[int]:
    """bulk_annotate, answering with the new marks' ids only (in the order given): what a request needs, without
    reading 10,000 marks back. Their rows are written by the thousand (rows.insert): the marks, their history rows
    ("+", by the user, as simple_history writes them) and their search entries, as the single-mark path makes them."""
    marks = list(marks)
    _check_cap(len(marks), cap, "marks")
    check_member(user, document.project_id)
    if any(mark.label.project_id != document.project_id for mark in marks):
        raise ActionRefused("That label belongs to another project.")
    if not marks:
        return []
    try:
        with transaction.atomic():
            # Locked as annotate locks it: a new version saved meanwhile must not take marks made on the old one.
            lock = lock_document(document.pk)
            text = locked_text(lock, document)
            spans = _checked_spans(user, lock, text, marks)
            ids = _write_marks(user, document, marks, spans)
            note_change(lock, min(mark.start for mark in marks), max(mark.end for mark in marks))
            deliveries.emit(
                document.project_id, deliveries.Event.MARK_CREATED, deliveries.Later("mark", ids), hooked=lock.hooked
            )
    except IntegrityError:
        raise Conflict("Someone saved a mark on this text at the same moment; reload and try again.") from None
    return ids


def _checked_spans(user, lock, text: str, marks: list[NewMark]) -> list[int]:
    """The span of each mark, by id (made where there is none); or BatchRefused naming every item that breaks a
    rule, each with the reason annotate would give for it alone."""
    bad: list[tuple[int, str]] = []
    for index, mark in enumerate(marks):
        try:
            if mark.label.retired:
                raise ActionRefused(f"The label “{mark.label.name}” is retired: choose another.")
            check_region(text, mark.start, mark.end, mark.exact)
        except ActionRefused as exc:
            bad.append((index, exc.message))
    refused = {index for index, _ in bad}
    checked = [(index, mark) for index, mark in enumerate(marks) if index not in refused]
    spans, made = span_ids_at(lock, text, {(mark.start, mark.end) for _, mark in checked})
    editor = user.pk  # read once: a request's user is a lazy object, slow to ask 10,000 times
    repeated = repeats([(spans[m.start, m.end], m.label.pk, editor) for _, m in checked], new_spans=made)
    bad += [(checked[at][0], already_marked(checked[at][1].label).message) for at in repeated]
    if bad:
        raise BatchRefused(bad)
    return [spans[mark.start, mark.end] for mark in marks]


def _write_marks(user, document: Document, marks: list[NewMark], spans: list[int]) -> list[int]:
    """The marks' rows, their history rows and their search entries; the new marks' ids in order."""
    made = Annotation(created_by=user)
    shared = rows.prepared(made)  # its defaults, and the time (auto_now_add) set on it
    ids = rows.insert(
        Annotation,
        shared,
        ["span_id", "label_id", "note"],
        [(span, mark.label.pk, mark.note) for span, mark in zip(spans, marks, strict=True)],
        returning=True,
    )
    history = Annotation.history.model
    as_made = {field.attname: getattr(made, field.attname) for field in Annotation._meta.concrete_fields}
    rows.insert(
        history,
        rows.prepared(history(**as_made, history_date=made.created_at, history_type="+", history_user_id=user.pk)),
        ["id", "span_id", "label_id", "note"],
        [(pk, span, mark.label.pk, mark.note) for pk, span, mark in zip(ids, spans, marks, strict=True)],
    )
    index_marks_made(
        SearchEntry(
            project_id=document.project_id,
            kind=SearchEntry.Kind.MARK,
            document_id=document.pk,
            status=Status.PENDING,
            author_id=user.pk,
            created_at=made.created_at,
        ),
        [(pk, mark.start, mark.label, mark.exact, mark.note) for pk, mark in zip(ids, marks, strict=True)],
    )
    return ids


# Citations ---------------------------------------------------------------------------------------


def bulk_cite(*, user, citations: Sequence[NewCitation], cap: int | None) -> list[Citation]:
    """Cite many sources for the user's marks, under cite_source's rules. Returns them in the order given.

    The user must be a member of each mark's project and the mark's author; each source must be of that project;
    each locator is 200 characters at most; a mark cites a source at a locator once.
    """
    citations = list(citations)
    _check_cap(len(citations), cap, "citations")
    if not citations:
        return []
    try:
        with transaction.atomic():
            wanted = {c.annotation.pk for c in citations}
            found = Annotation.objects.with_document().filter(pk__in=wanted)
            marks = {a.pk: a for a in found}
            for project_id in {a.span.document.project_id for a in marks.values()}:
                check_member(user, project_id)
            taken = set(
                Citation.objects.filter(annotation_id__in=marks.keys()).values_list(
                    "annotation_id", "source_id", "locator"
                )
            )
            rows: list[Citation] = []
            regions: dict[int, list[tuple[int, int]]] = {}
            for number, citation in enumerate(citations, 1):
                mark = marks.get(citation.annotation.pk)
                if mark is None:
                    raise _refused(number, Conflict("This mark was deleted meanwhile."))
                try:
                    locator = check_citation(
                        user=user,
                        annotation=mark,
                        source=citation.source,
                        project_id=mark.span.document.project_id,
                        locator=citation.locator,
                    )
                    key = (mark.pk, citation.source.pk, locator)
                    if key in taken:
                        raise already_cited(citation.source, locator)
                except ActionRefused as exc:
                    raise _refused(number, exc) from None
                taken.add(key)
                rows.append(
                    Citation(annotation=mark, source=citation.source, locator=locator, note=citation.note.strip())
                )
                regions.setdefault(mark.span.document_id, []).append((mark.span.start, mark.span.end))
            rows = bulk_create_with_history(rows, Citation, default_user=user)
            refresh_quote_checks(Citation.objects.filter(pk__in=[row.pk for row in rows]))
            record_changes(regions)
    except IntegrityError:
        raise Conflict("The same citation was saved at the same moment; reload the mark.") from None
    return rows


# Links -------------------------------------------------------------------------------------------


def bulk_link(*, user, links: Sequence[NewLink], cap: int | None) -> list[Link]:
    """Make many links for the user, under create_link's rules. Returns them in the order given.

    The user must be a member of each link's project; each link has one target (a mark, a source or a speaker)
    of that project; both marks lie on their documents' current text; the type allows their labels; and the same
    link is not made twice.
    """
    links = list(links)
    _check_cap(len(links), cap, "links")
    if not links:
        return []
    try:
        with transaction.atomic():
            pks = {link.from_annotation.pk for link in links} | {
                link.to_annotation.pk for link in links if link.to_annotation is not None
            }
            marks = locked_marks(*pks)
            # The project of a link is its first mark's; a target elsewhere is refused by the rules below.
            sources = [marks[link.from_annotation.pk] for link in links if link.from_annotation.pk in marks]
            for project_id in {mark.span.document.project_id for mark in sources}:
                check_member(user, project_id)
            checks = ManyLinks(marks)
            rows: list[Link] = []
            for number, link in enumerate(links, 1):
                try:
                    rows.append(_checked_link(user, link, marks, checks))
                except ActionRefused as exc:
                    raise _refused(number, exc) from None
            rows = bulk_create_with_history(rows, Link, default_user=user)
            index_links([row.pk for row in rows])
            record_link_changes(rows)
            for project_id in {row.project_id for row in rows}:
                made = [row for row in rows if row.project_id == project_id]
                deliveries.emit(project_id, deliveries.Event.LINK_CREATED, deliveries.later_links(made))
    except IntegrityError:
        raise Conflict("The same link was saved at the same moment; reload the mark.") from None
    return rows


def _checked_link(user, link: NewLink, marks: dict, checks: ManyLinks) -> Link:
    """The Link to save for one requested link, or the refusal create_link would give."""
    wanted = [link.from_annotation.pk] + ([link.to_annotation.pk] if link.to_annotation is not None else [])
    if any(pk not in marks for pk in wanted):
        raise Conflict("One of the marks was deleted meanwhile.")
    source_mark = marks[link.from_annotation.pk]
    target_mark = marks[link.to_annotation.pk] if link.to_annotation is not None else None
    speaker, new = checks.check(
        source_mark, target_mark, type=link.type, to_source=link.to_source, speaker=link.speaker
    )
    if not new:
        raise link_exists(link.type)
    return Link(
        project_id=source_mark.span.document.project_id,
        type=link.type,
        from_annotation=source_mark,
        to_annotation=target_mark,
        to_source=link.to_source,
        speaker=speaker,
        note=link.note.strip(),
        created_by=user,
    )


# Marks with their citations and links, in one go ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemCitation:
    """A citation of the batch's mark number `item` (from 0)."""

    item: int
    source: Source
    locator: str = ""
    note: str = ""


@dataclass(frozen=True)
class ItemLink:
    """A link from the batch's mark number `item` to another of the batch (`to_item`), a mark that exists, a source
    or a speaker."""

    item: int
    type: LinkType
    to_item: int | None = None
    to_annotation: Annotation | None = None
    to_source: Source | None = None
    speaker: str = ""
    note: str = ""


def bulk_mark_up(
    *,
    user,
    document: Document,
    marks: Sequence[NewMark],
    citations: Sequence[ItemCitation] = (),
    links: Sequence[ItemLink] = (),
    cap: int | None,
) -> list[int]:
    """Make many marks on one document with their citations and links: bulk_annotate, bulk_cite and bulk_link in
    one transaction, all or nothing. Returns the new marks' ids, in order. A refusal names the marks at fault by
    their index (`items`)."""
    marks = list(marks)
    _check_cap(len(marks), cap, "marks")
    with transaction.atomic():
        made = bulk_mark_ids(user=user, document=document, marks=marks, cap=None)
        citations, links = list(citations), list(links)
        # bulk_cite and bulk_link read the marks they name again, under their lock: by id is all they need here.
        named = {pk: Annotation(pk=pk) for pk in _named(made, citations, links)}
        try:
            bulk_cite(
                user=user,
                citations=[NewCitation(named[made[c.item]], c.source, c.locator, c.note) for c in citations],
                cap=None,
            )
        except ActionRefused as exc:
            raise _of_marks(exc, [c.item for c in citations]) from None
        try:
            bulk_link(user=user, links=[_new_link(link, made, named) for link in links], cap=None)
        except ActionRefused as exc:
            raise _of_marks(exc, [link.item for link in links]) from None
    return made


def _named(made: list[int], citations: list[ItemCitation], links: list[ItemLink]) -> set[int]:
    items = {c.item for c in citations} | {link.item for link in links}
    items |= {link.to_item for link in links if link.to_item is not None}
    return {made[item] for item in items}


def _new_link(link: ItemLink, made: list[int], named: dict[int, Annotation]) -> NewLink:
    target = named[made[link.to_item]] if link.to_item is not None else link.to_annotation
    return NewLink(named[made[link.item]], link.type, target, link.to_source, link.speaker, link.note)


def _of_marks(exc: ActionRefused, item_of: list[int]) -> ActionRefused:
    """A refusal of the n-th citation or link, told as one of the mark it belongs to."""
    if not exc.items:
        return exc
    return BatchRefused([(item_of[index], message) for index, message in exc.items])
