"""Links in the exports: the links CSV (a file beside the marks CSV) and links as W3C 'linking' annotations.

Cells are made as the marks CSV makes them (exports.iso_utc, exports.spreadsheet_safe), so the two files read alike.
"""
from __future__ import annotations

import csv
from typing import Iterable, Iterator

from django.db.models import Q, QuerySet

from .exports import JSONLD_CONTEXT, Addresses, _Line, _person, buffered, iso_utc, source_iri, spreadsheet_safe
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


def link_rows(links: Iterable, *, raw: bool = False) -> Iterator[list[str]]:
    """The header, then one row per link: type by its stable key, author by username, time as ISO 8601 UTC.

    `links` need `type` and `created_by` loaded (select_related) to stay one query. A link to a source or a
    speaker ("attributed to") has an empty to_annotation_id and says its target in the last two columns.
    Cells a spreadsheet would run as a formula are neutralised as in the marks CSV unless `raw`.
    """
    yield list(LINK_HEADER)
    for link in links:
        cells = [
            str(link.pk),
            link.type.key,
            str(link.from_annotation_id),
            "" if link.to_annotation_id is None else str(link.to_annotation_id),
            link.note,
            link.created_by.get_username(),
            link.status,
            iso_utc(link.created_at),
            "" if link.to_source_id is None else str(link.to_source_id),
            link.speaker,
        ]
        yield cells if raw else [spreadsheet_safe(cell) for cell in cells]


def stream_links_csv(links: Iterable, raw: bool = False) -> Iterator[str]:
    writer = csv.writer(_Line())
    return buffered(writer.writerow(row) for row in link_rows(links, raw=raw))


def jsonld_link(link: Link, addresses: Addresses) -> dict:
    """A link as a W3C Web Annotation with motivation 'linking': the type as a classifying body, the note as a
    commenting one; the targets are the two marks (or the mark and the source; a speaker is an identifying body)."""
    bodies = [{"type": "TextualBody", "purpose": "classifying", "value": link.type.key, "format": "text/plain"}]
    if link.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": link.note, "format": "text/plain"})
    targets = [addresses.annotation(link.from_annotation_id)]
    if link.to_annotation_id is not None:
        targets.append(addresses.annotation(link.to_annotation_id))
    elif link.to_source_id is not None:
        # Named as the marks' citations name it (DOI, else URL, else the app's page), so an import finds it.
        targets.append(source_iri(link.to_source, addresses.source(link.to_source_id)))
    else:
        bodies.append({"type": "TextualBody", "purpose": "identifying", "value": link.speaker, "format": "text/plain"})
    annotation = {
        "@context": JSONLD_CONTEXT,
        "id": f"{addresses.base}/links/{link.pk}/",
        "type": "Annotation",
        "motivation": "linking",
        "creator": _person(link.created_by.get_username()),
        "created": iso_utc(link.created_at),
        "body": bodies,
        "target": targets,
        "reviewStatus": link.status,
    }
    if not annotation["created"]:
        del annotation["created"]
    return annotation
