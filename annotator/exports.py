"""Writers for exports: marks as CSV rows and as W3C Web Annotation JSON-LD, streamed piece by piece.

Pure functions over plain records (MarkRecord); reading them from the database is export_query's
job. Every writer is a generator, so an export is written as it is read and its memory does not
grow with the number of marks. csv_cells and jsonld_annotation define what a mark becomes;
export_rows writes the same bytes fast from plain tuples, and the streams here hand it the records.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator
from urllib.parse import quote

from . import bibliography

# The CSV header, in this order; README.md explains each column. Changing it breaks readers: don't.
CSV_HEADER = [
    "annotation_id", "project", "document_id", "document_title", "start", "end", "exact", "prefix", "suffix",
    "label", "note", "annotator", "status", "reviewer", "reviewed_at", "review_note", "source_ids",
    "source_citations", "created_at", "updated_at",
]
# Several sources in one cell.
JOIN = " | "
# Cells a spreadsheet would run as a formula (OWASP, "CSV Injection"): these first characters.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_FIRST = frozenset(FORMULA_TRIGGERS + ("'",))
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Our own terms (review state, citation locators, the source's CSL-JSON), declared so that JSON-LD
# processors keep them; the W3C context itself is left as it is.
EXTENSION_CONTEXT = {
    "ed": "urn:editorial-annotator:",
    "project": "ed:project",
    "reviewStatus": "ed:reviewStatus",
    "reviewer": "ed:reviewer",
    "reviewed": {"@id": "ed:reviewed", "@type": "xsd:dateTime"},
    "reviewNote": "ed:reviewNote",
    "locator": "ed:locator",
    "citationNote": "ed:citationNote",
    "csl": "ed:csl",
}
JSONLD_CONTEXT = [W3C_CONTEXT, EXTENSION_CONTEXT]
JSONLD_CONTENT_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


@dataclass(frozen=True)
class SourceRecord:
    """A source's bibliographic fields, named as on the Source model."""

    id: int
    type: str = "book"
    title: str = ""
    authors: list = field(default_factory=list)
    issued: str = ""
    container_title: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    url: str = ""
    doi: str = ""
    archive: str = ""
    archive_location: str = ""


@dataclass(frozen=True)
class CitationRecord:
    source: SourceRecord
    locator: str = ""
    note: str = ""


@dataclass(frozen=True)
class MarkRecord:
    """One mark with everything an export writes about it."""

    annotation_id: int
    project: str
    document_id: int
    document_title: str
    start: int
    end: int
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
    version: int = 1  # the version of the document's text that start and end refer to


# A mark as a plain tuple of these, in this order, is what the writers take (export_rows, export_query.rows).
MARK_FIELDS = tuple(f.name for f in fields(MarkRecord))


def as_row(record: MarkRecord) -> tuple:
    """The record as the tuple of its fields (not a deep copy, as dataclasses.astuple would make)."""
    return tuple(getattr(record, name) for name in MARK_FIELDS)


# Shared pieces ---------------------------------------------------------------------------------


_ZERO = timedelta(0)


def iso_utc(moment: datetime | None) -> str:
    """ISO 8601 in UTC to the second, as '2024-03-01T10:15:00Z'; '' for no time."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        raise ValueError("Export times must be timezone-aware.")
    if moment.utcoffset() == _ZERO:
        # Already UTC, as the database gives times: '2024-03-01T10:15:00+00:00' less its offset. Runs per cell.
        return moment.isoformat(timespec="seconds")[:-6] + "Z"
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def source_citation(source: SourceRecord) -> str:
    """A short reference that names the source: 'Getty, J. Arch (1985). Origins of the Great Purges. Cambridge UP'."""
    head = bibliography.names_text(source.authors)
    if source.issued:
        head = f"{head} ({source.issued})" if head else f"({source.issued})"
    parts = [head, source.title, source.container_title]
    text = ". ".join(part for part in parts if part)
    if source.doi:
        text += f". doi:{source.doi}"
    return text


def cited(citation: CitationRecord) -> str:
    """One citation as the CSV writes it: the source's reference, then ', ' and the locator if there is one."""
    reference = source_citation(citation.source)
    return f"{reference}, {citation.locator}" if citation.locator else reference


def source_iri(source: SourceRecord, fallback: str) -> str:
    """The IRI that names a source: its DOI, else its URL, else the app's own address for it."""
    if source.doi:
        # Some DOIs hold characters a URI may not (old Wiley ones have < and >): percent-encode those.
        return "https://doi.org/" + quote(source.doi, safe="/:;()[]-._~!$&'*+,=@")
    return source.url or fallback


def source_csl(source: SourceRecord) -> dict:
    """The source as a CSL-JSON item (empty fields left out)."""
    return bibliography.to_csl(asdict(source), str(source.id))


# CSV ---------------------------------------------------------------------------------------------


