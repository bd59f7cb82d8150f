"""Reading our files back: the marks CSV, the links CSV and our JSON-LD into plain rows, and a list of problems.

Pure functions, no database: they turn a file into ImportRows and ImportLinks and a list of problems, each with
the row (CSV line, or JSON-LD item number) it comes from. Placing a mark in its text is anchoring.locate's job;
matching rows to documents, labels, users and sources, and saving them, is services.imports'.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .. import text as textlib
from ..models import Status
from .records import CSV_HEADER, JOIN, LINK_HEADER, VERDICT_HEADER, spreadsheet_unsafe

# A mark may be as long as a document; the csv module's default cap (128 KiB a cell) is too small.
MAX_CELL = 64 * 1024 * 1024
# A document's address in our JSON-LD: its page, or the page of one version of its text.
_DOCUMENT_URL = re.compile(r"/documents/(\d+)/(?:versions/\d+/)?$")
_MARK_URL = re.compile(r"/annotations/(\d+)/$")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (encoding, format, header); the message is for the user."""


class LinksFileError(ImportFileError):
    """The links file given beside a marks CSV cannot be read as a whole."""


@dataclass(frozen=True)
class ImportCitation:
    """A citation as the file gives it: the source's reference (with the locator, in CSV), and what else it says."""

    reference: str = ""
    locator: str | None = None  # None: not separated from the reference yet (CSV)
    note: str = ""
    source_id: int | None = None  # the id the source had where it was exported: a hint, not a key
    iri: str = ""
    csl: dict | None = None


@dataclass(frozen=True)
class ImportRow:
    line: int
    project: str
    document_id: int | None
    document_title: str
    start: int | None
    end: int | None
    exact: str
    prefix: str
    suffix: str
    label: str
    note: str
    annotator: str
    status: str
    reviewer: str
    reviewed_at: datetime | None
    review_note: str
    citations: tuple = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    iri: str = ""  # the mark's id where it was exported (JSON-LD): what links in the same file point at
    # What other tools' W3C annotations say (issue 25): every tagging or classifying body's value (a label of the
    # project, or free tags), a bodyValue (a label or a comment), the document's address when it is not one of ours,
    # and how the reader found the text (a selector inside refinedBy, a position with no quote).
    tags: tuple = ()
    body_value: str = ""
    document_url: str = ""
    read_as: tuple = ()


@dataclass(frozen=True)
class ImportLink:
    """A W3C 'linking' annotation of our JSON-LD: a typed link from one mark to a mark, a source or a speaker."""

    line: int
    type: str
    from_iri: str
    to_iri: str  # a mark's or a source's id; empty for a speaker
    speaker: str
    note: str
    author: str
    status: str
    created_at: datetime | None = None

    @property
    def to_mark(self) -> bool:
        """Whether it points at a mark: by our own ids, or by an id local to the file ("#c4b1...", as RecogitoJS
        names its annotations); services.imports also takes the id of any mark of the file."""
        return self.to_iri.startswith(("mark:", "#")) or bool(_MARK_URL.search(self.to_iri))


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self):
        return f"row {self.line}: {self.message}"


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    links: list = field(default_factory=list)


# Shared ------------------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM is allowed and dropped), else a clear error."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8: byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8. "
            "Exports are UTF-8; save the file as UTF-8 and try again."
        ) from None
    if "\x00" in text:
        raise ImportFileError(
            f"The file holds a NUL character (at character {text.index(chr(0))}): "
            "it is not an export of marks, or it is damaged."
        )
    return text


