"""Writes on sources and citations: the project's bibliography, imports, citing, and accepting suggested quotations.

Each write checks permission, validates, saves inside a transaction, and records a change on every
document whose page shows what changed (a mark's source count), so open pages redraw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from .. import bibliography, quotes
from .. import text as textlib
from ..models import Annotation, Citation, DismissedSuggestion, Document, Project, Role, Source, Span
from .errors import ActionRefused, Conflict, Forbidden
from .marks import annotate
from .projects import check_member
from .quotations import refresh_quote_checks
from .search_index import index_new_sources, index_sources
from .spans import record_change

# The fields a source is made of, as the forms and the importers give them.
SOURCE_FIELDS = (
    "type",
    "title",
    "authors",
    "contributors",
    "issued",
    "container_title",
    "volume",
    "issue",
    "pages",
    "publisher",
    "publisher_place",
    "url",
    "doi",
    "archive",
    "archive_location",
    "other_fields",
)
EDITOR_ROLES = (Role.ANNOTATOR, Role.MANAGER)


# Sources -----------------------------------------------------------------------------------------


def check_source_editor(user, project_id: int):
    """The user's membership if they may create and edit the project's sources; Forbidden otherwise."""
    membership = check_member(user, project_id)
    if membership.role not in EDITOR_ROLES:
        raise Forbidden("Only annotators and managers create and edit sources.")
    return membership


def _cleaned(fields: dict, where: str = "") -> dict:
    """A source's fields checked as bibliography.clean_record checks them; the date issued may be given as text
    ('1937-03', '334 BC') or as a CSL date."""
    unknown = set(fields) - set(SOURCE_FIELDS) - {"full_text"}
    if unknown:
        raise TypeError(f"Unknown source fields: {', '.join(sorted(unknown))}")
    record = bibliography.empty_record(**{key: fields[key] for key in SOURCE_FIELDS if key in fields})
    try:
        record = bibliography.clean_record(record, where)
    except bibliography.BibliographyError as exc:
        raise ActionRefused(str(exc)) from None
    record["full_text"] = fields.get("full_text", "") or ""
    return record


def _check_doi_free(project_id: int, doi: str, exclude_pk: int | None = None) -> None:
    if not doi:
        return
    same_doi = Source.objects.filter(project_id=project_id, doi=doi)
    if exclude_pk is not None:
        same_doi = same_doi.exclude(pk=exclude_pk)
    clash = same_doi.first()
    if clash is not None:
        raise ActionRefused(f"The source “{textlib.isolated(clash.title)}” has the DOI {doi} already.")


def _fill(source: Source, record: dict) -> None:
    for key, value in record.items():
        setattr(source, key, value)
    source.issued = bibliography.CSLDate(source.issued)
    source.author_names = bibliography.names_for_search(source.authors, source.contributors)


def create_source(*, user, project: Project, **fields) -> Source:
    """Add a source to the project's bibliography (annotators and managers). A DOI is unique in a project."""
    check_source_editor(user, project.pk)
    record = _cleaned(fields)
    try:
        with transaction.atomic():
            _check_doi_free(project.pk, record["doi"])
            source = Source(project=project, created_by=user)
            _fill(source, record)
            source._history_user = user
            source.save()
            index_sources([source.pk])
    except IntegrityError:
        raise Conflict(f"Someone added a source with the DOI {record['doi']} at the same moment.") from None
    return source


def source_tag(source: Source) -> str:
    """A digest of all that an edit of the source can change: its entity tag (ETag). Sources keep no version number
    (the page's form sends none); a client that sends back the tag it read has its edit refused if someone changed
    the source since."""
    values = {name: getattr(source, name) for name in (*SOURCE_FIELDS, "full_text")}
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


def update_source(*, user, source: Source, if_match: str | None = None, **fields) -> Source:
    """Change a source's fields (annotators and managers of its project): every field is replaced, the text only
    when given. A new text checks its quotations again. With `if_match` (a source_tag), refused with Conflict if the
    source changed since that tag was read."""
    check_source_editor(user, source.project_id)
    record = _cleaned(fields)
    if "full_text" not in fields:
        record.pop("full_text")
    try:
        with transaction.atomic():
            source = Source.objects.select_for_update().get(pk=source.pk)
            if if_match is not None and source_tag(source) != if_match:
                raise Conflict("Someone changed this source since you read it; nothing was saved. Read it again.")
            _check_doi_free(source.project_id, record["doi"], exclude_pk=source.pk)
            new_text = "full_text" in record and record["full_text"] != source.full_text
            _fill(source, record)
            source._history_user = user
            source.save()
            index_sources([source.pk])
            if new_text:
                refresh_quote_checks(Citation.objects.filter(source=source))
    except IntegrityError:
        raise Conflict(f"Someone gave the DOI {record['doi']} to another source at the same moment.") from None
    return source


