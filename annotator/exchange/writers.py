"""The writers: one per format, each a generator of text pieces, so an export is written as it is read.

A mark comes as a plain tuple of MarkRecord's fields in their order (records.MARK_FIELDS), a link as a tuple of
query.LINK_COLUMNS, as query.py reads them from the database without making model instances. Each mark is written
with as little work as we can: what belongs to a source is worked out once per source, and a mark's JSON is
assembled from pre-encoded pieces, not dumped from a dict. Pure functions, no database.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator

from .records import (
    CSV_HEADER,
    ESCAPED_FIRST,
    JOIN,
    JSONLD_CONTEXT,
    LINK_HEADER,
    Addresses,
    Line,
    SourceRecord,
    iso_utc,
    source_citation,
    source_csl,
    source_iri,
    spreadsheet_safe,
)

# What json.dumps(..., ensure_ascii=False) writes for a string (the C encoder when there is one).
_string = json.encoder.encode_basestring


class _PerSource:
    """Text made from a source, worked out once per SourceRecord; a record is recognised by identity.

    query.rows hands out one SourceRecord per source, so a source cited by many marks costs once.
    The record is kept beside its text so that its id() cannot be reused by another while cached.
    """

    def __init__(self, make: Callable[[SourceRecord], str]) -> None:
        self.make = make
        self.cache: dict[int, tuple[SourceRecord, str]] = {}

    def __call__(self, source: SourceRecord) -> str:
        hit = self.cache.get(id(source))
        if hit is None or hit[0] is not source:
            hit = self.cache[id(source)] = (source, self.make(source))
        return hit[1]


def _safe(cell: str) -> str:
    # records.spreadsheet_safe, inlined where it runs a dozen times a mark.
    return "'" + cell if cell and cell[0] in ESCAPED_FIRST else cell


def _number(value) -> str:
    # Ids and offsets are never negative; a negative one would read as a formula, so it is escaped like one.
    return str(value) if value >= 0 else "'" + str(value)


# The marks CSV ----------------------------------------------------------------------------------------


def marks_csv(rows: Iterable[tuple], *, raw: bool = False) -> Iterator[str]:
    """The marks CSV, header first, one line (CRLF, RFC 4180) per mark, in CSV_HEADER's columns.

    Without `raw`, a cell a spreadsheet would run as a formula is neutralised (records.spreadsheet_safe).
    """
    write = csv.writer(Line()).writerow
    yield write(CSV_HEADER)
    reference = _PerSource(source_citation)
    for (
        pk,
        project,
        document_id,
        title,
        start,
        end,
        exact,
        prefix,
        suffix,
        label,
        note,
        annotator,
        status,
        reviewer,
        reviewed_at,
        review_note,
        citations,
        created_at,
        updated_at,
        _version,
        verdict,
        verdict_value,
        verdict_summary,
        verdict_status,
    ) in rows:
        if citations:
            ids = JOIN.join(str(c.source.id) for c in citations)
            # Each source's reference, then ', ' and the locator when there is one.
            references = JOIN.join(
                f"{reference(c.source)}, {c.locator}" if c.locator else reference(c.source) for c in citations
            )
        else:
            ids = references = ""
        if raw:
            yield write(
                (
                    str(pk),
                    project,
                    str(document_id),
                    title,
                    str(start),
                    str(end),
                    exact,
                    prefix,
                    suffix,
                    label,
                    note,
                    annotator,
                    status,
                    reviewer,
                    iso_utc(reviewed_at),
                    review_note,
                    ids,
                    references,
                    iso_utc(created_at),
                    iso_utc(updated_at),
                    verdict,
                    "" if verdict_value is None else str(verdict_value),
                    verdict_summary,
                    verdict_status,
                )
            )
        else:
            yield write(
                (
                    _number(pk),
                    _safe(project),
                    _number(document_id),
                    _safe(title),
                    _number(start),
                    _number(end),
                    _safe(exact),
                    _safe(prefix),
                    _safe(suffix),
                    _safe(label),
                    _safe(note),
                    _safe(annotator),
                    _safe(status),
                    _safe(reviewer),
                    iso_utc(reviewed_at),
                    _safe(review_note),
                    _safe(ids),
                    _safe(references),
                    iso_utc(created_at),
                    iso_utc(updated_at),
                    _safe(verdict),
                    "" if verdict_value is None else _number(verdict_value),
                    _safe(verdict_summary),
                    _safe(verdict_status),
                )
            )


# The links CSV ----------------------------------------------------------------------------------------


def links_csv(links: Iterable[tuple], *, raw: bool = False) -> Iterator[str]:
    """The links CSV, header first, one line per link: type by its stable key, author by user name, time in UTC.

    A link to a source or a speaker ("attributed to") has an empty to_annotation_id and says its target in the
    last two columns. Cells are made as in the marks CSV, so the two files read alike.
    """
    write = csv.writer(Line()).writerow
    yield write(LINK_HEADER)
    for pk, key, from_id, to_id, note, author, status, created_at, source_id, speaker, *_ in links:
        cells = [
            str(pk),
            key,
            str(from_id),
            "" if to_id is None else str(to_id),
            note,
            author,
            status,
            iso_utc(created_at),
            "" if source_id is None else str(source_id),
            speaker,
        ]
        yield write(cells if raw else [spreadsheet_safe(cell) for cell in cells])


# JSON-LD ----------------------------------------------------------------------------------------------


def _person(username: str) -> str:
    return '{"type": "Person", "nickname": ' + _string(username) + "}"


def _textual(purpose: str, value: str) -> str:
    return (
        '{"type": "TextualBody", "purpose": "' + purpose + '", "value": ' + _string(value) + ', "format": "text/plain"}'
    )


def jsonld_marks(rows: Iterable[tuple], addresses: Addresses) -> Iterator[str]:
    """Each mark as the JSON text of a W3C Web Annotation, with its own @context: the label as a tagging body, the
    note as a commenting body, each source as a linking body, and the text of the version it is on as a target with
    a position and a quote selector. Review state, locators and citation notes are terms of our own."""
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
        pk,
        project,
        document_id,
        title,
        start,
        end,
        exact,
        prefix,
        suffix,
        label,
        note,
        annotator,
        status,
        reviewer,
        reviewed_at,
        review_note,
        citations,
        created_at,
        updated_at,
        version,
        verdict,
        verdict_value,
        verdict_summary,
        verdict_status,
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
            context,
            '"id": ',
            _string(addresses.annotation(pk)),
            ', "type": "Annotation", "motivation": "tagging", "creator": ',
            _person(annotator),
        ]
        if created:
            parts += ', "created": "', created, '"'
        if modified:
            parts += ', "modified": "', modified, '"'
        # W3C 4.2.5: TextPositionSelector positions count Unicode code points, as our offsets do.
        parts += (
            ', "body": [',
            bodies,
            '], "target": {"type": "SpecificResource", "source": {"id": ',
            _string(addresses.document(document_id, version)),
            ', "type": "Text", "format": "text/plain", "label": ',
            _string(title),
            '}, "selector": [{"type": "TextPositionSelector", "start": ',
            str(start),
            ', "end": ',
            str(end),
            '}, {"type": "TextQuoteSelector", "exact": ',
            _string(exact),
            ', "prefix": ',
            _string(prefix),
            ', "suffix": ',
            _string(suffix),
            '}]}, "project": ',
            _string(project),
            ', "reviewStatus": ',
            _string(status),
        )
        if reviewer:
            parts += ', "reviewer": ', _person(reviewer)
        if reviewed_at:
            parts += ', "reviewed": "', iso_utc(reviewed_at), '"'
        if review_note:
            parts += ', "reviewNote": ', _string(review_note)
        if verdict:
            parts += ', "verdict": ', _string(verdict), ', "verdictSummary": ', _string(verdict_summary)
            parts += ', "verdictStatus": ', _string(verdict_status)
            if verdict_value is not None:
                parts += ', "verdictValue": ', str(verdict_value)
        parts.append("}")
        yield "".join(parts)


def jsonld_link(values: tuple, addresses: Addresses) -> dict:
    """A link (a tuple of query.LINK_COLUMNS) as a W3C Web Annotation with motivation 'linking': the type as a
    classifying body, the note as a commenting one; the targets are the two marks, or the mark and the source (named
    as the marks' citations name it, so an import finds it); a speaker is an identifying body."""
    pk, key, from_id, to_id, note, author, status, created_at, source_id, speaker, doi, url = values
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": key, "format": "text/plain"}]
    if note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": note, "format": "text/plain"})
    targets = [addresses.annotation(from_id)]
    if to_id is not None:
        targets.append(addresses.annotation(to_id))
    elif source_id is not None:
        targets.append(source_iri(SourceRecord(source_id, doi=doi or "", url=url or ""), addresses.source(source_id)))
    else:
        bodies.append({"type": "TextualBody", "purpose": "identifying", "value": speaker, "format": "text/plain"})
    annotation = {
        "@context": JSONLD_CONTEXT,
        "id": addresses.link(pk),
        "type": "Annotation",
        "motivation": "linking",
        "creator": {"type": "Person", "nickname": author},
        "created": iso_utc(created_at),
        "body": bodies,
        "target": targets,
        "reviewStatus": status,
    }
    if not annotation["created"]:
        del annotation["created"]
    return annotation


def jsonld(
    rows: Iterable[tuple],
    links: Iterable[tuple] = (),
    *,
    total: int,
    collection_id: str,
    label: str,
    addresses: Addresses,
) -> Iterator[str]:
    """An AnnotationCollection holding every mark, then every link, in one embedded AnnotationPage, written item by
    item; `total` counts the marks and the links."""
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
    for item in jsonld_marks(rows, addresses):
        yield separator + item
        separator = ",\n"
    for values in links:
        yield separator + json.dumps(jsonld_link(values, addresses), ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n}\n"