def parse_time(value: str) -> datetime | None:
    """An ISO 8601 time with a zone ('2024-03-01T10:15:00Z'); '' is None; anything else ValueError."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"the time “{value}” has no time zone")
    return moment.astimezone(UTC)


def _status(value: str) -> str:
    if value not in Status.values:
        raise ValueError(f"unknown status “{value}” (one of {', '.join(Status.values)})")
    return value


def _offset(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(f"{name} must be a whole number")
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} “{value}” is not a whole number") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number


def read(data: bytes, *, links: bytes | None = None, spreadsheet_safe: bool = False) -> Parsed:
    """Read our marks CSV or our JSON-LD, whichever the file is, and the links CSV exported beside a marks CSV.

    With spreadsheet_safe, undo the apostrophes a default (not raw) CSV export put before formulas.
    ImportFileError when a file cannot be read at all (LinksFileError for the links file).
    """
    text = decode(data)
    if text.lstrip().startswith(("{", "[")):
        parsed = read_jsonld(text)
    else:
        parsed = read_csv(text, spreadsheet_safe=spreadsheet_safe)
    if links is not None:
        try:
            found, problems = read_links_csv(links, spreadsheet_safe=spreadsheet_safe)
        except ImportFileError as exc:
            raise LinksFileError(str(exc)) from None
        parsed.links.extend(found)
        parsed.problems.extend(problems)
    return parsed


# CSV ---------------------------------------------------------------------------------------------


def read_csv(text: str, *, spreadsheet_safe: bool = False) -> Parsed:
    """Rows of our CSV. With spreadsheet_safe, undo the apostrophes the default export put before formulas."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))
    reader = csv.reader(io.StringIO(text, newline=""))
    parsed = Parsed()
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except csv.Error as exc:
        raise ImportFileError(f"The file is not CSV: {exc}.") from None
    missing = [name for name in CSV_HEADER if name not in header and name not in VERDICT_HEADER]
    if missing:
        raise ImportFileError(
            f"The CSV header lacks {', '.join(missing)}; the first line must name the columns of an export."
        )
    columns = {name: header.index(name) for name in CSV_HEADER if name in header}
    ended = reader.line_num
    try:
        for cells in reader:
            # A row is known by the line it starts on (a cell may hold line breaks).
            line, ended = ended + 1, reader.line_num
            if not any(cells):
                continue
            if len(cells) != len(header):
                parsed.problems.append(Problem(line, f"{len(cells)} cells where the header has {len(header)}"))
                continue
            if spreadsheet_safe:
                cells = [spreadsheet_unsafe(cell) for cell in cells]
            try:
                parsed.rows.append(_csv_row(line, {name: cells[i] for name, i in columns.items()}))
            except ValueError as exc:
                parsed.problems.append(Problem(line, str(exc)))
    except csv.Error as exc:
        parsed.problems.append(Problem(ended + 1, f"the CSV is malformed from here on: {exc}"))
    return parsed


def _csv_row(line: int, cell: dict) -> ImportRow:
    if not cell["exact"]:
        raise ValueError("exact is empty")
    ids = cell["source_ids"].split(JOIN) if cell["source_ids"] else []
    references = cell["source_citations"].split(JOIN) if cell["source_citations"] else []
    if len(ids) != len(references):
        raise ValueError(
            f"{len(ids)} source ids but {len(references)} citations; "
            f"each source is one id and one citation, joined with “{JOIN}”"
        )
    citations = tuple(
        ImportCitation(reference=reference, source_id=_offset(source_id.strip(), "a source id"))
        for source_id, reference in zip(ids, references)
    )
    try:
        times = {name: parse_time(cell[name]) for name in ("reviewed_at", "created_at", "updated_at")}
    except ValueError as exc:
        raise ValueError(f"bad time: {exc}") from None
    return ImportRow(
        line=line,
        project=cell["project"],
        document_id=_offset(cell["document_id"], "document_id") if cell["document_id"] else None,
        document_title=cell["document_title"],
        start=_offset(cell["start"], "start"),
        end=_offset(cell["end"], "end"),
        exact=cell["exact"],
        prefix=cell["prefix"],
        suffix=cell["suffix"],
        label=cell["label"],
        note=cell["note"],
        annotator=cell["annotator"],
        status=_status(cell["status"] or Status.PENDING),
        reviewer=cell["reviewer"],
        review_note=cell["review_note"],
        citations=citations,
        iri=f"mark:{cell['annotation_id']}" if cell["annotation_id"] else "",
        reviewed_at=times["reviewed_at"],
        created_at=times["created_at"],
        updated_at=times["updated_at"],
    )