@dataclass
class SourceImportReport:
    """What an import did, entry by entry (each item is (the entry's label, what happened))."""

    created: list = field(default_factory=list)  # the sources made
    skipped: list = field(default_factory=list)  # left out: a DOI the project has, a key used twice in the file
    refused: list = field(default_factory=list)  # entries that cannot be taken, and why
    notes: list = field(default_factory=list)  # entries taken with a change (a DOI given as a URL, a date as written)
    entries: int = 0

    @property
    def importable(self) -> int:
        """How many entries would be made: neither refused nor skipped."""
        return self.entries - len(self.refused) - len(self.skipped)


class SourceImportRefused(ActionRefused):
    """Entries of the file cannot be taken, and the import was not partial: nothing was saved. `report` says which."""

    def __init__(self, report: SourceImportReport):
        n = len(report.refused)
        super().__init__(
            f"{n:,} of the file's {report.entries:,} entries cannot be taken, so nothing was imported. "
            "Import the others on their own, or correct the file."
        )
        self.report = report


def import_sources(*, user, project: Project, entries: list, partial: bool = False) -> SourceImportReport:
    """Add a file's entries (bibliography.Entry, or records) to the bibliography, saved in bulk in one transaction:
    at most bibliography.MAX_ENTRIES at once. A DOI already in the project (or earlier in the same file) is
    skipped, not duplicated. An entry that cannot be taken refuses the whole file (SourceImportRefused, whose report
    lists every such entry), unless `partial`: then the others are imported and the report lists it."""
    check_source_editor(user, project.pk)
    if len(entries) > bibliography.MAX_ENTRIES:
        raise ActionRefused(
            f"One import takes at most {bibliography.MAX_ENTRIES:,} sources; this has {len(entries):,}."
        )
    try:
        with transaction.atomic():
            report = _import(user, project, [_as_entry(e, i) for i, e in enumerate(entries)], partial)
            if report.refused and not partial:
                raise SourceImportRefused(report)  # raised inside the transaction: nothing is kept
            return report
    except IntegrityError:
        raise Conflict("Someone added one of these DOIs at the same moment; nothing was imported. Try again.") from None


def _as_entry(entry, index: int) -> bibliography.Entry:
    if isinstance(entry, bibliography.Entry):
        return entry
    return bibliography.Entry(f"Entry {index + 1} (“{str(entry.get('title', ''))[:60]}”)", record=entry)


def _import(user, project: Project, entries: list[bibliography.Entry], partial: bool) -> SourceImportReport:
    taken = dict(Source.objects.filter(project=project).exclude(doi="").values_list("doi", "title"))
    report = SourceImportReport(entries=len(entries))
    new = []
    for entry in entries:
        if entry.problem:
            report.refused.append((entry.label, entry.problem))
            continue
        if entry.record is None:  # left out by the reader (a key used twice)
            report.skipped.extend((entry.label, note) for note in entry.notes)
            continue
        try:
            record = _cleaned(entry.record, where=entry.label)
        except ActionRefused as exc:
            report.refused.append((entry.label, exc.message.removeprefix(entry.label).lstrip(": ")))
            continue
        if record["doi"] and record["doi"] in taken:
            already = textlib.isolated(taken[record["doi"]])
            report.skipped.append((entry.label, f"DOI {record['doi']} is already “{already}”"))
            continue
        report.notes.extend((entry.label, note) for note in entry.notes)
        source = Source(project=project, created_by=user)
        _fill(source, record)
        new.append(source)
        if record["doi"]:
            taken[record["doi"]] = record["title"]
    if report.refused and not partial:
        return report
    report.created = bulk_create_with_history(new, Source, batch_size=500, default_user=user)
    index_new_sources(report.created)
    return report


# Citations ---------------------------------------------------------------------------------------


def _check_author(user, annotation: Annotation) -> None:
    if annotation.created_by_id != user.pk:
        raise Forbidden("Only the author of a mark may cite sources for it.")


def _check_citer(user, annotation: Annotation) -> None:
    check_member(user, annotation.span.document.project_id)
    _check_author(user, annotation)


def check_citation(*, user, annotation: Annotation, source: Source, project_id: int, locator: str) -> str:
    """cite_source's rules on one citation, membership aside: the mark's author cites a source of the mark's
    project, at a locator of 200 characters at most. Returns the locator with its whitespace collapsed."""
    _check_author(user, annotation)
    if source.project_id != project_id:
        raise ActionRefused("That source belongs to another project.")
    locator = " ".join(locator.split())
    if len(locator) > 200:
        raise ActionRefused("The locator is longer than 200 characters.")
    return locator


def already_cited(source: Source, locator: str) -> ActionRefused:
    where = f" at “{textlib.isolated(locator)}”" if locator else ""
    return ActionRefused(f"This mark cites “{textlib.isolated(source.title)}”{where} already.")


