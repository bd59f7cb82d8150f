"""The links CSV as rows: a pure function the exports module streams (header first, one row per link)."""
from __future__ import annotations

from datetime import timezone as dt_timezone
from typing import Iterable, Iterator

LINK_HEADER = ["link_id", "type", "from_annotation_id", "to_annotation_id", "note", "author", "status", "created_at"]

# A cell a spreadsheet would run as a formula (OWASP "CSV injection"): these first characters.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str, raw: bool) -> str:
    if not raw and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def link_rows(links: Iterable, *, raw: bool = False) -> Iterator[list[str]]:
    """The header, then one row per link: type by its stable key, author by username, time as ISO 8601 UTC.

    `links` need `type` and `created_by` loaded (select_related) to stay one query. A link to a source or a
    speaker ("attributed to") has an empty to_annotation_id. Text cells a spreadsheet would run as a formula
    get a leading apostrophe unless `raw`.
    """
    yield list(LINK_HEADER)
    for link in links:
        created = link.created_at.astimezone(dt_timezone.utc).isoformat().replace("+00:00", "Z")
        yield [
            str(link.pk),
            link.type.key,
            str(link.from_annotation_id),
            "" if link.to_annotation_id is None else str(link.to_annotation_id),
            _cell(link.note, raw),
            _cell(link.created_by.get_username(), raw),
            link.status,
            created,
        ]
