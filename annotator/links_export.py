"""Links in the exports: the links CSV (a file beside the marks CSV) and links as W3C 'linking' annotations.

Cells are made as the marks CSV makes them (exports.iso_utc, exports.spreadsheet_safe), so the two files read alike.
"""
from __future__ import annotations

import csv
from typing import Iterable, Iterator

from django.db.models import Q, QuerySet

from .exports import (
    JSONLD_CONTEXT, Addresses, SourceRecord, _Line, _person, buffered, iso_utc, source_iri, spreadsheet_safe,
)
from .models import Link

# The columns, then the two targets an "attributed to" link may have instead of a mark.
LINK_HEADER = [
    "link_id", "type", "from_annotation_id", "to_annotation_id", "note", "author", "status", "created_at",
    "to_source_id", "speaker",
]


def links_of(annotations: QuerySet) -> QuerySet:
    """The links between exported marks, or from one to a source or a speaker: one query.

    A link to a mark the filters leave out stays out too, so a filtered export still imports whole.
    """
    return (
        Link.objects.filter(from_annotation__in=annotations.values("pk"))
        .filter(Q(to_annotation__isnull=True) | Q(to_annotation__in=annotations.values("pk")))
        .select_related("type", "created_by", "to_source")
        .order_by("id")
    )


# Each link as a plain tuple of these (link_values): the CSV's columns, then what names a target source.
LINK_COLUMNS = (
    "pk", "type__key", "from_annotation_id", "to_annotation_id", "note", "created_by__username", "status", "created_at",
    "to_source_id", "speaker", "to_source__doi", "to_source__url",
)


def link_values(links: QuerySet) -> QuerySet:
    """The links as tuples of LINK_COLUMNS, straight from the cursor: what the writers below take, without model instances."""
    return links.values_list(*LINK_COLUMNS)


def _values_of(link) -> tuple:
    """A link (a Link with `type` and `created_by` loaded, or any object with its attributes) as LINK_COLUMNS' first ten."""
    return (
        link.pk, link.type.key, link.from_annotation_id, link.to_annotation_id, link.note, link.created_by.get_username(),
        link.status, link.created_at, link.to_source_id, link.speaker,
    )


def link_rows(links: Iterable, *, raw: bool = False) -> Iterator[list[str]]:
    """The header, then one row per link: type by its stable key, author by username, time as ISO 8601 UTC.

    `links` need `type` and `created_by` loaded (select_related) to stay one query. A link to a source or a
    speaker ("attributed to") has an empty to_annotation_id and says its target in the last two columns.
    Cells a spreadsheet would run as a formula are neutralised as in the marks CSV unless `raw`.
    """
    return value_rows(map(_values_of, links), raw=raw)


def value_rows(rows: Iterable[tuple], *, raw: bool = False) -> Iterator[list[str]]:
    """link_rows, from tuples of LINK_COLUMNS (the first ten are enough)."""
    yield list(LINK_HEADER)
    for pk, key, from_id, to_id, note, author, status, created_at, source_id, speaker, *_ in rows:
        cells = [
            str(pk), key, str(from_id), "" if to_id is None else str(to_id), note, author, status, iso_utc(created_at),
            "" if source_id is None else str(source_id), speaker,
        ]
        yield cells if raw else [spreadsheet_safe(cell) for cell in cells]


def stream_links_csv(rows: Iterable[tuple], raw: bool = False) -> Iterator[str]:
    """The links CSV in chunks of about 64 KiB, from tuples of LINK_COLUMNS (link_values)."""
    writer = csv.writer(_Line())
    return buffered(writer.writerow(row) for row in value_rows(rows, raw=raw))


def jsonld_link(link: Link, addresses: Addresses) -> dict:
    """A link as a W3C Web Annotation with motivation 'linking': the type as a classifying body, the note as a
    commenting one; the targets are the two marks (or the mark and the source; a speaker is an identifying body)."""
    source = link.to_source if link.to_source_id is not None else None
    return jsonld_link_of((*_values_of(link), source and source.doi, source and source.url), addresses)


def jsonld_link_of(values: tuple, addresses: Addresses) -> dict:
    """jsonld_link, from a tuple of LINK_COLUMNS."""
    pk, key, from_id, to_id, note, author, status, created_at, source_id, speaker, doi, url = values
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": key, "format": "text/plain"}]
    if note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": note, "format": "text/plain"})
    targets = [addresses.annotation(from_id)]
    if to_id is not None:
        targets.append(addresses.annotation(to_id))
    elif source_id is not None:
        # Named as the marks' citations name it (DOI, else URL, else the app's page), so an import finds it.
        targets.append(source_iri(SourceRecord(source_id, doi=doi or "", url=url or ""), addresses.source(source_id)))
    else:
        bodies.append({"type": "TextualBody", "purpose": "identifying", "value": speaker, "format": "text/plain"})
    annotation = {
        "@context": JSONLD_CONTEXT,
        "id": f"{addresses.base}/links/{pk}/",
        "type": "Annotation",
        "motivation": "linking",
        "creator": _person(author),
        "created": iso_utc(created_at),
        "body": bodies,
        "target": targets,
        "reviewStatus": status,
    }
    if not annotation["created"]:
        del annotation["created"]
    return annotation