def read_links_csv(data: bytes, *, spreadsheet_safe: bool = False) -> tuple[list, list]:
    """(links, problems) of our links CSV; its mark ids are those of the marks CSV exported with it."""
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The links file is empty.") from None
    except csv.Error as exc:
        raise ImportFileError(f"The links file is not CSV: {exc}.") from None
    missing = [name for name in LINK_HEADER if name not in header]
    if missing:
        raise ImportFileError(f"The links CSV header lacks {', '.join(missing)}.")
    columns = {name: header.index(name) for name in LINK_HEADER}
    links, problems = [], []
    for cells in reader:
        line = reader.line_num
        if not any(cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(line, f"links file: {len(cells)} cells where the header has {len(header)}"))
            continue
        if spreadsheet_safe:
            cells = [spreadsheet_unsafe(cell) for cell in cells]
        cell = {name: cells[i] for name, i in columns.items()}
        try:
            to_iri = (
                f"mark:{_offset(cell['to_annotation_id'], 'to_annotation_id')}"
                if cell["to_annotation_id"]
                else f"source:{_offset(cell['to_source_id'], 'to_source_id')}"
                if cell["to_source_id"]
                else ""
            )
            if not to_iri and not cell["speaker"]:
                raise ValueError("a link needs a target mark, a source or a speaker")
            links.append(
                ImportLink(
                    line=line,
                    type=cell["type"],
                    from_iri=f"mark:{_offset(cell['from_annotation_id'], 'from_annotation_id')}",
                    to_iri=to_iri,
                    speaker=cell["speaker"] if not to_iri else "",
                    note=cell["note"],
                    author=cell["author"],
                    status=_status(cell["status"] or Status.PENDING),
                    created_at=parse_time(cell["created_at"]),
                )
            )
        except ValueError as exc:
            problems.append(Problem(line, f"links file: {exc}"))
    return links, problems


def split_citation(cell: str, references: list[str]) -> tuple[str, str] | None:
    """Split one CSV citation into (reference, locator), given the references of the sources it may name.

    The longest reference that the cell is, or starts with followed by ', ', wins; None if none fits.
    """
    best = None
    for reference in references:
        if cell == reference or cell.startswith(reference + ", "):
            if best is None or len(reference) > len(best):
                best = reference
    if best is None:
        return None
    return best, cell[len(best) + 2 :] if len(cell) > len(best) else ""


# JSON-LD -----------------------------------------------------------------------------------------


def read_jsonld(text: str) -> Parsed:
    """Rows of a W3C Web Annotation export: a collection, a page, one annotation, or a list of them."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(textlib.json_problem(exc)) from None
    except RecursionError:
        # json's parser recurses once per nested list or object; an export of ours nests a handful deep.
        raise ImportFileError(
            "The file is not an export: its lists and objects are nested too deeply to read."
        ) from None
    problem = textlib.unstorable(document)
    if problem:
        raise ImportFileError(
            f"The file holds {problem} in an escape (\\u…), which cannot be stored; nothing was imported."
        )
    parsed = Parsed()
    for number, item in enumerate(_items(document), start=1):
        try:
            if isinstance(item, dict) and "linking" in _as_list(item.get("motivation")):
                parsed.links.append(_jsonld_link(number, item))
                continue
            parsed.rows.append(_jsonld_row(number, item))
        except (ValueError, TypeError, AttributeError) as exc:
            parsed.problems.append(Problem(number, str(exc) if isinstance(exc, ValueError) else "malformed annotation"))
    return parsed


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _items(document) -> list:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise ImportFileError("The JSON is neither an annotation nor a collection of annotations.")
    kinds = {kind for kind in _as_list(document.get("type")) if isinstance(kind, str)}
    if "AnnotationCollection" in kinds:
        items, page = [], document.get("first")
        while isinstance(page, dict):
            items.extend(_as_list(page.get("items")))
            page = page.get("next")
        total = document.get("total")
        if isinstance(total, int) and len(items) < total:
            raise ImportFileError(
                f"The collection says it holds {document['total']} annotations but embeds {len(items)}; "
                "pages given only by their address cannot be read from a file."
            )
        return items
    if "AnnotationPage" in kinds:
        return _as_list(document.get("items"))
    if "Annotation" in kinds:
        return [document]
    raise ImportFileError("The JSON is neither an annotation nor a collection of annotations (no W3C “type”).")


def _string(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _person(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _string(value.get("nickname") or value.get("name") or value.get("id"), "a person's name")
    return _string(value, "a person")


def _creator(item: dict) -> str:
    """Who made an annotation: its creator, else (RecogitoJS writes it there) its first body's."""
    if item.get("creator"):
        return _person(item["creator"])
    for body in _as_list(item.get("body")):
        if isinstance(body, dict) and body.get("creator"):
            return _person(body["creator"])
    return ""