def spreadsheet_safe(cell: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula, so that it shows as text.

    A cell that already starts with an apostrophe gets one more, so that the spreadsheet, which
    hides the first, shows the text as it is, and the escape can be undone without guessing.
    """
    if cell and cell[0] in _ESCAPED_FIRST:
        return "'" + cell
    return cell


def spreadsheet_unsafe(cell: str) -> str:
    """Undo spreadsheet_safe."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS + ("'",)):
        return cell[1:]
    return cell


def csv_cells(record: MarkRecord, raw: bool = False) -> list[str]:
    """The CSV row of one mark, in CSV_HEADER's order. Without raw, formula-like cells are neutralised."""
    cells = [
        str(record.annotation_id), record.project, str(record.document_id), record.document_title,
        str(record.start), str(record.end), record.exact, record.prefix, record.suffix, record.label,
        record.note, record.annotator, record.status, record.reviewer, iso_utc(record.reviewed_at),
        record.review_note, JOIN.join(str(c.source.id) for c in record.citations),
        JOIN.join(cited(c) for c in record.citations), iso_utc(record.created_at), iso_utc(record.updated_at),
    ]
    return cells if raw else [spreadsheet_safe(cell) for cell in cells]


class _Line:
    """A file-like object whose write() hands back what it was given, so csv.writer makes strings."""

    def write(self, value: str) -> str:
        return value


def buffered(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """Join small pieces into chunks of about `size` characters: a server writes one chunk, not one line, at a time."""
    batch, length = [], 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)


def csv_lines(records: Iterable[MarkRecord], raw: bool = False) -> Iterator[str]:
    """The CSV text, header first, one line (CRLF, RFC 4180) per mark: csv_cells, written by export_rows."""
    from . import export_rows  # it builds on this module

    return export_rows.csv_lines(map(as_row, records), raw)


def stream_csv(records: Iterable[MarkRecord], raw: bool = False) -> Iterator[str]:
    """The CSV text in chunks of about 64 KiB."""
    return buffered(csv_lines(records, raw))


# JSON-LD -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Addresses:
    """How the export names things: absolute URLs of the app's pages, made by the caller."""

    base: str  # scheme and host, no trailing slash: 'https://annotator.example.org'

    def annotation(self, pk: int) -> str:
        return f"{self.base}/annotations/{pk}/"

    def document(self, pk: int, version: int) -> str:
        """The page of one version of a document (the current one redirects to the document)."""
        return f"{self.base}/documents/{pk}/versions/{version}/"

    def source(self, pk: int) -> str:
        return f"{self.base}/sources/{pk}/"


def _person(username: str) -> dict:
    return {"type": "Person", "nickname": username}


def jsonld_annotation(record: MarkRecord, addresses: Addresses) -> dict:
    """One mark as a W3C Web Annotation: the label as a tagging body, the note as a commenting body,
    each source as a linking body, and the text of the version it is on as a target with a position
    and a quote selector."""
    bodies = [{"type": "TextualBody", "purpose": "tagging", "value": record.label, "format": "text/plain"}]
    if record.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": record.note, "format": "text/plain"})
    for citation in record.citations:
        source = citation.source
        body = {
            "type": "SpecificResource",
            "purpose": "linking",
            "source": {
                "id": source_iri(source, addresses.source(source.id)),
                "type": "Text",
                "label": source_citation(source),
                "csl": source_csl(source),
            },
        }
        if citation.locator:
            body["locator"] = citation.locator
        if citation.note:
            body["citationNote"] = citation.note
        bodies.append(body)
    annotation = {
        "@context": JSONLD_CONTEXT,
        "id": addresses.annotation(record.annotation_id),
        "type": "Annotation",
        "motivation": "tagging",
        "creator": _person(record.annotator),
        "created": iso_utc(record.created_at),
        "modified": iso_utc(record.updated_at),
        "body": bodies,
        "target": {
            "type": "SpecificResource",
            "source": {
                "id": addresses.document(record.document_id, record.version),
                "type": "Text",
                "format": "text/plain",
                "label": record.document_title,
            },
            "selector": [
                # W3C 4.2.5: positions count Unicode code points, as our offsets do.
                {"type": "TextPositionSelector", "start": record.start, "end": record.end},
                {"type": "TextQuoteSelector", "exact": record.exact, "prefix": record.prefix, "suffix": record.suffix},
            ],
        },
        "project": record.project,
        "reviewStatus": record.status,
    }
    if not annotation["created"]:
        del annotation["created"]
    if not annotation["modified"]:
        del annotation["modified"]
    if record.reviewer:
        annotation["reviewer"] = _person(record.reviewer)
    if record.reviewed_at:
        annotation["reviewed"] = iso_utc(record.reviewed_at)
    if record.review_note:
        annotation["reviewNote"] = record.review_note
    return annotation


def stream_jsonld(
    records: Iterable[MarkRecord], *, total: int, collection_id: str, label: str, addresses: Addresses,
    extra: Iterable[dict] = (),
) -> Iterator[str]:
    """An AnnotationCollection holding every mark in one embedded AnnotationPage, in chunks of about 64 KiB.

    `extra` are more annotations (the links between marks) written after the marks; `total` counts them too.
    """
    return buffered(
        jsonld_pieces(records, total=total, collection_id=collection_id, label=label, addresses=addresses, extra=extra)
    )


def jsonld_pieces(
    records: Iterable[MarkRecord], *, total: int, collection_id: str, label: str, addresses: Addresses,
    extra: Iterable[dict] = (),
) -> Iterator[str]:
    """The collection's JSON, written item by item (each item is jsonld_annotation, written by export_rows)."""
    from . import export_rows  # it builds on this module

    return export_rows.jsonld_pieces(
        map(as_row, records), total=total, collection_id=collection_id, label=label, addresses=addresses, extra=extra
    )
