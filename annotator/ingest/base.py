"""What every extractor gives back, and the rules they share: clean text, page offsets, names and dates."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import text as textlib

Progress = Callable[[int, int], None]


class ExtractionError(ValueError):
    """The bytes hold nothing we can make a document of; the message says why and is for the user."""


@dataclass
class Extracted:
    """Text to mark, its pages as (offset of the page's first code point, page label), and the metadata found.

    `metadata` holds Source fields (`type`, `title`, `authors` as CSL names, `issued`, `container_title`, `url`,
    `publisher`), only those that were found.
    """

    text: str
    pages: list[tuple[int, str]] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)

    def checked(self) -> Extracted:
        """The same, once sure the text is a document's text: normalised (so the offsets hold), storable, not blank."""
        if textlib.normalise_text(self.text) != self.text:
            raise AssertionError("extracted text must be normalised before its page offsets are taken")
        try:
            textlib.check_document_text(self.text)
        except textlib.TextImportError:
            raise ExtractionError("No text could be extracted from this file: there is nothing to mark.") from None
        starts = [start for start, _ in self.pages]
        if starts != sorted(starts) or (starts and (starts[0] != 0 or starts[-1] > len(self.text))):
            raise AssertionError(f"page offsets out of order or range: {starts[:5]}…")
        return self


@dataclass(frozen=True)
class Upload:
    """A file as it came: its name and bytes."""

    name: str
    data: bytes


# C0 and C1 controls other than tab and line feed, and the code points no text holds: noise from extraction.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_LIGATURE = re.compile("[\ufb00-\ufb06]")


def clean(text: str, keep: str = "") -> str:
    """Extracted text as a document holds it: LF line ends, no control characters, typographic ligatures spelled
    out (so "ﬁnal" is found by typing "final"), no byte order mark. Nothing else is rewritten. `keep`: controls to
    leave for the caller (the PDF reader's marks of joined hyphens)."""
    text = textlib.normalise_text(text).replace(textlib.BOM, "")
    text = _LIGATURE.sub(lambda m: _LIGATURES[m.group()], text)
    return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else "", text)


def join_paragraphs(paragraphs: list[str]) -> str:
    """Paragraphs as a document's blocks: single-spaced lines, a blank line between paragraphs."""
    return "\n\n".join(p for p in (" ".join(p.split()) for p in paragraphs) if p)


def names(text: str) -> list[dict]:
    """CSL names from a metadata author string: 'Ann Smith; Bob Jones', 'Smith, Ann' or an organisation."""
    found = []
    for part in re.split(r";|\band\b|\n|/|\|", text or ""):
        part = " ".join(part.split()).strip(" ,")
        if not part or len(part) > 200:
            continue
        if "," in part:
            family, given = (p.strip() for p in part.split(",", 1))
            found.append({"family": family, "given": given} if given else {"literal": family})
        elif 2 <= len(part.split()) <= 4 and all(w[:1].isupper() for w in part.split()):
            *first, family = part.split()
            found.append({"family": family, "given": " ".join(first)})
        else:
            found.append({"literal": part})
    return found[:20]


_DATE = re.compile(r"(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?")


def issued(value: str) -> str:
    """A date as a Source's `issued` (YYYY, YYYY-MM or YYYY-MM-DD) from ISO or PDF dates ('D:20240305...'), or ''."""
    match = _DATE.match((value or "").strip().removeprefix("D:"))
    if not match or not 1000 <= int(match.group(1)) <= 2999:
        return ""
    year, month, day = match.groups()
    if month and not 1 <= int(month) <= 12:
        return year
    if day and not 1 <= int(day) <= 31:
        return f"{year}-{month}"
    return "-".join(p for p in (year, month, day) if p)


def media_type_for(name: str, declared: str = "", head: bytes = b"") -> str:
    """The media type to read a file as: from its first bytes when they say (a PDF, a zip), else its name's ending,
    else what the server or browser declared. '' when none of those names a kind we know."""
    from . import DOCX, HTML, PDF, READABLE

    if head.lstrip()[:5] == b"%PDF-":
        return PDF
    lowered = (name or "").lower()
    for media_type, endings in READABLE.items():
        if lowered.endswith(endings):
            return media_type
    declared = (declared or "").split(";")[0].strip().lower()
    if declared in ("text/html", "application/xhtml+xml"):
        return HTML
    if declared in (PDF, DOCX):
        return declared
    return ""