def _selectors(selector, nested: bool = False) -> list[tuple[dict, bool]]:
    """Every selector of a target as (selector, whether it refines another), refinedBy chains followed (W3C 4.2.9)."""
    found = []
    for item in _as_list(selector):
        depth = 0
        while isinstance(item, dict) and depth < 8:
            found.append((item, nested or depth > 0))
            item, depth = item.get("refinedBy"), depth + 1
    return found


def _jsonld_row(number: int, item) -> ImportRow:
    """One W3C annotation of a text, as we, Hypothesis, Recogito and the W3C's examples write them: the label is a
    tagging body (or free tags, which the import maps to a chosen label), commenting bodies and bodies without a
    purpose are the note, the text is a TextQuoteSelector or a TextPositionSelector (or both), at the top of the
    target or inside refinedBy, and the document is named by our address, its title, or its own URL."""
    if not isinstance(item, dict) or "Annotation" not in _as_list(item.get("type")):
        raise ValueError("not a W3C Annotation (its type must be “Annotation”)")
    targets = _as_list(item.get("target"))
    if len(targets) != 1:
        raise ValueError("the target must be one document with selectors")
    target = targets[0]
    if isinstance(target, str):
        raise ValueError("the target is a whole document (no selector says which text in it)")
    if not isinstance(target, dict):
        raise ValueError("the target must be one document with selectors")
    source = target.get("source")
    source_id = _string(source.get("id") if isinstance(source, dict) else source, "the target's source")
    title = _string(source.get("label"), "the document's label") if isinstance(source, dict) else ""
    match = _DOCUMENT_URL.search(source_id)
    quote = position = None
    read_as = []
    for selector, nested in _selectors(target.get("selector")):
        kind = selector.get("type")
        if kind == "TextQuoteSelector" and quote is None:
            quote = selector
            if nested:
                read_as.append("its quote is inside refinedBy")
        elif kind == "TextPositionSelector" and position is None:
            if nested:
                # Positions inside refinedBy count from the start of what the outer selector selects, not the text's.
                read_as.append("a position inside refinedBy was left out (it does not count from the text's start)")
                continue
            position = selector
    if quote is not None and (not isinstance(quote.get("exact"), str) or not quote["exact"]):
        raise ValueError("its TextQuoteSelector has no exact text")
    if quote is None and (position is None or "start" not in position or "end" not in position):
        raise ValueError("the target has no TextQuoteSelector with the exact text, nor a TextPositionSelector")
    tags, comments, citations = [], [], []
    body_value = _string(item.get("bodyValue"), "bodyValue")
    for body in _as_list(item.get("body")):
        if isinstance(body, str) and body:
            comments.append(f"Body: {body}")  # a body given by its address (W3C example 23): kept, named
            continue
        if isinstance(body, dict) and "Choice" in _as_list(body.get("type")):
            body = next(iter(_as_list(body.get("items"))), None)  # W3C 4.3.1: the first is the default
        if not isinstance(body, dict):
            continue
        purposes = set(_as_list(body.get("purpose")))
        if "value" in body and purposes & {"tagging", "classifying"}:
            tags.append(_string(body["value"], "a tag"))
        elif "value" in body and (not purposes or purposes & {"commenting", "describing", "replying"}):
            comments.append(_string(body["value"], "the note"))
        elif "source" in body:
            citations.append(_jsonld_citation(body))
    tags = [tag for tag in tags if tag.strip()]
    try:
        times = {
            "created_at": parse_time(_string(item.get("created"), "created")),
            "updated_at": parse_time(_string(item.get("modified"), "modified")),
            "reviewed_at": parse_time(_string(item.get("reviewed"), "reviewed")),
        }
    except ValueError as exc:
        raise ValueError(f"bad time: {exc}") from None
    return ImportRow(
        line=number,
        project=_string(item.get("project"), "project"),
        document_id=int(match.group(1)) if match else None,
        document_title=title,
        start=_offset(position["start"], "start") if position else None,
        end=_offset(position["end"], "end") if position else None,
        exact=quote["exact"] if quote else "",
        prefix=_string(quote.get("prefix"), "prefix") if quote else "",
        suffix=_string(quote.get("suffix"), "suffix") if quote else "",
        label=tags[0] if tags else body_value,
        note="\n\n".join(comments),
        annotator=_creator(item),
        status=_status(_string(item.get("reviewStatus"), "reviewStatus") or Status.PENDING),
        reviewer=_person(item.get("reviewer")),
        review_note=_string(item.get("reviewNote"), "reviewNote"),
        citations=tuple(citations),
        iri=_string(item.get("id"), "id"),
        tags=tuple(tags),
        body_value=body_value,
        document_url=source_id if source_id and not match else "",
        read_as=tuple(read_as),
        reviewed_at=times["reviewed_at"],
        created_at=times["created_at"],
        updated_at=times["updated_at"],
    )


