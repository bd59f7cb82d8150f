"""The text of a Word file (.docx, python-docx): paragraphs, headings, list items and table rows, in order.

A .docx is a zip; before anything reads it, its directory is checked, so a file that is not a zip or that would
unpack to far more than it weighs (a zip bomb) is refused without being unpacked.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from .base import Extracted, ExtractionError, clean, issued, join_paragraphs, names

# A real .docx unpacks to a few times its size (XML compresses about tenfold); these bounds are far above that.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 5000


def check_zip(data: bytes) -> None:
    """Refuse bytes that are not a zip, or whose members would unpack to too much: read from the zip's directory."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ExtractionError(
            "This is not a Word (.docx) file: a .docx is a zip archive, and this is not one."
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ExtractionError(f"This .docx holds {len(members)} files; a Word document holds far fewer. Refused.")
        unpacked = sum(m.file_size for m in members)
        packed = sum(m.compress_size for m in members)
        if unpacked > MAX_UNPACKED_BYTES or unpacked > MAX_RATIO * max(packed, 1) + 1024 * 1024:
            raise ExtractionError(
                f"This .docx would unpack to {unpacked // (1024 * 1024)} MB from {max(packed, 1) // 1024 or 1} KB: "
                "it looks like a zip bomb. Refused."
            )
        if "word/document.xml" not in {m.filename for m in members}:
            raise ExtractionError("This zip is not a Word document: it has no word/document.xml.")


def extract_docx(data: bytes) -> Extracted:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ExtractionError(f"This Word file cannot be read: it is damaged ({exc}).") from None
    except Exception as exc:  # lxml's XMLSyntaxError and the like: a damaged part
        raise ExtractionError(f"This Word file cannot be read: it is damaged ({type(exc).__name__}).") from None
    paragraphs = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    value = " ".join(cell.text.split())
                    if value and (not cells or cells[-1] != value):  # merged cells repeat their text
                        cells.append(value)
                paragraphs.append(" | ".join(cells))
        else:
            text = block.text
            if _is_list_item(block) and text.strip():
                text = "• " + text
            paragraphs.append(text)
    text = clean(join_paragraphs(paragraphs))
    return Extracted(text=text, pages=[], metadata=_metadata(document.core_properties))


def _is_list_item(paragraph) -> bool:
    properties = paragraph.paragraph_format.element.pPr  # the paragraph's own numbering (Google Docs, LibreOffice)
    if properties is not None and properties.numPr is not None:
        return True
    style = paragraph.style.name if paragraph.style is not None else ""
    return style.startswith("List")


def _metadata(core) -> dict:
    title = " ".join((core.title or "").split())
    if not title:
        return {}
    found: dict[str, Any] = {"type": "report", "title": title[:500]}
    if core.author:
        found["authors"] = names(core.author)
    if core.created:
        found["issued"] = issued(core.created.date().isoformat())
    return found
