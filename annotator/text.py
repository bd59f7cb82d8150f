"""Pure functions on text: import normalisation, offsets, quote context, blocks and segmentation.

Offsets are Unicode code points into the document text, half-open: text[start:end] is the marked
text. Browsers count in UTF-16 code units; the conversions here are the one place that knows both.
Nothing in this module touches the database.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# W3C TextQuoteSelector: prefix and suffix of up to 32 code points either side.
CONTEXT_LENGTH = 32

BOM = "\ufeff"


class TextImportError(ValueError):
    """A document's bytes or text cannot be taken as they are; the message is for the user."""


class SpanError(ValueError):
    """A span's offsets or text do not fit its document; the message is for the user."""


def normalise_text(text: str) -> str:
    """Drop leading BOMs and turn CRLF and lone CR into LF. Nothing else is rewritten.

    Every leading BOM, not only the first (a file saved twice with one has two): normalising twice must give what
    normalising once gave, or a text checked after one pass is another text after the next.
    """
    return text.lstrip(BOM).replace("\r\n", "\n").replace("\r", "\n")


def decode_import(data: bytes) -> str:
    """Decode an uploaded file as UTF-8 (strictly) and normalise it; refuse anything else, and empty text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextImportError(
            f"The file is not UTF-8 text: byte {exc.start} (0x{data[exc.start]:02x}) is not valid UTF-8. "
            "Save it as UTF-8 and upload it again."
        ) from None
    return check_document_text(normalise_text(text))


def check_document_text(text: str) -> str:
    """Refuse text that cannot be a document: empty or blank, or holding NUL characters."""
    if not text.strip():
        raise TextImportError("The document is empty: there is no text to annotate.")
    if "\x00" in text:
        raise TextImportError("The text contains NUL characters; it looks like a binary file, not text.")
    return text


# What no database column can hold: NUL (PostgreSQL refuses it) and lone surrogates (UTF-8 cannot encode them).
_UNSTORABLE = re.compile(r"[\x00\uD800-\uDFFF]")


def unstorable(value) -> str | None:
    """What in `value` (text, or JSON made of lists, dicts and text) cannot be stored, for the user's message: a NUL
    character, or a lone surrogate (half of a UTF-16 pair, which a JSON escape can carry). None if nothing."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found = _UNSTORABLE.search(item)
            if found:
                char = found.group()
                return (
                    "a NUL character"
                    if char == "\x00"
                    else f"a lone surrogate (U+{ord(char):04X}, half of a character)"
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


# Unicode's explicit bidi controls: embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


# Names of labels and link types are the interface's own words ("Claim", "supports"), read inside its sentences
# and on its buttons: they may not hold bidi controls, which no name needs and which would reorder the sentence.
NO_BIDI_IN_NAMES = (
    "A name of a label or a link type may not hold bidi control characters (U+202A–U+202E, U+2066–U+2069): "
    "it is shown inside the interface's sentences."
)


def isolated(value: str) -> str:
    """User text for a sentence of plain text (a message, a page title, a line of history): when it holds bidi
    controls, between U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE, the plain-text <bdi>, so that a
    control it leaves open (U+202E) cannot reverse the rest of the sentence. Other text comes back as it was."""
    value = str(value)
    return f"\u2068{value}\u2069" if BIDI_CONTROLS.search(value) else value


# Double quotation marks that may open or close a text: English, German, French and Danish use.
_OPENING_QUOTES = '“„"«»'
_CLOSING_QUOTES = '”“"»«'


def quote_marks(value: str) -> tuple[str, str]:
    """The double quotation marks to put around user text: none on a side where the text has one already, so a
    quotation that starts with its own mark (“These comrades…) or a title that ends with one (Did Stalin Want
    “Mass Terror?”) is not doubled."""
    value = str(value)
    opening = "" if value and value[0] in _OPENING_QUOTES else "“"
    closing = "" if value and value[-1] in _CLOSING_QUOTES else "”"
    return opening, closing


def quoted(value: str) -> str:
    """User text in double quotation marks (quote_marks) for a sentence of plain text, the text isolated inside
    them (see isolated), so a bidi control in it cannot move the closing mark."""
    opening, closing = quote_marks(value)
    return f"{opening}{isolated(value)}{closing}"


# The largest id a row can have (a signed 64-bit key, as both databases store BigAutoField).
MAX_ID = 2**63 - 1


def row_id(value) -> int | None:
    """The id `value` names (an int or a string of decimal digits), or None when no row can have it: not a number,
    0 or less, or past 64 bits. Past 64 bits SQLite refuses the number itself (OverflowError), and past 4,300 digits
    int() refuses the string."""
    if isinstance(value, str):
        if not value.isdecimal() or len(value) > 19:
            return None
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        return None
    return value


def search_terms(q: str) -> str:
    """What a search box's text looks for: its words, single-spaced, without NUL characters (PostgreSQL refuses
    them in any query, so one typed or pasted into a search would fail it)."""
    return " ".join(q.replace("\x00", " ").split())


def json_problem(exc: json.JSONDecodeError) -> str:
    """A file's JSON error, where it is: "The file is not valid JSON: Unterminated string starting at line 3,
    column 7." (json's own message ends in "at" where it names a place, which the line and column then are)."""
    return f"The file is not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno}, column {exc.colno}."


def check_span(text: str, start: int, end: int, exact: str | None = None) -> None:
    """Raise SpanError unless 0 <= start < end <= len(text) and, when given, text[start:end] == exact."""
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise SpanError("Start and end must be whole numbers.")
    if start < 0 or end > len(text):
        raise SpanError(f"The selection {start}–{end} lies outside the text (0–{len(text)}).")
    if start > end:
        raise SpanError(f"The selection {start}–{end} ends before it starts: the start must come first.")
    if start == end:
        raise SpanError(f"The selection is empty (it starts and ends at {start}): select some text first.")
    if exact is not None and text[start:end] != exact:
        raise SpanError(
            f"The selected text does not match the document's text at {start}–{end}: the text may have changed since "
            "it was read (reload the page, or read the document again) and select again."
        )


def quote_context(text: str, start: int, end: int, length: int = CONTEXT_LENGTH) -> tuple[str, str]:
    """Return (prefix, suffix): up to `length` code points before start and after end."""
    return text[max(0, start - length) : start], text[end : end + length]


def utf16_length(s: str) -> int:
    """Length of s in UTF-16 code units, as a browser counts it."""
    return len(s.encode("utf-16-le")) // 2


def codepoint_to_utf16(text: str, offset: int) -> int:
    """Convert a code-point offset into text to a UTF-16 code-unit offset."""
    if not 0 <= offset <= len(text):
        raise SpanError(f"Offset {offset} lies outside the text (0–{len(text)}).")
    return utf16_length(text[:offset])


def utf16_to_codepoint(text: str, offset: int) -> int:
    """Convert a UTF-16 code-unit offset into text to a code-point offset.

    An offset between the two halves of a surrogate pair names no character boundary: SpanError.
    """
    encoded = text.encode("utf-16-le")
    if not 0 <= offset * 2 <= len(encoded):
        raise SpanError(f"Offset {offset} lies outside the text.")
    try:
        return len(encoded[: offset * 2].decode("utf-16-le"))
    except UnicodeDecodeError:
        raise SpanError(f"Offset {offset} falls inside a character (between the halves of a surrogate pair).") from None


# Characters outside the Basic Multilingual Plane: two UTF-16 code units each (a surrogate pair), one code point.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Offsets:
    """Offsets into one text converted between code points and UTF-16 code units, both ways, in O(log n) each
    (the API's ?offsets=utf16: a 1 MB text's 10,000 marks converted without re-encoding the text each time).

    Only astral characters make the two counts differ: their code-point positions are kept, sorted.
    """

    def __init__(self, text: str):
        self.length = len(text)
        self.astral = [m.start() for m in _ASTRAL.finditer(text)]
        # Where each astral character starts in UTF-16: every astral character before it adds one unit.
        self.astral_utf16 = [at + index for index, at in enumerate(self.astral)]

    def to_utf16(self, offset: int) -> int:
        if not 0 <= offset <= self.length:
            raise SpanError(f"Offset {offset} lies outside the text (0–{self.length}).")
        return offset + bisect.bisect_left(self.astral, offset)

    def to_codepoint(self, offset: int) -> int:
        """The code-point offset of a UTF-16 one; SpanError outside the text or between a surrogate pair's halves."""
        if not 0 <= offset <= self.length + len(self.astral):
            raise SpanError(f"Offset {offset} lies outside the text (0–{self.length + len(self.astral)}).")
        before = bisect.bisect_left(self.astral_utf16, offset)
        if before and self.astral_utf16[before - 1] + 1 == offset:
            raise SpanError(f"Offset {offset} falls inside a character (between the halves of a surrogate pair).")
        return offset - before


@dataclass(frozen=True)
class Piece:
    """A run of text [start, end) covered by the same set of spans (their ids, ascending)."""

    start: int
    end: int
    span_ids: tuple = ()


@dataclass
class Block:
    """A paragraph of the text, [start, end), including the blank lines that follow it."""

    index: int
    start: int
    end: int
    pieces: list = field(default_factory=list)


# A blank line: a newline, then only spaces, tabs or no-break spaces, then a newline.
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n(?:[ \t\u00a0]*\n)*")


def split_blocks(text: str) -> list[tuple[int, int]]:
    """Cut text into paragraphs at blank lines. The blocks tile the text: each ends after its blank lines."""
    bounds = []
    start = 0
    for match in _BLANK_LINES.finditer(text):
        if match.end() < len(text):
            bounds.append((start, match.end()))
            start = match.end()
    if start < len(text) or not bounds:
        bounds.append((start, len(text)))
    return bounds


def segment(spans: Iterable[tuple[object, int, int]], start: int, end: int, cuts: Iterable[int] = ()) -> list[Piece]:
    """Cut [start, end) into pieces at every span boundary (and at `cuts`), each listing the spans covering it.

    A sweep over the sorted boundaries: O((n + m) log m) for m spans, plus the size of the output.
    Spans are (id, start, end); parts outside [start, end) are ignored.
    """
    opening: dict[int, list] = {}
    closing: dict[int, list] = {}
    points = {start, end}
    for span_id, s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        opening.setdefault(s, []).append(span_id)
        closing.setdefault(e, []).append(span_id)
        points.add(s)
        points.add(e)
    points.update(c for c in cuts if start < c < end)
    ordered = sorted(points)
    active: set = set()
    pieces = []
    for left, right in zip(ordered, ordered[1:]):
        active.difference_update(closing.get(left, ()))
        active.update(opening.get(left, ()))
        pieces.append(Piece(left, right, tuple(sorted(active))))
    return pieces


def layout(text: str, spans: Sequence[tuple[object, int, int]]) -> list[Block]:
    """Blocks of the text, each holding the pieces it is cut into by the spans."""
    bounds = split_blocks(text)
    pieces = segment(spans, 0, len(text), cuts=[s for s, _ in bounds])
    blocks = [Block(i, s, e) for i, (s, e) in enumerate(bounds)]
    index = 0
    for piece in pieces:
        while piece.start >= blocks[index].end:
            index += 1
        blocks[index].pieces.append(piece)
    return blocks
