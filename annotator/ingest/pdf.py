"""Text of a PDF's text layer (PDFium, through pypdfium2): reading order, paragraphs joined, hyphens at line ends
undone where that is safe, running heads and page numbers dropped, each page's offset and label kept.

PDFium gives each page's text in reading order, line by line, with the box of every character. A paragraph is
lines joined by spaces; a new one starts after a short line, a larger gap than the text's usual line spacing, a
first-line indent, or a move up the page (a new column). PDFium itself joins a line that ends in a hyphen to the
next, marking the hyphen U+FFFE; `dehyphenate` decides whether it stays.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .base import Extracted, ExtractionError, Progress, clean, issued, names

NO_TEXT = "this PDF has no text to mark; run OCR on it first (for example OCRmyPDF)"

# The hyphen PDFium puts where it joined a line ending in a hyphen to the next (older PDFium: U+0002).
_MARKS = "\ufffe\x02"
_JOINED_HYPHEN = re.compile(r"(\w*)[\ufffe\x02](\w*)")
# First halves of compounds that are hyphenated in their own right ("well-known", "self-evident").
COMPOUND_HEADS = frozenset(
    "self well ill non ex all half quasi cross full so high low long short much far near co anti pro post pre "
    "twenty thirty forty fifty sixty seventy eighty ninety one two three four five six seven eight nine ten".split()
)
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:page\s+)?(?:\d+|[ivxlcdm]+)(?:\s+(?:of|/)\s+\d+)?[-–—\s]*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:;…]['\"’”)\]]*$")


@dataclass
class PdfLine:
    text: str
    left: float = 0.0
    right: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0  # height of its first character's font box: its font size


def extract_pdf(data: bytes, progress: Progress | None = None) -> Extracted:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ExtractionError(_refusal(str(exc))) from None
    try:
        total = len(document)
        pages: list[list[PdfLine]] = []
        labels: list[str] = []
        for index in range(total):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    pages.append(_lines(textpage))
                finally:
                    textpage.close()
            finally:
                page.close()
            labels.append(document.get_page_label(index) or str(index + 1))
            if progress is not None and (index % 10 == 9 or index == total - 1):
                progress(index + 1, total + total // 10 + 1)  # the rest of the work: joining, about a tenth
        metadata = _metadata(document.get_metadata_dict(skip_empty=True))
    except pdfium.PdfiumError as exc:
        raise ExtractionError(_refusal(str(exc))) from None
    finally:
        document.close()
    pitch_usual = _usual_pitch(pages)
    _drop_running_lines(pages, pitch_usual)
    text, starts = _join(pages, pitch_usual)
    if not text.strip():
        raise ExtractionError(NO_TEXT[0].upper() + NO_TEXT[1:] + ".")
    dehyphenated = dehyphenate(text, starts)
    return Extracted(text=dehyphenated.text, pages=list(zip(dehyphenated.starts, labels)), metadata=metadata)


def _refusal(reason: str) -> str:
    if "password" in reason.lower():
        return (
            "This PDF is encrypted: it needs a password to open. Save it without the password (or print it to a "
            "new PDF) and upload that."
        )
    detail = reason.split("(PDFium:")[-1].strip(" ).") if "PDFium:" in reason else reason
    return f"This PDF cannot be read: it is damaged or not a PDF ({detail.lower() or 'unknown error'})."


def _lines(textpage) -> list[PdfLine]:
    """The page's lines in PDFium's reading order, each with the box from its first to its last character."""
    raw = textpage.get_text_range()
    lines = []
    unit = 0  # index in PDFium's own counting: UTF-16 code units
    for match in re.finditer(r"[^\r\n]*(\r\n|\r|\n|$)", raw):
        body = match.group()[: len(match.group()) - len(match.group(1))]
        width = len(body) + sum(1 for c in body if ord(c) > 0xFFFF)
        stripped = body.strip()
        if stripped:
            first = unit + _utf16_len(body[: len(body) - len(body.lstrip())])
            last = unit + width - 1 - _utf16_len(body[len(body.rstrip()) :])
            try:
                left, bottom, _, top = textpage.get_charbox(first, loose=True)  # the font's box: its size
                _, last_bottom, right, _ = textpage.get_charbox(last, loose=True)
            except Exception:  # a box PDFium cannot give: the line keeps no geometry, and joins by its text alone
                lines.append(PdfLine(clean(stripped, keep=_MARKS)))
            else:
                lines.append(
                    PdfLine(
                        clean(stripped, keep=_MARKS), left, right, top, min(bottom, last_bottom), max(top - bottom, 1.0)
                    )
                )
        unit += width + _utf16_len(match.group(1))
        if not match.group():
            break
    return [line for line in lines if line.text.strip()]


def _utf16_len(s: str) -> int:
    return len(s) + sum(1 for c in s if ord(c) > 0xFFFF)


def _key(line: PdfLine) -> str:
    return re.sub(r"\d+", "#", " ".join(line.text.lower().split()))


def _drop_running_lines(pages: list[list[PdfLine]], pitch_usual: float) -> None:
    """Drop page numbers and running heads and feet: a page's first or last line that is only a page number, or that
    stands apart from the text (more space than between a paragraph's lines) and whose words (numbers aside) are the
    first or last line of at least 3 pages and 40% of them, and short (a running head is a title, not a line of a
    paragraph that happens to repeat)."""
    with_text = [lines for lines in pages if lines]
    heads = Counter(_key(lines[0]) for lines in with_text)
    feet = Counter(_key(lines[-1]) for lines in with_text)
    needed = max(3, 0.4 * len(with_text))
    for lines in with_text:
        for position, neighbour, counts in ((0, 1, heads), (-1, -2, feet)):
            if not lines:
                break
            line = lines[position]
            apart = len(lines) < 2 or _apart(
                lines[min(position, neighbour)], lines[max(position, neighbour)], pitch_usual
            )
            running = apart and len(line.text) <= 100 and counts[_key(line)] >= needed
            if _PAGE_NUMBER.match(line.text) or running:
                lines.pop(position)


def _apart(upper: PdfLine, lower: PdfLine, pitch_usual: float) -> bool:
    if not upper.size or not lower.size:
        return True
    return upper.bottom - lower.bottom > max(pitch_usual, upper.size, lower.size) * 1.3 + 0.5


def _breaks(previous: PdfLine, line: PdfLine, pitch_usual: float, right_edge: float, left_edge: float) -> bool:
    """Whether `line` starts a new paragraph after `previous`."""
    if not previous.size or not line.size:
        return bool(_SENTENCE_END.search(previous.text))
    size = max(previous.size, line.size)
    if previous.bottom - line.bottom < -0.5 * size:  # up the page: a new column
        return True
    if _apart(previous, line, pitch_usual):  # more space than between the lines of a paragraph
        return True
    if previous.right < right_edge - max(3 * size, 0.12 * (right_edge - left_edge)):  # a short line ends a paragraph
        return True
    if line.left > previous.left + 1.2 * size:  # a first-line indent
        return True
    return False


def _usual_pitch(pages: list[list[PdfLine]]) -> float:
    """The distance from one line to the next inside a paragraph: the smallest that is common (a tenth of them at
    least). Not the median: in a text of two-line paragraphs, half the distances are between paragraphs."""
    pitches = Counter(
        round(a.bottom - b.bottom)
        for lines in pages
        for a, b in zip(lines, lines[1:])
        if a.size and b.size and 0.5 * a.size < a.bottom - b.bottom <= 4 * a.size
    )
    total = sum(pitches.values())
    for pitch in sorted(pitches):
        if pitches[pitch] >= 0.1 * total:
            return float(pitch)
    return 0.0


def _join(pages: list[list[PdfLine]], pitch_usual: float) -> tuple[str, list[int]]:
    """The pages' lines as paragraphs; the offset each page starts at."""
    parts: list[str] = []
    length = 0
    starts = []
    previous: PdfLine | None = None
    previous_page_edges = (0.0, 0.0)
    for lines in pages:
        right_edge = max((line.right for line in lines), default=0.0)
        left_edge = min((line.left for line in lines), default=0.0)
        for number, line in enumerate(lines):
            if previous is None:
                separator = ""
            elif number == 0:  # across a page break: one paragraph only if it plainly runs on
                runs_on = (
                    line.text[:1].islower()
                    and not _SENTENCE_END.search(previous.text)
                    and not previous.right < previous_page_edges[0] - 3 * max(previous.size, 1.0)
                )
                separator = " " if runs_on else "\n\n"
            else:
                separator = "\n\n" if _breaks(previous, line, pitch_usual, right_edge, left_edge) else " "
            if separator == " " and previous is not None and previous.text.endswith("-"):
                separator = "\ufffe"  # a hyphen at a line's end: dehyphenate() decides
                parts[-1] = parts[-1][:-1]
                length -= 1
            parts.append(separator)
            length += len(separator)
            if number == 0:
                starts.append(length)
            parts.append(line.text)
            length += len(line.text)
            previous = line
        if not lines:
            starts.append(length)
        previous_page_edges = (right_edge, left_edge)
    return "".join(parts), starts


@dataclass
class _Dehyphenated:
    text: str
    starts: list[int]


def dehyphenate(text: str, starts: list[int]) -> _Dehyphenated:
    """Undo hyphenation at line ends (marked U+FFFE) where it is safe, moving the page offsets to match.

    The hyphen goes when both halves are lower-case letters and the word is not a compound in its own right: the
    joined word occurs elsewhere in the text, or the hyphenated one does not and the first half is not a usual head
    of compounds ("well-", "self-"). Otherwise it stays ("Jean-Paul", "COVID-19", "well-known").
    """
    # The words of the text, those broken at a line's end left out (they are what is being decided).
    words = Counter(re.findall(r"\w+(?:-\w+)*", _JOINED_HYPHEN.sub(" ", text)))
    out: list[str] = []
    dropped: list[int] = []  # offsets (in the input) of the hyphens removed, one code point each
    position = 0
    for match in _JOINED_HYPHEN.finditer(text):
        head, tail = match.group(1), match.group(2)
        out.append(text[position : match.start()])
        joined, hyphenated = head + tail, f"{head}-{tail}"
        drop = (
            head.isalpha()
            and tail.isalpha()
            and head[-1:].islower()
            and tail[:1].islower()
            and (words[joined] > 0 or (words[hyphenated] == 0 and head.lower() not in COMPOUND_HEADS))
        )
        out.append(joined if drop else hyphenated)
        if drop:
            dropped.append(match.start() + len(head))
        position = match.end()
    out.append(text[position:])
    if not dropped:
        return _Dehyphenated("".join(out), starts)
    return _Dehyphenated("".join(out), [start - bisect.bisect_left(dropped, start) for start in starts])


def _metadata(info: dict) -> dict:
    """Source fields from the PDF's document information: only when it has a title."""
    title = " ".join((info.get("Title") or "").split())
    if not title:
        return {}
    found: dict[str, Any] = {"type": "report", "title": title[:500]}
    if info.get("Author"):
        found["authors"] = names(info["Author"])
    date = issued(info.get("CreationDate", ""))
    if date:
        found["issued"] = date
    return found
