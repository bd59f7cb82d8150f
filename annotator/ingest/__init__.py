"""Bringing material in: text extracted from web pages, HTML, PDF and Word files, with its pages and metadata.

Pure functions, no database: `extract(data, media_type, url=...)` gives the text to mark (normalised as every
document's text is: see text.normalise_text), the page boundaries (code-point offsets into that text, with the
pages' labels) and the metadata a Source is made of. Fetching a URL is `fetch.fetch`. What the app keeps of it
(the original, the document, its version and source) is written by services/ingest.py.
"""

from __future__ import annotations

from .base import Extracted, ExtractionError, Progress, Upload, media_type_for

# The media types extract() reads, with the file-name endings the upload form takes for each.
PDF, HTML, DOCX = (
    "application/pdf",
    "text/html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
READABLE = {PDF: (".pdf",), HTML: (".html", ".htm", ".xhtml"), DOCX: (".docx",)}


def extract(data: bytes, media_type: str, *, url: str | None = None, progress: Progress | None = None) -> Extracted:
    """The text, pages and metadata of a PDF, HTML or .docx file's bytes; ExtractionError with the reason if none.

    `url` is where the bytes came from (a web page's address: its metadata falls back on it). `progress(done, total)`
    is called as the work advances (pages of a PDF).
    """
    from . import docx, html, pdf  # the libraries load only when a file of their kind comes in

    if not data:
        raise ExtractionError("The file is empty.")
    kind, _, parameters = (media_type or "").partition(";")
    kind = kind.strip().lower()
    if kind == PDF:
        extracted = pdf.extract_pdf(data, progress=progress)
    elif kind == HTML:
        extracted = html.extract_html(data, url=url, charset=_charset(parameters))
    elif kind == DOCX:
        extracted = docx.extract_docx(data)
    else:
        raise ExtractionError(
            f"A file of type “{media_type or 'unknown'}” cannot be read: upload PDF, HTML, .docx, .txt or .md."
        )
    if progress is not None:
        progress(1, 1)
    return extracted.checked()


def _charset(parameters: str) -> str:
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""


__all__ = [
    "DOCX",
    "HTML",
    "PDF",
    "READABLE",
    "Extracted",
    "ExtractionError",
    "Progress",
    "Upload",
    "extract",
    "media_type_for",
]
