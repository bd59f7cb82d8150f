"""Importing marks from our CSV or JSON-LD, and W3C annotations as other tools write them: match each row to its
project, document, label, people and sources, place it in the text, and save it with its citations, or report why not.

Other tools' annotations (Hypothesis, Recogito, the W3C's examples) name no project, tag freely and are made by people
this app does not know: a Mapping says where they go (a document, a label for marks whose tags name none of the
project's labels, a user for creators it does not know, a link type for relations of another vocabulary), and what
the file said that does not fit (free tags, the original creator, a relation's own name) is kept in the note.

All or nothing by default: when any row cannot be imported, nothing is saved and every problem is
reported with its row. With partial=True the rows that can be imported are saved (each mark whole,
with its citations) and the others reported. A mark already there (same text, label and editor) is
left alone, so running an import again changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.parse import unquote

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .. import anchoring, bibliography
from .. import text as textlib
from ..exchange.readers import ImportCitation, ImportLink, ImportRow, Problem, split_citation
from ..exchange.records import SourceRecord, source_citation
from ..models import Annotation, Citation, Document, Label, Link, LinkType, Membership, Project, Role, Source, Status
from . import deliveries, links
from .errors import ActionRefused, Forbidden
from .projects import check_member
from .quotations import refresh_quote_checks
from .search_index import index_links, index_marks, index_sources
from .spans import Lock, lock_document, record_change, repeats, span_at

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass
class ImportReport:
    created: int = 0  # marks saved at their offsets
    reanchored: int = 0  # marks saved after being found again by their text and context
    unchanged: int = 0  # marks that were there already
    sources_created: int = 0
    links_created: int = 0
    links_unchanged: int = 0
    problems: list = field(default_factory=list)
    placed: list = field(default_factory=list)  # (row, how it was placed and mapped) per mark saved or already there

    @property
    def saved(self) -> int:
        return self.created + self.reanchored


class ImportFailed(ActionRefused):
    """Nothing was imported: the report lists every row that could not be."""

    def __init__(self, report: ImportReport):
        super().__init__(f"Nothing was imported: {len(report.problems)} row(s) cannot be imported.")
        self.report = report


@dataclass(frozen=True)
class Mapping:
    """Where the marks of another tool's file go, for what the file does not say in our terms. Each is optional."""

    document: Document | None = None  # every mark into this document (RecogitoJS names none)
    label: str = ""  # the key of the label for a mark whose tags name none of the project's labels
    as_user: User | None = None  # the user (a member) who makes the marks of creators this app does not know
    link_type: str = ""  # the key of the link type for a relation whose name is no link type of the project


@dataclass
class _Plan:
    row: ImportRow
    document: Document
    start: int
    end: int
    moved: bool
    label: Label
    annotator: User
    reviewer: User | None
    citations: list  # of (Source | dict of CSL fields to create, locator, note)
    note: str = ""
    how: str = ""


class _Project:
    """What one project offers the rows that name it, read once."""

    def __init__(self, project: Project):
        self.project = project
        self.labels = {label.key: label for label in project.labels.all()}
        self.documents = list(Document.objects.filter(project=project).select_related("source"))
        members = Membership.objects.filter(project=project).select_related("user")
        self.members = {m.user.get_username(): m.user for m in members}
        self.sources = list(Source.objects.filter(project=project))
        self.references: dict[str, list[Source]] = defaultdict(list)
        for source in self.sources:
            self.references[source_citation(_record_of(source))].append(source)


def _record_of(source: Source) -> SourceRecord:
    return SourceRecord(**{name: getattr(source, name) for name in SourceRecord.__dataclass_fields__})


