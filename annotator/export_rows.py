"""The export writers' fast path: CSV lines and JSON-LD items from plain tuples, one per mark.

A row is a MarkRecord's fields in their order (exports.MARK_FIELDS), as export_query.rows reads
them from the database without making model instances. The output is, byte for byte, what
exports.csv_cells and exports.jsonld_annotation define (tests/test_export_rows.py holds the two
together); here it is written with as little work per mark as we can: what belongs to a source is
worked out once per source, JSON is assembled from pre-encoded pieces, not dumped from a dict.
Pure functions, no database.
"""
from __future__ import annotations

import csv
import json
from typing import Iterable, Iterator

from .exports import (
    _ESCAPED_FIRST, CSV_HEADER, JOIN, JSONLD_CONTEXT, Addresses, _Line, buffered, iso_utc, source_citation, source_csl,
    source_iri,
)

# What json.dumps(..., ensure_ascii=False) writes for a string (the C encoder when there is one).
_string = json.encoder.encode_basestring


class _PerSource:
    """Text made from a source, worked out once per SourceRecord; a record is recognised by identity.

    export_query hands out one SourceRecord per source, so a source cited by many marks costs once.
    The record is kept beside its text so that its id() cannot be reused by another while cached.
    """

    def __init__(self, make):
        self.make = make
        self.cache: dict[int, tuple] = {}

    def __call__(self, source):
        hit = self.cache.get(id(source))
        if hit is None or hit[0] is not source:
            hit = self.cache[id(source)] = (source, self.make(source))
        return hit[1]


def _safe(cell: str) -> str:
    # exports.spreadsheet_safe, inlined where it runs a dozen times a mark.
    return "'" + cell if cell and cell[0] in _ESCAPED_FIRST else cell


def _number(value) -> str:
    # Ids and offsets are never negative; a negative one would read as a formula, as in csv_cells.
    return str(value) if value >= 0 else "'" + str(value)


def csv_lines(rows: Iterable[tuple], raw: bool = False) -> Iterator[str]:
    """The CSV text, header first, one line (CRLF, RFC 4180) per mark."""
    write = csv.writer(_Line()).writerow
    yield write(CSV_HEADER)
    reference = _PerSource(source_citation)  # exports.cited, but once per source
    for (
        pk, project, document_id, title, start, end, exact, prefix, suffix, label, note, annotator, status,
        reviewer, reviewed_at, review_note, citations, created_at, updated_at, _version,
    ) in rows:
        if citations:
            ids = JOIN.join(str(c.source.id) for c in citations)
            references = JOIN.join(
                f"{reference(c.source)}, {c.locator}" if c.locator else reference(c.source) for c in citations
            )
        else:
            ids = references = ""
        if raw:
            yield write((
                str(pk), project, str(document_id), title, str(start), str(end), exact, prefix, suffix, label,
                note, annotator, status, reviewer, iso_utc(reviewed_at), review_note, ids, references,
                iso_utc(created_at), iso_utc(updated_at),
            ))
        else:
            yield write((
                _number(pk), _safe(project), _number(document_id), _safe(title), _number(start), _number(end),
                _safe(exact), _safe(prefix), _safe(suffix), _safe(label), _safe(note), _safe(annotator),
                _safe(status), _safe(reviewer), iso_utc(reviewed_at), _safe(review_note), _safe(ids),
                _safe(references), iso_utc(created_at), iso_utc(updated_at),
            ))


def stream_csv(rows: Iterable[tuple], raw: bool = False) -> Iterator[str]:
    """The CSV text in chunks of about 64 KiB."""
    return buffered(csv_lines(rows, raw))


def _person(username: str) -> str:
    return '{"type": "Person", "nickname": ' + _string(username) + "}"


def _textual(purpose: str, value: str) -> str:
    return '{"type": "TextualBody", "purpose": "' + purpose + '", "value": ' + _string(value) + ', "format": "text/plain"}'