def _jsonld_link(number: int, item: dict) -> ImportLink:
    given = [t.get("id") if isinstance(t, dict) else t for t in _as_list(item.get("target"))]
    targets = [t for t in given if isinstance(t, str) and t]
    if not 1 <= len(given) <= 2 or len(targets) < len(given):
        raise ValueError("a link's target must be the linked mark's id, then the mark's or source's it points to")
    # The marks are named by our addresses, or by the ids other tools give them in the file (RecogitoJS: "#c4b1...");
    # services.imports finds them among the file's marks.
    kind = speaker = note = ""
    for body in _as_list(item.get("body")):
        if not isinstance(body, dict) or "value" not in body:
            continue
        purposes = set(_as_list(body.get("purpose")))
        if purposes & {"classifying", "tagging"} and not kind:
            kind = _string(body["value"], "the link type")
        elif "commenting" in purposes:
            note = _string(body["value"], "the note")
        elif "identifying" in purposes:
            speaker = _string(body["value"], "the speaker")
    if len(targets) == 1 and not speaker:
        raise ValueError("a link needs a second target or an identifying body naming the speaker")
    try:
        created = parse_time(_string(item.get("created"), "created"))
    except ValueError as exc:
        raise ValueError(f"bad time: {exc}") from None
    return ImportLink(
        line=number,
        type=kind,
        from_iri=targets[0],
        to_iri=targets[1] if len(targets) > 1 else "",
        speaker=speaker if len(targets) == 1 else "",
        note=note,
        author=_creator(item),
        status=_status(_string(item.get("reviewStatus"), "reviewStatus") or Status.PENDING),
        created_at=created,
    )


def _jsonld_citation(body: dict) -> ImportCitation:
    source = body["source"]
    if isinstance(source, dict):
        iri, reference, csl = source.get("id", ""), source.get("label", ""), source.get("csl")
    else:
        iri, reference, csl = source, "", None
    if csl is not None and not isinstance(csl, dict):
        raise ValueError("a source's csl must be a CSL-JSON object")
    return ImportCitation(
        reference=_string(reference, "a source's label"),
        locator=_string(body.get("locator"), "a locator"),
        note=_string(body.get("citationNote"), "a citation note"),
        iri=_string(iri, "a source's id"),
        csl=csl,
    )