def import_marks(
    *,
    user=None,
    rows: list[ImportRow],
    problems: Sequence[Problem] = (),
    project: Project | None = None,
    partial: bool = False,
    dry_run: bool = False,
    links: Sequence[ImportLink] = (),
    mapping: Mapping = Mapping(),
) -> ImportReport:
    """Import parsed rows (exchange.read) into their projects, or all into `project` (or `mapping.document`) when
    given, then the links between them (JSON-LD), each through the links service so the type rules hold.

    `user`, when given, must manage every project imported into; None is the operator at the command line.
    Problems found while reading the file count as rows that cannot be imported. `dry_run` imports and rolls back.
    The report's `placed` says, row by row, how each mark was placed and mapped.
    """
    report = ImportReport(problems=list(problems))
    if mapping.document is not None:
        if project is not None and project.pk != mapping.document.project_id:
            raise ActionRefused("The document chosen is not in the project chosen.")
        project = mapping.document.project
    projects: dict[str, _Project | None] = {}
    people = _people(rows) | {link.author for link in links}
    users = {u.get_username(): u for u in get_user_model().objects.filter(username__in=people)}
    plans = []
    for row in rows:
        try:
            plans.append(_plan(row, project, projects, users, user, mapping))
        except (ActionRefused, ValueError) as exc:
            report.problems.append(Problem(row.line, exc.message if isinstance(exc, ActionRefused) else str(exc)))
    iris = {plan.row.iri: plan for plan in plans if plan.row.iri}
    resolved = []
    types: dict[int, set[str]] = {}  # the keys of each project's link types, read once per project
    for link in links:
        link, problem = _resolve_link(link, iris, users, mapping, types)
        if problem:
            report.problems.append(Problem(link.line, problem))  # a partial import leaves it out
        else:
            resolved.append(link)
    links = resolved
    if mapping.as_user is not None:
        users = {**users, mapping.as_user.get_username(): mapping.as_user}
    report.problems.sort(key=lambda p: p.line)
    if report.problems and not partial:
        raise ImportFailed(report)
    with transaction.atomic():
        _save_all(plans, links, rows, users, user, partial, report)
        if dry_run:
            # A dry run is the import itself, undone: it reports what the real one does (links and sources included).
            transaction.set_rollback(True)
    report.problems.sort(key=lambda p: p.line)
    return report


def _save_all(
    plans: list,
    links: Sequence[ImportLink],
    rows: list[ImportRow],
    users: dict,
    user,
    partial: bool,
    report: ImportReport,
) -> None:
    touched: dict[int, tuple[int, int]] = {}
    # The lock of each document imported into, for the whole import (its transaction, not a row's), taken in a fixed
    # order so that two imports cannot deadlock. The plans placed marks on the text they read: a row whose document
    # got a new version before the lock cannot be saved. The revision goes up at the end, where marks came.
    locks = {pk: lock_document(pk, bump=False) for pk in sorted({plan.document.pk for plan in plans})}
    by_iri: dict[str, Annotation] = {}
    cited: list[int] = []  # marks made with citations
    made: list[int] = []  # marks made (indexed once their times are the file's)
    for plan in plans:
        if locks[plan.document.pk].version != plan.document.version:
            report.problems.append(
                Problem(
                    plan.row.line,
                    f"“{plan.document.title}” got a new version while this was imported: import the file again",
                )
            )
            if not partial:
                raise ImportFailed(report)
            continue
        try:
            with transaction.atomic():
                outcome, annotation = _save(plan, locks[plan.document.pk], user, report)
        except IntegrityError:
            # Someone marked the same text at the same moment; the row is reported, the rest goes on.
            report.problems.append(Problem(plan.row.line, "someone saved the same mark meanwhile"))
            if not partial:
                raise ImportFailed(report) from None
            continue
        if plan.row.iri:
            by_iri[plan.row.iri] = annotation
        report.placed.append(Problem(plan.row.line, f"{_OUTCOMES[outcome]}; {plan.how}"))
        if outcome == "unchanged":
            report.unchanged += 1
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        made.append(annotation.pk)
        if plan.citations:
            cited.append(annotation.pk)
        low, high = touched.get(plan.document.pk, (plan.start, plan.end))
        touched[plan.document.pk] = (min(low, plan.start), max(high, plan.end))
    refresh_quote_checks(Citation.objects.filter(annotation_id__in=cited))
    index_marks(made)
    if made:
        _emit_made(plans, made)
    for document_id, (start, end) in touched.items():
        record_change(document_id, start, end)
    wanted = [
        link
        for link in links  # those whose marks are not in the file were reported above (a partial import)
        if link.from_iri in by_iri and not (_to_mark(link, by_iri) and link.to_iri not in by_iri)
    ]
    made_links = _save_links(wanted, by_iri, users, rows, partial, report)
    # One event for an import's links, as for its marks (and a bulk write's): not one delivery per link.
    linked: dict[int, list[int]] = {}  # the links made, by project
    for made_link in made_links:
        linked.setdefault(made_link.project_id, []).append(made_link.pk)
    for project_id, ids in linked.items():
        deliveries.emit(project_id, deliveries.Event.LINK_CREATED, deliveries.Later("link", ids))


