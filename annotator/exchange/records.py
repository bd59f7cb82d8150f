"""What our files are made of: a mark, its citations and its sources as plain records, the columns of the two
CSVs, the JSON-LD context, and how a value becomes text in them (times, references, spreadsheet safety).

Pure, no database: the writers (writers.py) and the readers (readers.py) both build on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from .. import bibliography

# The marks CSV's header, in this order; README.md explains each column. Changing it breaks readers: don't.
CSV_HEADER = [
    "annotation_id",
    "project",
    "document_id",
    "document_title",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "label",
    "note",
    "annotator",
    "status",
    "reviewer",
    "reviewed_at",
    "review_note",
    "source_ids",
    "source_citations",
    "created_at",
    "updated_at",
    # A claim's verdict (issue 24), its own or the one it shares as the same claim: the rating's name and value, the
    # summary of the claim, the verdict's review state.
    "verdict",
    "verdict_value",
    "verdict_summary",
    "verdict_status",
]
# Columns an export of ours before issue 24 lacks: a file without them still imports.
VERDICT_HEADER = ["verdict", "verdict_value", "verdict_summary", "verdict_status"]
# The links CSV's header: the issue's columns, then the two targets an "attributed to" link may have instead of a mark.
LINK_HEADER = [
    "link_id",
    "type",
    "from_annotation_id",
    "to_annotation_id",
    "note",
    "author",
    "status",
    "created_at",
    "to_source_id",
    "speaker",
]
# Several sources in one cell.
JOIN = " | "
# Cells a spreadsheet would run as a formula (OWASP, "CSV Injection"): these first characters.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPED_FIRST = frozenset(FORMULA_TRIGGERS + ("'",))
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Our own terms (review state, citation locators, the source's CSL-JSON), declared so that JSON-LD
# processors keep them; the W3C context itself is left as it is. The CSL-JSON item is a JSON literal (JSON-LD 1.1's
# "@json", hence "@version"): its keys (title, author, issued...) are CSL's, not terms, and an expansion would drop
# them all if it were read as a node.
EXTENSION_CONTEXT = {
    "@version": 1.1,
    "ed": "urn:editorial-annotator:",
    "project": "ed:project",
    "reviewStatus": "ed:reviewStatus",
    "reviewer": "ed:reviewer",
    "reviewed": {"@id": "ed:reviewed", "@type": "xsd:dateTime"},
    "reviewNote": "ed:reviewNote",
    "locator": "ed:locator",
    "citationNote": "ed:citationNote",
    "csl": {"@id": "ed:csl", "@type": "@json"},
    # A claim's verdict (issue 24): the rating's name and value, the claim's summary, the verdict's review state.
    "verdict": "ed:verdict",
    "verdictValue": {"@id": "ed:verdictValue", "@type": "xsd:integer"},
    "verdictSummary": "ed:verdictSummary",
    "verdictStatus": "ed:verdictStatus",
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
    issued: dict | str = ""  # a CSL date as stored (a CSLDate), or text
    container_title: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    url: str = ""
    doi: str = ""
    archive: str = ""
    archive_location: str = ""
    # CSL's other name roles, the place, and CSL's other variables (issue 25): so the JSON-LD's CSL item is whole.
    contributors: dict = field(default_factory=dict)
    publisher_place: str = ""
    other_fields: dict = field(default_factory=dict)


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
    verdict: str = ""  # a claim's verdict: its rating's name ('' for none)
    verdict_value: int | None = None
    verdict_summary: str = ""
    verdict_status: str = ""


# A mark as a plain tuple of these, in this order, is what the writers take (query.rows makes them).
MARK_FIELDS = tuple(f.name for f in fields(MarkRecord))
SOURCE_FIELDS = tuple(f.name for f in fields(SourceRecord))


def as_row(record: MarkRecord) -> tuple:
    """The record as the tuple of its fields (not a deep copy, as dataclasses.astuple would make)."""
    return tuple(getattr(record, name) for name in MARK_FIELDS)


@dataclass(frozen=True)
class Addresses:
    """How the JSON-LD names things: absolute URLs of the app's pages, made by the caller."""

    base: str  # scheme and host, no trailing slash: 'https://annotator.example.org'

    def annotation(self, pk: int) -> str:
        return f"{self.base}/annotations/{pk}/"

    def document(self, pk: int, version: int) -> str:
        """The page of one version of a document (the current one redirects to the document)."""
        return f"{self.base}/documents/{pk}/versions/{version}/"

    def source(self, pk: int) -> str:
        return f"{self.base}/sources/{pk}/"

    def link(self, pk: int) -> str:
        return f"{self.base}/links/{pk}/"


_ZERO = timedelta(0)


def iso_utc(moment: datetime | str | None) -> str:
    """ISO 8601 in UTC to the second, as '2024-03-01T10:15:00Z'; '' for no time. A time as text is one the database
    wrote in UTC ('2024-03-01 10:15:00.123456', with '+00' on PostgreSQL): query.rows reads the times so."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        if len(moment) < 19 or moment[10] not in " T" or moment[19:].lstrip("0123456789.") not in ("", "+00"):
            raise ValueError(f"Not a time in UTC as the database writes it: {moment!r}")
        return f"{moment[:10]}T{moment[11:19]}Z"
    if moment.tzinfo is None:
        raise ValueError("Export times must be timezone-aware.")
    if moment.utcoffset() == _ZERO:
        # Already UTC, as the database gives times: '2024-03-01T10:15:00+00:00' less its offset. Runs per cell.
        return moment.isoformat(timespec="seconds")[:-6] + "Z"
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


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


def source_iri(source: SourceRecord, fallback: str) -> str:
    """The IRI that names a source: its DOI, else its URL, else the app's own address for it."""
    if source.doi:
        # Some DOIs hold characters a URI may not (old Wiley ones have < and >): percent-encode those.
        return "https://doi.org/" + quote(source.doi, safe="/:;()[]-._~!$&'*+,=@")
    return source.url or fallback


def source_csl(source: SourceRecord) -> dict:
    """The source as a CSL-JSON item (empty fields left out)."""
    return bibliography.to_csl(asdict(source), str(source.id))


def spreadsheet_safe(cell: str) -> str:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula, so that it shows as text.

    A cell that already starts with an apostrophe gets one more, so that the spreadsheet, which
    hides the first, shows the text as it is, and the escape can be undone without guessing.
    """
    return "'" + cell if cell and cell[0] in ESCAPED_FIRST else cell


def spreadsheet_unsafe(cell: str) -> str:
    """Undo spreadsheet_safe."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS + ("'",)):
        return cell[1:]
    return cell


class Line:
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
