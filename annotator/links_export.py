"""The links CSV as rows: a pure function the export streams beside the marks CSV (header first, one row per link).

Cells are made as the marks CSV makes them (exports.iso_utc, exports.spreadsheet_safe), so the two files read alike.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from .exports import iso_utc, spreadsheet_safe

LINK_HEADER = ["link_id", "type", "from_annotation_id", "to_annotation_id", "note", "author", "status", "created_at"]


def link_rows(links: Iterable, *, raw: bool = False) -> Iterator[list[str]]:
    """The header, then one row per link: type by its stable key, author by username, time as ISO 8601 UTC.

    `links` need `type` and `created_by` loaded (select_related) to stay one query. A link to a source or a
    speaker ("attributed to") has an empty to_annotation_id. Cells a spreadsheet would run as a formula are
    neutralised as in the marks CSV unless `raw`.
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
        ]
        yield cells if raw else [spreadsheet_safe(cell) for cell in cells]