def _emit_made(plans: list, made: list[int]) -> None:
    """The hooks of each project imported into hear of its new marks (sent as bulk writes are: by ids)."""
    project_of = {plan.document.pk: plan.document.project_id for plan in plans}
    by_project: dict[int, list[int]] = {}
    for pk, document_id in Annotation.objects.filter(pk__in=made).values_list("pk", "span__document_id"):
        by_project.setdefault(project_of[document_id], []).append(pk)
    for project_id, ids in by_project.items():
        deliveries.emit(project_id, deliveries.Event.MARK_CREATED, deliveries.Later("mark", sorted(ids)))


_OUTCOMES = {
    "created": "saved",
    "reanchored": "saved",
    "unchanged": "already there",
}


def _to_mark(link: ImportLink, marks: dict) -> bool:
    """Whether a link points at a mark: by our ids, or by the id another tool gave a mark of the file."""
    return link.to_mark or link.to_iri in marks


def _resolve_link(
    link: ImportLink, iris: dict, users: dict, mapping: Mapping, types: dict[int, set[str]]
) -> tuple[ImportLink, str]:
    """The link with its type and author as the project knows them (through the mapping), and its problem or ''."""
    if link.from_iri not in iris:
        return link, "the link starts at a mark that is not imported from this file"
    if _to_mark(link, iris) and link.to_iri not in iris:
        return link, "the link points at a mark that is not imported from this file"
    if link.author not in users:
        if mapping.as_user is None:
            return link, f"unknown user “{link.author}”" if link.author else "the link names no creator; choose a user"
        kept = f"Linked by {link.author} (imported)" if link.author else ""
        link = replace(link, author=mapping.as_user.get_username(), note=_joined(link.note, kept))
    project = iris[link.from_iri].document.project
    if project.pk not in types:
        types[project.pk] = set(LinkType.objects.filter(project=project).values_list("key", flat=True))
    if link.type not in types[project.pk]:
        if not mapping.link_type:
            return link, f"the project has no link type “{link.type}”" if link.type else "the link names no link type"
        kept = f"Relation in the file: {link.type}" if link.type else ""
        link = replace(link, type=mapping.link_type, note=_joined(link.note, kept))
    return link, ""


