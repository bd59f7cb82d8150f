"""Exports and imports of marks: our marks CSV, our links CSV and W3C Web Annotation JSON-LD.

One entry point each way. export() writes a selection of marks in one of FORMATS: the web download and the admin's
export actions (through download()) and `manage.py export_annotations` all call it, so the choice of writer is made
here only. read() reads a file of ours back into rows, which services.imports.import_marks saves.

Inside: records.py (what the files are made of: records, columns, cells), query.py (reading marks and links for
export), writers.py (one writer per format), readers.py (the readers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from . import query, writers
from .query import EarlierVersion, ExportFilter
from .readers import ImportFileError, LinksFileError, Parsed, read
from .records import CSV_HEADER, JSONLD_CONTENT_TYPE, Addresses, buffered

__all__ = [
    "CSV_HEADER",
    "FORMATS",
    "EarlierVersion",
    "ExportFilter",
    "ImportFileError",
    "LinksFileError",
    "Parsed",
    "download",
    "export",
    "read",
]

# Each format, and what its download is: the media type, and how the file's name ends.
FORMATS = {
    "csv": ("text/csv; charset=utf-8", ".csv"),  # the marks, one row each
    "links-csv": ("text/csv; charset=utf-8", "-links.csv"),  # the links that start at those marks
    "jsonld": (JSONLD_CONTENT_TYPE, ".jsonld"),  # the marks, then their links, as W3C Web Annotations
}


def export(
    selection: QuerySet | EarlierVersion,
    file_format: str,
    *,
    raw: bool = False,
    base_url: str = "",
    collection_id: str = "",
    label: str = "",
) -> Iterator[str]:
    """The marks of `selection` written in `file_format` (one of FORMATS), in chunks of about 64 KiB, each written as
    it is read: memory does not grow with the number of marks.

    `selection` is a queryset of marks (query.marks(filter), or the admin's selection), on the text they were made
    on, or an EarlierVersion (marks as they stood on an earlier version of one document's text; it has no links).
    `raw` writes CSV cells exactly as stored; by default a cell a spreadsheet would run as a formula is neutralised.
    JSON-LD ids start with `base_url` (scheme and host); `collection_id` and `label` name the collection.
    ValueError, before anything is read, for a format that is not one or links of an earlier version.
    """
    if file_format not in FORMATS:
        raise ValueError(f"No export format “{file_format}” (one of {', '.join(FORMATS)}).")
    rows: Iterable[tuple]
    links: Iterable[tuple]
    if isinstance(selection, EarlierVersion):
        if file_format == "links-csv":
            raise ValueError("Links are exported for the current version only.")
        rows = selection.rows()
        if file_format == "csv":
            return buffered(writers.marks_csv(rows, raw=raw))
        rows = list(rows)  # one document's marks: few enough to count as they come
        links, total = iter(()), len(rows)
    else:
        if file_format == "links-csv":
            return buffered(writers.links_csv(query.links_of(selection).iterator(), raw=raw))
        rows = query.rows(selection)
        if file_format == "csv":
            return buffered(writers.marks_csv(rows, raw=raw))
        found = query.links_of(selection)
        total = selection.count() + found.count()
        links = found.iterator()
    return buffered(
        writers.jsonld(
            rows,
            links,
            total=total,
            collection_id=collection_id,
            label=label,
            addresses=Addresses(base_url.rstrip("/")),
        )
    )


def download(
    request: HttpRequest,
    selection: QuerySet,
    file_format: str,
    *,
    raw: bool,
    label: str,
    name: str,
) -> StreamingHttpResponse:
    """export() as a streamed attachment named `name` and the format's ending: the web export and the admin's actions.

    JSON-LD ids start with the address the request came to, and the collection is named by the request's URL.
    """
    content_type, ending = FORMATS[file_format]
    chunks = export(
        selection,
        file_format,
        raw=raw,
        base_url=request.build_absolute_uri("/"),
        collection_id=request.build_absolute_uri(),
        label=label,
    )
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}{ending}"'
    return response
