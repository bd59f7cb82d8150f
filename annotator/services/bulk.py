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

from ..links import TypeRule
from ..models import Annotation, Citation, Document, Label, Link, LinkType, Source
from . import deliveries
from .errors import ActionRefused, Conflict
from .links import check_link_request, check_linked_marks, link_exists, locked_marks, rule_of
from .projects import check_member
from .quotations import refresh_quote_checks
from .search_index import index_links, index_new_marks
from .sources import already_cited, check_citation
from .spans import (
    already_marked,
    check_region,
    lock_document,
    locked_text,
    note_change,
    record_change,
    repeats,
    spans_at,
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


def _record_changes(regions: dict[int, list[tuple[int, int]]]) -> None:
    """One Change per document, covering every region touched in it."""
    for document_id, spans in regions.items():
        record_change(document_id, min(s for s, _ in spans), max(e for _, e in spans))


# Marks -------------------------------------------------------------------------------------------


def bulk_annotate(*, user, document: Document, marks: Sequence[NewMark], cap: int | None) -> list[Annotation]:
    """Make many marks on one document for one user, under annotate's rules. Returns them in the order given.

    The user must be a member; each label must be the project's; each span must lie in the text with its exact
    text; nobody marks the same text with the same label twice (earlier, or twice in the batch). Marks on the
    same region share its span, made with its quote context as annotate makes it.
    """
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
            annotations = _checked_marks(user, lock, text, marks)
            annotations = bulk_create_with_history(annotations, Annotation, default_user=user)
            index_new_marks(annotations)
            note_change(lock, min(mark.start for mark in marks), max(mark.end for mark in marks))
            deliveries.emit(
                document.project_id,
                deliveries.Event.MARK_CREATED,
                deliveries.later_marks(annotations),
                hooked=lock.hooked,
            )
    except IntegrityError:
        raise Conflict("Someone saved a mark on this text at the same moment; reload and try again.") from None
    return annotations


def _checked_marks(user, lock, text: str, marks: list[NewMark]) -> list[Annotation]:
    """The marks to save, on their spans (made where there are none); or BatchRefused naming every item that breaks
    a rule, each with the reason annotate would give for it alone."""
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
    spans, made = spans_at(lock, text, {(mark.start, mark.end) for _, mark in checked})
    repeated = repeats([(spans[m.start, m.end].pk, m.label.pk, user.pk) for _, m in checked], new_spans=made)
    bad += [(checked[at][0], already_marked(checked[at][1].label).message) for at in repeated]
    if bad:
        raise BatchRefused(bad)
    return [
        Annotation(span=spans[mark.start, mark.end], label=mark.label, note=mark.note, created_by=user)
        for mark in marks
    ]


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
            _record_changes(regions)
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
            projects = {}
            for link in links:
                mark = marks.get(link.from_annotation.pk)
                project_id = mark.span.document.project_id if mark else None
                if project_id is not None and project_id not in projects:
                    check_member(user, project_id)
                    projects[project_id] = dict(Label.objects.filter(project_id=project_id).values_list("pk", "name"))
            rules: dict[int, TypeRule] = {}
            taken = set(
                Link.objects.filter(from_annotation_id__in=pks).values_list(
                    "from_annotation_id", "type_id", "to_annotation_id", "to_source_id", "speaker"
                )
            )
            rows: list[Link] = []
            regions: dict[int, list[tuple[int, int]]] = {}
            for number, link in enumerate(links, 1):
                try:
                    rows.append(_checked_link(user, link, marks, projects, rules, taken))
                except ActionRefused as exc:
                    raise _refused(number, exc) from None
                for mark in (rows[-1].from_annotation, rows[-1].to_annotation):
                    if mark is not None:
                        regions.setdefault(mark.span.document_id, []).append((mark.span.start, mark.span.end))
            rows = bulk_create_with_history(rows, Link, default_user=user)
            index_links([row.pk for row in rows])
            _record_changes(regions)
            for project_id in {row.project_id for row in rows}:
                made = [row for row in rows if row.project_id == project_id]
                deliveries.emit(project_id, deliveries.Event.LINK_CREATED, deliveries.later_links(made))
    except IntegrityError:
        raise Conflict("The same link was saved at the same moment; reload the mark.") from None
    return rows


def _checked_link(user, link: NewLink, marks: dict, projects: dict, rules: dict, taken: set) -> Link:
    """The Link to save for one requested link, or the refusal create_link would give; notes it in `taken`."""
    wanted = [link.from_annotation.pk] + ([link.to_annotation.pk] if link.to_annotation is not None else [])
    if any(pk not in marks for pk in wanted):
        raise Conflict("One of the marks was deleted meanwhile.")
    source_mark = marks[link.from_annotation.pk]
    target_mark = marks[link.to_annotation.pk] if link.to_annotation is not None else None
    project_id = source_mark.span.document.project_id
    speaker = check_link_request(
        project_id=project_id, type=link.type, to_annotation=target_mark, to_source=link.to_source, speaker=link.speaker
    )
    if link.type.pk not in rules:
        rules[link.type.pk] = rule_of(link.type)
    check_linked_marks(
        source_mark, target_mark, project_id=project_id, rule=rules[link.type.pk], label_names=projects[project_id]
    )
    to_source_id = link.to_source.pk if link.to_source is not None else None
    key = (source_mark.pk, link.type.pk, target_mark.pk if target_mark else None, to_source_id, speaker)
    if key in taken:
        raise link_exists(link.type)
    taken.add(key)
    return Link(
        project_id=project_id,
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
) -> list[Annotation]:
    """Make many marks on one document with their citations and links: bulk_annotate, bulk_cite and bulk_link in
    one transaction, all or nothing. A refusal names the marks at fault by their index (`items`)."""
    marks = list(marks)
    _check_cap(len(marks), cap, "marks")
    with transaction.atomic():
        made = bulk_annotate(user=user, document=document, marks=marks, cap=None)
        citations, links = list(citations), list(links)
        try:
            bulk_cite(
                user=user,
                citations=[NewCitation(made[c.item], c.source, c.locator, c.note) for c in citations],
                cap=None,
            )
        except ActionRefused as exc:
            raise _of_marks(exc, [c.item for c in citations]) from None
        try:
            bulk_link(user=user, links=[_new_link(link, made) for link in links], cap=None)
        except ActionRefused as exc:
            raise _of_marks(exc, [link.item for link in links]) from None
    return made


def _new_link(link: ItemLink, made: list[Annotation]) -> NewLink:
    target = made[link.to_item] if link.to_item is not None else link.to_annotation
    return NewLink(made[link.item], link.type, target, link.to_source, link.speaker, link.note)


def _of_marks(exc: ActionRefused, item_of: list[int]) -> ActionRefused:
    """A refusal of the n-th citation or link, told as one of the mark it belongs to."""
    if not exc.items:
        return exc
    return BatchRefused([(item_of[index], message) for index, message in exc.items])