def _joined(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _link_source(link: ImportLink, project_id: int, rows: list[ImportRow]) -> Source | None:
    """The source a link points at: by the DOI or URL its id is made from (JSON-LD), or (CSV) as the marks
    citing that source id in the marks file found it."""
    if link.to_iri.startswith("source:"):
        old = int(link.to_iri.split(":", 1)[1])
        context = _Project(Project.objects.get(pk=project_id))
        for row in rows:
            for citation in row.citations:
                if citation.source_id == old:
                    try:
                        return _csv_citation(citation, context)[0]
                    except ValueError:
                        return None
        return None
    iri = unquote(link.to_iri)
    sources = Source.objects.filter(project_id=project_id)
    if iri.lower().startswith("https://doi.org/"):
        return sources.filter(doi=bibliography.normalise_doi(iri)).first()
    return sources.filter(url=link.to_iri).first()


def _save_links(
    wanted: Sequence[ImportLink], by_iri: dict, users: dict, rows: list[ImportRow], partial: bool, report: ImportReport
) -> list[Link]:
    """The file's links between marks it imported (or to sources and speakers), under create_link's rules, each
    checked on its own (a refused one is reported with its line) and all saved at once, with their history; a link
    the project has already (or the file twice) is counted unchanged. Its author, review state and date are the
    file's."""
    kinds: dict[tuple[int, str], LinkType | None] = {}
    planned: list[tuple[ImportLink, Annotation, Annotation | None, Source | None, LinkType]] = []

    def refuse(link: ImportLink, message: str) -> None:
        report.problems.append(Problem(link.line, message))
        if not partial:
            raise ImportFailed(report)

    if not wanted:
        return []
    # The marks linked, locked and read with their documents (without the text) in one query.
    ends = [(by_iri[link.from_iri], by_iri[link.to_iri] if _to_mark(link, by_iri) else None) for link in wanted]
    marks = links.locked_marks(*{mark.pk for pair in ends for mark in pair if mark is not None})
    for link, (start_mark, end_mark) in zip(wanted, ends, strict=True):
        source_mark = marks[start_mark.pk]
        project_id = source_mark.span.document.project_id
        if (project_id, link.type) not in kinds:
            kinds[project_id, link.type] = LinkType.objects.filter(project_id=project_id, key=link.type).first()
        kind = kinds[project_id, link.type]
        if kind is None:
            refuse(link, f"the project has no link type “{textlib.isolated(link.type)}”")
            continue
        to_mark = marks[end_mark.pk] if end_mark is not None else None
        to_source = None
        if link.to_iri and to_mark is None:
            to_source = _link_source(link, project_id, rows)
            if to_source is None:
                refuse(link, "the link points at a source the project does not have")
                continue
        planned.append((link, source_mark, to_mark, to_source, kind))
    if not planned:
        return []
    checks = links.ManyLinks(marks)
    members: set[tuple[int, int]] = set()  # (author, project) found members
    made: list[tuple[ImportLink, Link]] = []
    for link, source_mark, to_mark, to_source, kind in planned:
        author = users[link.author]
        project_id = source_mark.span.document.project_id
        try:
            if (author.pk, project_id) not in members:
                check_member(author, project_id)
                members.add((author.pk, project_id))
            speaker, new = checks.check(source_mark, to_mark, type=kind, to_source=to_source, speaker=link.speaker)
        except ActionRefused as exc:
            refuse(link, exc.message)
            continue
        if not new:
            report.links_unchanged += 1
            continue
        row = Link(
            project_id=project_id,
            type=kind,
            from_annotation=source_mark,
            to_annotation=to_mark,
            to_source=to_source,
            speaker=speaker,
            note=link.note.strip(),
            status=link.status,
            created_by=author,
        )
        row._history_user = author  # simple_history reads the user and the reason of each row
        if link.status != Status.PENDING:
            row._change_reason = f"Imported as {link.status}"
        made.append((link, row))
    if not made:
        return []
    saved = bulk_create_with_history([row for _, row in made], Link)
    for (link, _), row in zip(made, saved, strict=True):
        row.created_at = link.created_at or row.created_at  # the file's date, as the marks keep theirs
    Link.objects.bulk_update(saved, ["created_at"])
    index_links([row.pk for row in saved])
    links.record_link_changes(saved)
    report.links_created += len(saved)
    return saved


def _people(rows) -> set[str]:
    return {name for row in rows for name in (row.annotator, row.reviewer) if name}


def _project_for(row: ImportRow, forced: Project | None, projects: dict, user) -> _Project:
    name = forced.name if forced is not None else row.project
    if name not in projects:
        found = forced if forced is not None else Project.objects.filter(name=name).first()
        if found is not None and user is not None:
            membership = Membership.objects.filter(user=user, project=found).first()
            if membership is None or membership.role != Role.MANAGER:
                raise Forbidden(f"only the managers of “{name}” may import marks into it")
        projects[name] = _Project(found) if found is not None else None
    if projects[name] is None:
        raise ValueError(f"unknown project “{name}”" if name else "the row names no project; choose one to import into")
    return projects[name]


def _same_address(a: str, b: str) -> bool:
    """Two addresses of one page: the same but for a fragment, a trailing slash, or http against https."""

    def bare(url: str) -> str:
        url = url.split("#", 1)[0].rstrip("/")
        return (
            url[len("https://") :]
            if url.lower().startswith("https://")
            else url[len("http://") :]
            if url.lower().startswith("http://")
            else url
        )

    return bool(a and b) and bare(a) == bare(b)


def _document_for(row: ImportRow, context: _Project, chosen: Document | None) -> tuple[Document, str]:
    """The document a row goes to, and how it was found."""
    if chosen is not None:
        return chosen, f"into “{chosen.title}” (the document chosen)"
    by_title = [d for d in context.documents if d.title == row.document_title] if row.document_title else []
    by_id = [d for d in context.documents if d.pk == row.document_id]
    if len(by_title) == 1:
        return by_title[0], f"into “{by_title[0].title}” (by its title)"
    if len(by_title) > 1:
        chosen_ = [d for d in by_title if d.pk == row.document_id]
        if chosen_:
            return chosen_[0], f"into “{chosen_[0].title}” (by its title and id)"
        raise ValueError(f"{len(by_title)} documents of “{context.project.name}” are titled “{row.document_title}”")
    if row.document_url:
        # Another tool names the page it annotated: the document made from that address, or whose source is it.
        by_url = [
            d
            for d in context.documents
            if _same_address(d.origin, row.document_url)
            or (d.source is not None and _same_address(d.source.url, row.document_url))
        ]
        if len(by_url) == 1:
            return by_url[0], f"into “{by_url[0].title}” (by its address {row.document_url})"
        if len(by_url) > 1:
            raise ValueError(
                f"{len(by_url)} documents of “{context.project.name}” come from {row.document_url}; "
                "choose the document to import into"
            )
    # A document renamed since the export: its id is trusted only where its text is the mark's, as it was.
    if by_id and row.start is not None and row.exact and by_id[0].text[row.start : row.end] == row.exact:
        return by_id[0], f"into “{by_id[0].title}” (by its id)"
    if row.document_title:
        raise ValueError(f"unknown document “{row.document_title}” in project “{context.project.name}”")
    if row.document_url:
        raise ValueError(
            f"no document of “{context.project.name}” comes from {row.document_url}; choose the document to import into"
        )
    raise ValueError("the annotation names no document; choose the document to import into")


def _label_for(row: ImportRow, context: _Project, mapping: Mapping) -> tuple[Label, list[str], str]:
    """The mark's label, the tags and bodyValue left for the note, and how the label was chosen."""
    named = list(row.tags) or ([row.label] if row.label and row.label != row.body_value else [])
    candidates = named + ([row.body_value] if row.body_value else [])
    for candidate in candidates:
        if candidate in context.labels:
            return context.labels[candidate], [c for c in candidates if c != candidate], f"labelled “{candidate}”"
    if mapping.label:
        label = context.labels.get(mapping.label)
        if label is None:
            raise ValueError(f"the label chosen, “{mapping.label}”, is not one of “{context.project.name}”")
        why = f"tags {', '.join(named)} name no label" if named else "no tag"
        return label, candidates, f"labelled “{mapping.label}” (the label chosen: {why})"
    if not named:
        raise ValueError(
            "no label: the annotation has no tagging body naming one of the project's labels; "
            "choose a label for such marks"
        )
    raise ValueError(
        f"unknown label “{named[0]}” in project “{context.project.name}” "
        f"(its labels: {', '.join(sorted(context.labels))})"
    )


def _annotator_for(row: ImportRow, context: _Project, users: dict, mapping: Mapping) -> tuple[User, str, str]:
    """Who makes the mark, what the note keeps of the file's creator, and how the maker was chosen."""
    annotator = context.members.get(row.annotator)
    if annotator is not None:
        return annotator, "", f"by {row.annotator}"
    if row.annotator in users or mapping.as_user is None:
        if row.annotator in users:
            raise ValueError(f"“{row.annotator}” is not a member of project “{context.project.name}”")
        raise ValueError(
            f"unknown editor “{row.annotator}”" if row.annotator else "the annotation names no creator; choose a user"
        )
    chosen = context.members.get(mapping.as_user.get_username())
    if chosen is None:
        raise ValueError(
            f"the user chosen, “{mapping.as_user.get_username()}”, is not a member of “{context.project.name}”"
        )
    if not row.annotator:
        return chosen, "", f"by {chosen.get_username()} (the user chosen: no creator in the file)"
    how = f"by {chosen.get_username()} (the user chosen for {row.annotator})"
    return chosen, f"Made by {row.annotator} (imported)", how


def _plan(row: ImportRow, forced: Project | None, projects: dict, users: dict, user, mapping: Mapping) -> _Plan:
    context = _project_for(row, forced, projects, user)
    document, found_in = _document_for(row, context, mapping.document)
    label, left, labelled = _label_for(row, context, mapping)
    annotator, creator, made_by = _annotator_for(row, context, users, mapping)
    reviewer = None
    if row.reviewer and row.status != Status.PENDING:  # a pending mark carries no review (older exports wrote one)
        reviewer = users.get(row.reviewer)
        if reviewer is None:
            raise ValueError(f"unknown reviewer “{row.reviewer}”")
    exact, start, end = row.exact, row.start, row.end
    if not exact:
        # A TextPositionSelector alone: the position is all there is, so it must be inside the text.
        if not (start is not None and end is not None and 0 <= start < end <= len(document.text)):
            raise ValueError(
                f"its position {start}–{end} is not inside “{document.title}” ({len(document.text)} characters)"
            )
        exact = document.text[start:end]
    try:
        placed = anchoring.locate(document.text, exact, start, end, row.prefix, row.suffix)
    except anchoring.Unplaceable as exc:
        raise ValueError(f"cannot be placed in “{document.title}”: {exc}") from None
    assert placed.start is not None and placed.end is not None  # locate places the mark or raises
    if not row.exact:
        where = f"at {placed.start}–{placed.end} by its position alone (the file gives no quote)"
    elif placed.placement is anchoring.Rule.UNCHANGED:
        where = f"at {placed.start}–{placed.end}, its offsets, where its quote is"
    else:
        given = f" (the file says {start}–{end})" if start is not None else ""
        where = f"at {placed.start}–{placed.end}, found by its quote and context{given}"
    citations = [_citation_for(citation, context) for citation in row.citations]
    moved = placed.placement is not anchoring.Rule.UNCHANGED
    tags = [tag for tag in left if tag != row.body_value]
    body_value = row.body_value if row.body_value in left else ""
    note = _joined(row.note, body_value, f"Tags: {', '.join(tags)}" if tags else "", creator)
    how = "; ".join([found_in, where, labelled, made_by, *row.read_as])
    return _Plan(row, document, placed.start, placed.end, moved, label, annotator, reviewer, citations, note, how)


def _citation_for(citation: ImportCitation, context: _Project) -> tuple:
    if citation.locator is None:
        return _csv_citation(citation, context)
    source = _matching_source(citation, context)
    if source is not None:
        return source, citation.locator, citation.note
    if citation.csl is None:
        raise ValueError(
            f"no source in project “{context.project.name}” matches “{citation.reference or citation.iri}”"
        )
    return _record_from_csl(citation.csl), citation.locator, citation.note


def _csv_citation(citation: ImportCitation, context: _Project) -> tuple:
    hinted = next((s for s in context.sources if s.pk == citation.source_id), None)
    if hinted is not None:
        split = split_citation(citation.reference, [source_citation(_record_of(hinted))])
        if split is not None:
            return hinted, split[1], ""
    split = split_citation(citation.reference, list(context.references))
    if split is None:
        raise ValueError(f"no source in project “{context.project.name}” matches the citation “{citation.reference}”")
    candidates = context.references[split[0]]
    if len(candidates) > 1:
        raise ValueError(f"{len(candidates)} sources of project “{context.project.name}” read “{split[0]}”")
    return candidates[0], split[1], ""


def _matching_source(citation: ImportCitation, context: _Project) -> Source | None:
    """The project's source a JSON-LD citation names: by DOI, else URL, else the same record, else its reference."""
    csl = citation.csl or {}
    iri_doi = citation.iri if citation.iri.lower().startswith(("https://doi.org/", "http://doi.org/")) else ""
    doi = bibliography.normalise_doi(str(csl.get("DOI") or unquote(iri_doi)))
    if doi:
        return next((s for s in context.sources if bibliography.normalise_doi(s.doi) == doi), None)
    url = csl.get("URL") or ""
    if url:
        return next((s for s in context.sources if s.url == url), None)
    if csl:
        wanted = _record_from_csl(csl)
        for source in context.sources:
            if all(getattr(source, name) == value for name, value in wanted.items()):
                return source
        return None
    candidates = context.references.get(citation.reference, [])
    return candidates[0] if len(candidates) == 1 else None


def _record_from_csl(csl: dict) -> dict:
    """Source fields from a CSL-JSON item, checked as the bibliography's import checks them; ValueError if bad."""
    try:
        return bibliography.record_from_csl(csl, 0)
    except bibliography.BibliographyError as exc:
        reason = str(exc).removeprefix("Entry 1").lstrip(" :")
        raise ValueError(f"a cited source cannot be read: {reason}") from None


def _source(fields_or_source, plan: _Plan, user, report: ImportReport) -> Source:
    """The source to cite: the one matched, else one made from the file's CSL-JSON (once per import)."""
    if isinstance(fields_or_source, Source):
        return fields_or_source
    if fields_or_source["doi"]:
        # A DOI names one source in a project: an earlier row of this file may have made it already.
        made = Source.objects.filter(project=plan.document.project, doi=fields_or_source["doi"]).first()
        if made is not None:
            return made
    same = Source.objects.filter(
        project=plan.document.project, **{k: v for k, v in fields_or_source.items() if k != "authors"}
    )
    for source in same:
        if source.authors == fields_or_source["authors"]:
            return source
    source = Source(project=plan.document.project, created_by=user, **fields_or_source)
    source.author_names = bibliography.names_for_search(source.authors, source.contributors)
    source._history_user = user
    source.save()
    index_sources([source.pk])
    report.sources_created += 1
    return source


def _save(plan: _Plan, lock: Lock, user, report: ImportReport) -> tuple[str, Annotation]:
    row = plan.row
    span = span_at(lock, plan.document.text, plan.start, plan.end)
    # The mark there already, if any (with one mark wanted, it cannot repeat an earlier one of them: never None).
    there = repeats([(span.pk, plan.label.pk, plan.annotator.pk)]).get(0)
    if there is not None:
        return "unchanged", Annotation.objects.get(pk=there)
    annotation = Annotation(
        span=span,
        label=plan.label,
        note=plan.note,
        created_by=plan.annotator,
        status=row.status,
    )
    if row.status != Status.PENDING:
        annotation.reviewed_by, annotation.reviewed_at, annotation.review_note = (
            plan.reviewer,
            row.reviewed_at,
            row.review_note,
        )
    annotation._history_user = user
    annotation.save()
    now = timezone.now()
    # Keep the times the file gives (auto_now fields ignore what save() is told).
    Annotation.objects.filter(pk=annotation.pk).update(
        created_at=row.created_at or now, updated_at=row.updated_at or row.created_at or now
    )
    cited = set()
    for source, locator, note in plan.citations:
        source = _source(source, plan, user, report)
        if (source.pk, locator) in cited:
            continue  # the same citation twice in the file: once is what it means
        cited.add((source.pk, locator))
        citation = Citation(annotation=annotation, source=source, locator=locator, note=note)
        citation._history_user = user
        citation.save()
    return ("reanchored" if plan.moved else "created"), annotation