def cite_source(*, user, annotation: Annotation, source: Source, locator: str = "", note: str = "") -> Citation:
    """Link a mark to a source of its project at a locator (the mark's author only); a quotation is checked against
    the source's text, and the check stored with the citation."""
    span = annotation.span
    check_member(user, span.document.project_id)
    locator = check_citation(
        user=user, annotation=annotation, source=source, project_id=span.document.project_id, locator=locator
    )
    try:
        with transaction.atomic():
            if not Annotation.objects.filter(pk=annotation.pk).exists():
                raise Conflict("This mark was deleted meanwhile.")
            if Citation.objects.filter(annotation=annotation, source=source, locator=locator).exists():
                raise already_cited(source, locator)
            citation = Citation(annotation=annotation, source=source, locator=locator, note=note.strip())
            citation._history_user = user
            citation.save()
            refresh_quote_checks(Citation.objects.filter(pk=citation.pk))
            record_change(span.document_id, span.start, span.end)
    except IntegrityError:
        raise Conflict("The same citation was saved at the same moment; reload the mark.") from None
    return citation


@transaction.atomic
def cite_new_source(*, user, annotation: Annotation, locator: str = "", note: str = "", **fields) -> Citation:
    """Create a source and cite it for the mark in one step; neither is kept if either fails."""
    _check_citer(user, annotation)
    source = create_source(user=user, project=annotation.span.document.project, **fields)
    return cite_source(user=user, annotation=annotation, source=source, locator=locator, note=note)


@transaction.atomic
def remove_citation(*, user, citation: Citation) -> None:
    """Remove a citation from a mark (the mark's author only); its history stays."""
    annotation = citation.annotation
    _check_citer(user, annotation)
    span = annotation.span
    citation._history_user = user
    citation.delete()
    record_change(span.document_id, span.start, span.end)


# Quotation suggestions -------------------------------------------------------------------------------


@dataclass
class Suggestion:
    start: int
    end: int
    words: int
    exact: str
    source_document: Document
    source_start: int
    source_end: int
    document_pk: int

    @property
    def same_document(self) -> bool:
        return self.source_document.pk == self.document_pk


def passage_digest(exact: str) -> str:
    return hashlib.sha256(exact.encode()).hexdigest()


def quotation_suggestions(document: Document) -> list[Suggestion]:
    """Passages of the document repeated from earlier in it or from a document added before it
    (of the same project), minus those already marked as quotations and those dismissed. Three queries."""
    documents = list(Document.objects.filter(project_id=document.project_id).order_by("pk").only("pk", "title", "text"))
    target = next(i for i, d in enumerate(documents) if d.pk == document.pk)
    quoted = list(
        Span.objects.filter(document=document, version=document.version, annotations__label__key="quotation")
        .values_list("start", "end")
        .distinct()
    )
    dismissed = set(DismissedSuggestion.objects.filter(document=document).values_list("digest", flat=True))
    suggestions = []
    for repeat in quotes.unmarked(quotes.find_repeats([d.text for d in documents], target), quoted):
        if dismissed and passage_digest(document.text[repeat.start : repeat.end]) in dismissed:
            continue
        suggestions.append(
            Suggestion(
                repeat.start,
                repeat.end,
                repeat.words,
                document.text[repeat.start : repeat.end],
                documents[repeat.source_index],
                repeat.source_start,
                repeat.source_end,
                document.pk,
            )
        )
    return suggestions


def accept_suggestion(*, user, document: Document, start: int, end: int) -> Annotation:
    """Turn a suggested repeat into a quotation mark by the user (members of the document's project), noting where
    the passage first appears. Made by annotate, under its lock and rules."""
    check_member(user, document.project_id)
    suggestion = next((s for s in quotation_suggestions(document) if (s.start, s.end) == (start, end)), None)
    if suggestion is None:
        raise Conflict("This passage is no longer suggested: it was marked meanwhile, or the page is out of date.")
    label = document.project.labels.filter(key="quotation").first()
    if label is None:
        raise ActionRefused("This project has no Quotation label.")
    where = (
        "earlier in this document"
        if suggestion.same_document
        else f"in “{textlib.isolated(suggestion.source_document.title)}”"
    )
    note = f"Repeats the passage {where} (characters {suggestion.source_start}–{suggestion.source_end})."
    return annotate(user=user, document=document, start=start, end=end, exact=suggestion.exact, label=label, note=note)


def dismiss_suggestion(*, user, document: Document, start: int, end: int) -> DismissedSuggestion:
    """Stop suggesting the passage at [start, end) as a quotation for the document (any member of its project); it
    stays dismissed, for everyone, until brought back (restore_suggestion)."""
    check_member(user, document.project_id)
    suggestion = next((s for s in quotation_suggestions(document) if (s.start, s.end) == (start, end)), None)
    if suggestion is None:
        raise Conflict(
            "This passage is no longer suggested: it was marked or dismissed meanwhile, or the page is out of date."
        )
    dismissal, _ = DismissedSuggestion.objects.get_or_create(
        document=document,
        digest=passage_digest(suggestion.exact),
        defaults={"exact": suggestion.exact, "dismissed_by": user},
    )
    return dismissal


def restore_suggestion(*, user, dismissal: DismissedSuggestion) -> None:
    """Suggest a dismissed passage again (any member of the document's project)."""
    check_member(user, dismissal.document.project_id)
    DismissedSuggestion.objects.filter(pk=dismissal.pk).delete()
