"""What a search asks for, and where it is found in a text: pure, no database.

A query is words, "phrases in quotes", prefixes (`purg*`) and exclusions (`-Trotsky`, `-"a phrase"`). Words compare
folded: lower case, accents dropped (`president` finds `président`, `Ezov` finds `Ežov`), any script. Both backends
get their query from the same terms, and the keyword-in-context excerpts are cut here, with offsets into the text as
stored, so that a result's link opens the document exactly there.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

WORD = re.compile(r"\w+")
# A term: optional "-", then a "quoted phrase" or a run of anything but space; a phrase or word may end in "*".
_TERM = re.compile(r'(-?)(?:"([^"]*)"(\*?)|(\S+))')
MAX_TERMS = 12
MAX_QUERY = 300


class QueryError(ValueError):
    """A query that cannot be run, with the reason for the person who typed it."""


@functools.cache
def fold_char(char: str) -> str:
    """One code point as search compares it: lower case, without accents (may be empty, or longer than one)."""
    if char.isascii():
        return char.lower()
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed and _latin(decomposed[0]):
        return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    # Other scripts keep their marks (й is not и), as SQLite's unicode61 tokenizer keeps them.
    return char.lower()


def _latin(char: str) -> bool:
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code < 0x1F00


# Runs of ASCII (folded at once by str.lower, one code point for one) and single other code points.
_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")


def fold(text: str) -> str:
    """The text as search compares it (see fold_char)."""
    if text.isascii():
        return text.lower()
    return "".join(run.lower() if run.isascii() else fold_char(run) for run in _RUNS.findall(text))


def folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its code points, the offset in `text` of the code point it came from (one
    more at the end: len(text)), so a hit found in the folded text is located in the text as stored."""
    if text.isascii():
        return text.lower(), list(range(len(text) + 1))
    out: list[str] = []
    where: list[int] = []
    for run in _RUNS.finditer(text):
        piece, at = run.group(), run.start()
        if piece.isascii():
            out.append(piece.lower())
            where.extend(range(at, at + len(piece)))
        else:
            folded = fold_char(piece)
            out.append(folded)
            where.extend([at] * len(folded))
    where.append(len(text))
    return "".join(out), where


@dataclass(frozen=True)
class Term:
    """Folded words that follow each other (one word, or a phrase); the last may be a prefix; or their exclusion."""

    words: tuple[str, ...]
    prefix: bool = False
    excluded: bool = False
    part: bool = False  # found anywhere, inside words too (the words' text as a substring)


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    def __str__(self) -> str:
        """The query as one would type it (folded): parse(str(q)) gives q back."""
        out = []
        for term in self.terms:
            words = " ".join(term.words)
            text = f'"{words}"' if len(term.words) > 1 else words
            out.append(("-" if term.excluded else "") + text + ("*" if term.prefix else ""))
        return " ".join(out)

    @property
    def wanted(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.excluded)

    @property
    def excluded(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.excluded)


def parse(text: str) -> Query:
    """The terms of a query as typed; QueryError when there is nothing to look for."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY:
        raise QueryError(f"A search is at most {MAX_QUERY} characters long.")
    terms = []
    for minus, phrase, star, word in _TERM.findall(text):
        raw = phrase or word
        words = tuple(WORD.findall(fold(raw)))
        if words:
            terms.append(Term(words, prefix=bool(star) or raw.endswith("*"), excluded=bool(minus)))
    if len(terms) > MAX_TERMS:
        raise QueryError(f"A search has at most {MAX_TERMS} words or phrases.")
    query = Query(tuple(terms))
    if not query.wanted:
        raise QueryError("Type a word to look for (a word after “-” is left out of the results).")
    return query


# Spelled alike ---------------------------------------------------------------------------------------------

SIMILAR_CUTOFF = 75  # rapidfuzz's ratio (0-100): "trotksy" and "trotsky" score 86, "purgs" and "purges" 91


def trigrams(word: str) -> list[str]:
    """The word's three-letter pieces (what both backends' trigram indexes hold), in order, once each."""
    return list(dict.fromkeys(word[i : i + 3] for i in range(len(word) - 2)))


def closest_word(word: str, texts: list[str]) -> str | None:
    """The word of the texts spelled most like `word` (folded, as search compares words), other than itself; None
    when none comes close. For "Did you mean": a typo, or another transliteration of a name."""
    from rapidfuzz import fuzz, process

    words = {w for text in texts for w in WORD.findall(fold(text)) if w != word and abs(len(w) - len(word)) <= 3}
    found = process.extractOne(word, words, scorer=fuzz.ratio, score_cutoff=SIMILAR_CUTOFF)
    return found[0] if found else None


# Finding the terms in a text -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _finder(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    """One pattern finding, at each word's start, the first of the terms that begins there: a term's words in a row
    (WORD's runs, anything else between them), the last only beginning with its word when it is a prefix. Inside a
    lookahead, so that hits may overlap (`"b b"` twice in `b b b`). None when no term can match (a word of a term
    that is not one WORD run never is one)."""
    alternatives = []
    for term in terms:
        if not term.words or not all(WORD.fullmatch(word) for word in term.words):
            continue
        tail = r"\w*" if term.prefix else r"(?!\w)"
        alternatives.append(r"\W+".join(map(re.escape, term.words)) + tail)
    return re.compile(r"(?<!\w)(?=(" + "|".join(alternatives) + "))") if alternatives else None


def hits(text: str, terms: tuple[Term, ...], limit: int = 1000) -> list[tuple[int, int]]:
    """Where the terms occur in `text`, as [start, end) code-point offsets into it, in text order, at most `limit`."""
    folded, where = folded_with_offsets(text)
    parts = [" ".join(t.words) for t in terms if t.part]
    if parts:
        return _parts(folded, where, parts, limit)
    finder = _finder(tuple(terms))
    found: list[tuple[int, int]] = []
    if finder is None:
        return found
    for match in finder.finditer(folded):
        if len(found) >= limit:
            break
        found.append((where[match.start(1)], where[match.end(1)]))
    return found


def _parts(folded: str, where: list[int], parts: list[str], limit: int) -> list[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for part in parts:
        at = folded.find(part)
        while at != -1 and len(found) < limit:
            found.add((where[at], where[at + len(part)]))
            at = folded.find(part, at + len(part))
    return sorted(found)[:limit]


def contains(text: str, query: Query) -> bool:
    """Whether the text matches the query: every wanted term there, no excluded one (the backends' rule)."""
    return all(hits(text, (t,), 1) for t in query.wanted) and not any(hits(text, (t,), 1) for t in query.excluded)


@dataclass(frozen=True)
class Excerpt:
    """A hit in its context: the words before, the hit, the words after, and the hit's offsets in the text."""

    before: str
    hit: str
    after: str
    start: int
    end: int
    cut_before: bool
    cut_after: bool


def excerpts(text: str, terms: tuple[Term, ...], *, width: int = 60, most: int = 3) -> list[Excerpt]:
    """Keyword in context: up to `most` hits of the terms in `text`, each with about `width` code points either
    side, cut at a space where there is one."""
    out = []
    for start, end in hits(text, terms, most):
        left = max(0, start - width)
        if left > 0:
            space = text.find(" ", left, start)
            left = space + 1 if space != -1 else left
        right = min(len(text), end + width)
        if right < len(text):
            space = text.rfind(" ", end, right)
            right = space if space != -1 else right
        before = " ".join(text[left:start].split())
        after = " ".join(text[end:right].split())
        out.append(Excerpt(before, text[start:end], after, start, end, left > 0, right < len(text)))
    return out