def jsonld_items(rows: Iterable[tuple], addresses: Addresses) -> Iterator[str]:
    """Each mark as the JSON text of its W3C Web Annotation (exports.jsonld_annotation), @context first."""
    context = '{"@context": ' + json.dumps(JSONLD_CONTEXT, ensure_ascii=False) + ", "

    def source_json(source) -> str:
        item = {
            "id": source_iri(source, addresses.source(source.id)),
            "type": "Text",
            "label": source_citation(source),
            "csl": source_csl(source),
        }
        return '{"type": "SpecificResource", "purpose": "linking", "source": ' + json.dumps(item, ensure_ascii=False)

    linking = _PerSource(source_json)
    for (
        pk, project, document_id, title, start, end, exact, prefix, suffix, label, note, annotator, status,
        reviewer, reviewed_at, review_note, citations, created_at, updated_at, version,
    ) in rows:
        bodies = _textual("tagging", label)
        if note:
            bodies += ", " + _textual("commenting", note)
        for citation in citations:
            bodies += ", " + linking(citation.source)
            if citation.locator:
                bodies += ', "locator": ' + _string(citation.locator)
            if citation.note:
                bodies += ', "citationNote": ' + _string(citation.note)
            bodies += "}"
        created, modified = iso_utc(created_at), iso_utc(updated_at)
        parts = [
            context, '"id": ', _string(addresses.annotation(pk)), ', "type": "Annotation", "motivation": "tagging", "creator": ',
            _person(annotator),
        ]
        if created:
            parts += ', "created": "', created, '"'
        if modified:
            parts += ', "modified": "', modified, '"'
        parts += (
            ', "body": [', bodies, '], "target": {"type": "SpecificResource", "source": {"id": ',
            _string(addresses.document(document_id, version)), ', "type": "Text", "format": "text/plain", "label": ',
            _string(title), '}, "selector": [{"type": "TextPositionSelector", "start": ', str(start), ', "end": ', str(end),
            '}, {"type": "TextQuoteSelector", "exact": ', _string(exact), ', "prefix": ', _string(prefix),
            ', "suffix": ', _string(suffix), '}]}, "project": ', _string(project), ', "reviewStatus": ', _string(status),
        )
        if reviewer:
            parts += ', "reviewer": ', _person(reviewer)
        if reviewed_at:
            parts += ', "reviewed": "', iso_utc(reviewed_at), '"'
        if review_note:
            parts += ', "reviewNote": ', _string(review_note)
        parts.append("}")
        yield "".join(parts)


def jsonld_pieces(
    rows: Iterable[tuple], *, total: int, collection_id: str, label: str, addresses: Addresses,
    extra: Iterable[dict] = (),
) -> Iterator[str]:
    """The collection's JSON, written item by item: an AnnotationCollection holding every mark in one embedded
    AnnotationPage; `extra` are more annotations (the links between marks) written after the marks."""
    head = {
        "@context": JSONLD_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": total,
    }
    page = {"id": f"{collection_id}#page1", "type": "AnnotationPage", "partOf": collection_id, "startIndex": 0}
    # Open the collection and its page by hand, then write the items one by one.
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    page_opening = json.dumps(page, ensure_ascii=False)[:-1]
    yield f'{opening},\n "first": {page_opening}, "items": [\n'
    separator = ""
    for item in jsonld_items(rows, addresses):
        yield separator + item
        separator = ",\n"
    for item in extra:
        yield separator + json.dumps(item, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n}\n"


def stream_jsonld(
    rows: Iterable[tuple], *, total: int, collection_id: str, label: str, addresses: Addresses,
    extra: Iterable[dict] = (),
) -> Iterator[str]:
    """The collection in chunks of about 64 KiB; `total` counts the marks and the `extra` annotations."""
    return buffered(
        jsonld_pieces(rows, total=total, collection_id=collection_id, label=label, addresses=addresses, extra=extra)
    )
