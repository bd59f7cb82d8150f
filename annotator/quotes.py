"""Pure functions on quotations: check a quotation against a source's text, and find repeated passages.

No database. Text is compared word by word; differences only in whitespace, quote marks, dashes or
case are told apart from real ones. Repeats are found with hashed word shingles: linear in the
length of the texts, never all pairs.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import operator
import re
import threading
from bisect import bisect_left
from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, islice
from typing import NamedTuple

# Quote marks of many typographies, each mapped to its ASCII form.
_QUOTES = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"', "〝": '"', "〞": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "‹": "'", "›": "'", "`": "'",
})
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_RUN = re.compile(f"[{_DASHES}]+")
# A word (apostrophes inside it included), a run of dashes, three dots, or one other mark.
_TOKEN = re.compile(f"\\w+(?:['’‘]\\w+)*|[{_DASHES}]+|\\.\\.\\.|[^\\w\\s]")
# An elision in a quotation: … or ... or [...] / […], with the spaces around it.
_ELISION = re.compile(r"\s*(?:\[\s*(?:…|\.\s?\.\s?\.)\s*\]|…|\.\.\.)\s*")
_OPENING = "\"'“‘„‚«‹"
_CLOSING = "\"'”’‟‛»›"

# Below this share of the quotation's words found in order, the quotation counts as not found.
MIN_SIMILARITY = 0.5
ANCHOR_WORDS = 3
# Unchanged words shown either side of a difference.
DIFF_CONTEXT_WORDS = 8


class Verdict:
    VERBATIM = "verbatim"
    TRIVIAL = "trivial"  # found; differs only in whitespace, quote marks, dashes or case
    DIFFERENT = "different"
    NOT_FOUND = "not-found"


_RANK = {Verdict.VERBATIM: 0, Verdict.TRIVIAL: 1, Verdict.DIFFERENT: 2, Verdict.NOT_FOUND: 3}


class Token(NamedTuple):
    text: str
    start: int
    end: int
    key: str


def token_key(surface: str) -> str:
    """What a token is compared by: quote marks made ASCII, any dash run one '-', case folded."""
    surface = surface.translate(_QUOTES)
    if _DASH_RUN.fullmatch(surface):
        return "-"
    return surface.casefold()


def tokenize(text: str) -> list[Token]:
    keys: dict[str, str] = {}  # most words recur: compute each one's key once
    tokens = []
    for m in _TOKEN.finditer(text):
        surface = m.group()
        key = keys.get(surface)
        if key is None:
            key = keys[surface] = token_key(surface)
        tokens.append(Token(surface, m.start(), m.end(), key))
    return tokens


def strip_enclosing_quotes(text: str) -> str:
    """The quotation without surrounding space and one pair of enclosing quote marks (they are the quoter's)."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _OPENING and text[-1] in _CLOSING:
        text = text[1:-1].strip()
    return text


@dataclass
class QuoteCheck:
    """The verdict on a quotation, the kinds of trivial difference seen, and a word-level diff.

    diff is a list of (op, text): op is "same", "quote" (only in the quotation), "source" (only in
    the source) or "gap" (an elision in the quotation).
    """

    verdict: str
    kinds: list = field(default_factory=list)
    diff: list = field(default_factory=list)
    similarity: float = 0.0
    source_start: int | None = None
    source_end: int | None = None
    changes: int = 0  # how many places differ (a replaced, missing or added run of words each)

    @property
    def found(self) -> bool:
        return self.verdict != Verdict.NOT_FOUND

    def compact_diff(self, context: int = DIFF_CONTEXT_WORDS) -> list:
        """The diff with long unchanged runs cut to `context` words next to each difference ("skip" marks a cut)."""
        changed = ("quote", "source")
        out = []
        for k, (op, text) in enumerate(self.diff):
            if op != "same":
                out.append((op, text))
                continue
            words = text.split()
            head = context if k > 0 and self.diff[k - 1][0] in changed else 0
            tail = context if k + 1 < len(self.diff) and self.diff[k + 1][0] in changed else 0
            if len(words) <= head + tail + 2:
                out.append((op, text))
                continue
            if head:
                out.append(("same", " ".join(words[:head])))
            out.append(("skip", "…"))
            if tail:
                out.append(("same", " ".join(words[-tail:])))
        return out


class _Source:
    """A source text and the keys of its tokens, read once per check; Token objects only for the window compared.

    A source may be a whole book: the work per token is left to C (findall, map, zip, compress).
    """

    def __init__(self, text: str):
        self.text = text
        surfaces = _TOKEN.findall(text)
        keys = {surface: token_key(surface) for surface in set(surfaces)}
        self.keys = list(map(keys.__getitem__, surfaces))

    def window(self, lo: int, hi: int) -> list[Token]:
        """Tokens lo to hi (excluded), as tokenize gives them."""
        found = islice(_TOKEN.finditer(self.text), lo, hi)
        return [Token(m.group(), m.start(), m.end(), key) for m, key in zip(found, self.keys[lo:hi])]

    def best_diagonal(self, keys: list[str]) -> int | None:
        """Where the quotation most likely starts in the source: the offset most of its word n-grams agree on.

        One pass over the source's n-grams, looking each up among the quotation's: linear in the source.
        """
        n = min(ANCHOR_WORDS, len(keys))
        wanted: dict[tuple, list[int]] = {}
        for i in range(len(keys) - n + 1):
            wanted.setdefault(tuple(keys[i : i + n]), []).append(i)
        source = self.keys
        grams = zip(*(source[k:] for k in range(n)))  # the source's n-grams, made in C
        votes: dict[int, int] = {}
        for p in compress(count(), map(wanted.__contains__, grams)):
            for i in wanted[tuple(source[p : p + n])]:
                votes[p - i] = votes.get(p - i, 0) + 1
        if not votes:
            return None
        return max(votes, key=lambda d: (votes[d], -d))


def _gaps_differ(quote: str, qt: list[Token], source: str, st: list[Token]) -> bool:
    for (a, b), (c, d) in zip(zip(qt, qt[1:]), zip(st, st[1:])):
        if quote[a.end : b.start] != source[c.end : d.start]:
            return True
    return False


def _surface_kinds(a: str, b: str) -> set[str]:
    """Why two tokens with the same key differ on the surface."""
    if a == b:
        return set()
    if _DASH_RUN.fullmatch(a) and _DASH_RUN.fullmatch(b):
        return {"dashes"}
    if a.translate(_QUOTES) == b.translate(_QUOTES):
        return {"quote marks"}
    return {"case"} if a.casefold() == b.casefold() else {"case", "quote marks"}


def _word_count(tokens) -> int:
    return sum(1 for t in tokens if t.text[0].isalnum() or t.text[0] == "_")


def _edge(window, positions, words: int, j1: int, j2: int) -> tuple[int, int]:
    """Shrink [j1, j2) from the far end, walking `positions`, to the first `words` words (at least one)."""
    seen = 0
    for p in positions:
        if window[p].text[0].isalnum() or window[p].text[0] == "_":
            seen += 1
        if seen >= max(1, words):
            return (p, j2) if positions.step < 0 else (j1, p + 1)
    return j1, j2


def _check_part(part: str, source: _Source) -> QuoteCheck:
    where = source.text.find(part)
    if where >= 0:
        return QuoteCheck(Verdict.VERBATIM, [], [("same", part)], 1.0, where, where + len(part))
    qt = tokenize(part)
    if not qt:
        return QuoteCheck(Verdict.NOT_FOUND, [], [("quote", part)])
    keys = [t.key for t in qt]
    diagonal = source.best_diagonal(keys)
    if diagonal is None:
        return QuoteCheck(Verdict.NOT_FOUND, [], [("quote", part)])
    slack = len(qt) // 2 + 5
    lo, hi = max(0, diagonal - slack), min(len(source.keys), diagonal + len(qt) + slack)
    window = source.window(lo, hi)
    matcher = difflib.SequenceMatcher(None, keys, [t.key for t in window], autojunk=False)
    ops = matcher.get_opcodes()
    # Source words before the first and after the last matched word are not part of the passage.
    while ops and ops[0][0] == "insert":
        ops.pop(0)
    while ops and ops[-1][0] == "insert":
        ops.pop()
    # A replaced run at either edge takes no more source words than the quotation has there.
    if ops and ops[0][0] == "replace":
        op, i1, i2, j1, j2 = ops[0]
        ops[0] = (op, i1, i2, _edge(window, range(j2 - 1, j1 - 1, -1), _word_count(qt[i1:i2]), j1, j2)[0], j2)
    if ops and ops[-1][0] == "replace":
        op, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (op, i1, i2, j1, _edge(window, range(j1, j2), _word_count(qt[i1:i2]), j1, j2)[1])
    matched = sum(i2 - i1 for op, i1, i2, _, _ in ops if op == "equal")
    similarity = matched / len(qt)
    if similarity < MIN_SIMILARITY:
        return QuoteCheck(Verdict.NOT_FOUND, [], [("quote", part)], similarity)
    first, last = ops[0][3], ops[-1][4]
    start, end = window[first].start, window[last - 1].end

    def quote_text(i1, i2):
        return part[qt[i1].start : qt[i2 - 1].end]

    def source_text(j1, j2):
        return source.text[window[j1].start : window[j2 - 1].end]

    diff = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            diff.append(("same", quote_text(i1, i2)))
        if op in ("delete", "replace"):
            diff.append(("quote", quote_text(i1, i2)))
        if op in ("insert", "replace"):
            diff.append(("source", source_text(j1, j2)))
    if all(op == "equal" for op, *_ in ops):
        aligned = window[first:last]
        kinds: set[str] = set()
        for a, b in zip(qt, aligned):
            kinds |= _surface_kinds(a.text, b.text)
        if _gaps_differ(part, qt, source.text, aligned):
            kinds.add("whitespace")
        order = ["whitespace", "quote marks", "dashes", "case"]
        return QuoteCheck(Verdict.TRIVIAL, [k for k in order if k in kinds], diff, 1.0, start, end)
    changes = sum(1 for op, *_ in ops if op != "equal")
    return QuoteCheck(Verdict.DIFFERENT, [], diff, similarity, start, end, changes)


def check_quotation(quotation: str, source_text: str) -> QuoteCheck:
    """Is the quotation in the source text: verbatim, with trivial differences, with differences, or not at all?

    Enclosing quote marks are the quoter's and ignored; an elision (… or [...]) splits the
    quotation into parts, each looked for on its own.
    """
    quote = strip_enclosing_quotes(quotation)
    if not quote or not source_text.strip():
        return QuoteCheck(Verdict.NOT_FOUND, [], [("quote", quote)] if quote else [])
    where = source_text.find(quote)
    if where >= 0:
        return QuoteCheck(Verdict.VERBATIM, [], [("same", quote)], 1.0, where, where + len(quote))
    parts = [p for p in _ELISION.split(quote) if p.strip()]
    source = _Source(source_text)
    checks = [_check_part(p, source) for p in parts] or [QuoteCheck(Verdict.NOT_FOUND)]
    diff: list = []
    for i, check in enumerate(checks):
        if i:
            diff.append(("gap", "…"))
        diff.extend(check.diff)
    found = [c for c in checks if c.found]
    worst = max((c.verdict for c in checks), key=_RANK.__getitem__)
    if worst == Verdict.NOT_FOUND and found:
        worst = Verdict.DIFFERENT  # some of it is there, some is not
    kinds = [k for k in ["whitespace", "quote marks", "dashes", "case"] if any(k in c.kinds for c in checks)]
    words = [len(tokenize(p)) or 1 for p in parts]
    similarity = sum(c.similarity * w for c, w in zip(checks, words)) / sum(words) if words else 0.0  # all elision
    return QuoteCheck(
        worst,
        kinds if worst == Verdict.TRIVIAL else [],
        diff,
        similarity,
        min((c.source_start for c in found), default=None),
        max((c.source_end for c in found), default=None),
        sum(c.changes or (1 if not c.found else 0) for c in checks),
    )


# The mark panel checks its quotation against each cited source every time it is drawn, and a source may be a
# book. A few recent answers are kept by quotation and a digest of the source's text: the answer depends on
# nothing else, so an edited source misses, and a server that has not seen the pair only works it out again.
RECENT_CHECKS = 128
_recent: OrderedDict[tuple[str, bytes], QuoteCheck] = OrderedDict()
_recent_lock = threading.Lock()


def check_quotation_cached(quotation: str, source_text: str) -> QuoteCheck:
    """check_quotation, remembered for the last RECENT_CHECKS (quotation, source text) pairs; a copy each time."""
    key = (quotation, hashlib.blake2b(source_text.encode("utf-8", "surrogatepass"), digest_size=20).digest())
    with _recent_lock:
        check = _recent.get(key)
        if check is not None:
            _recent.move_to_end(key)
    if check is None:
        check = check_quotation(quotation, source_text)
        with _recent_lock:
            _recent[key] = check
            while len(_recent) > RECENT_CHECKS:
                _recent.popitem(last=False)
    return copy.deepcopy(check)


# Repeated passages -------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:['’]\w+)*")
MIN_REPEAT_WORDS = 8


@dataclass(frozen=True)
class Repeat:
    """Words [start, end) of a text repeat the passage [source_start, source_end) of text number source_index."""

    start: int
    end: int
    words: int
    source_index: int
    source_start: int
    source_end: int


def _word_keys(text: str) -> list[str]:
    """The text's words as they are compared: quote marks made ASCII, case folded (each distinct word once)."""
    words = _WORD.findall(text)
    folded = {word: word.translate(_QUOTES).casefold() for word in set(words)}
    return list(map(folded.__getitem__, words))


def _word_spans(text: str, wanted: set[int]) -> dict[int, tuple[int, int]]:
    """Where the words numbered in `wanted` are in the text: (start, end) by word number, from one pass of the regex."""
    chosen = bytearray(max(wanted, default=-1) + 1)
    for k in wanted:
        chosen[k] = 1
    found = compress(_WORD.finditer(text), chosen)  # the matches whose number is wanted, picked in C
    return {k: m.span() for k, m in zip(sorted(wanted), found)}


def _words(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The text's word keys and every word's (start, end)."""
    return _word_keys(text), [m.span() for m in _WORD.finditer(text)]


def _shingle_hashes(keys: list[str], size: int) -> list[int]:
    """hash(tuple(keys[i : i + size])) for every window of `size` words, computed in C (zip makes the tuples)."""
    return list(map(hash, zip(*(keys[k:] for k in range(size)))))


def _common_length(a: list[str], i: int, b: list[str], j: int, known: int) -> int:
    """How many words from a[i] and b[j] on are equal, knowing the first `known` are: blocks compared in C, halving."""
    limit = min(len(a) - i, len(b) - j)
    length, block = known, 256
    while block:
        while length + block <= limit and a[i + length : i + length + block] == b[j + length : j + length + block]:
            length += block
        block //= 2
    return length


# A window's place as one number: text number above these bits, window number below.
_PLACE_BITS = 40


def find_repeats(texts: list[str], target: int, min_words: int = MIN_REPEAT_WORDS) -> list[Repeat]:
    """Passages of at least min_words words in texts[target] that appear earlier: before them in the
    same text, or in a text listed before it. Each points to the passage's first appearance.

    Every window of min_words words (a shingle) is hashed, and the first place each hash occurs is
    kept: O(total words) time and space, expected. A hash hit is confirmed word by word. The work per
    word is done in C (findall, zip, map, dict.update, compress); Python runs once per repeat found.
    """
    keys = [_word_keys(t) for t in texts[: target + 1]]
    hashes = [_shingle_hashes(k, min_words) for k in keys]
    first: dict[int, int] = {}
    # Written from the last window to the first, so that each hash keeps the place it occurs first.
    for index in range(target, -1, -1):
        base = index << _PLACE_BITS
        first.update(zip(reversed(hashes[index]), range(base + len(hashes[index]) - 1, base - 1, -1)))
    own, base = hashes[target], target << _PLACE_BITS
    # Windows whose hash was seen before them: the candidates, in order.
    candidates = compress(range(len(own)), map(operator.lt, map(first.__getitem__, own), range(base, base + len(own))))
    found = []  # (i, length, index, j) in words
    after = 0  # windows before this one are inside a repeat already found
    for i in candidates:
        if i < after:
            continue
        index, j = divmod(first[own[i]], 1 << _PLACE_BITS)
        other = keys[index]
        if other[j : j + min_words] != keys[target][i : i + min_words]:
            continue  # a hash collision
        length = _common_length(keys[target], i, other, j, min_words)
        found.append((i, length, index, j))
        after = i + length
    # Character offsets of the first and last word of each passage, from one more pass over each text concerned.
    wanted: dict[int, set[int]] = {}
    for i, length, index, j in found:
        wanted.setdefault(target, set()).update((i, i + length - 1))
        wanted.setdefault(index, set()).update((j, j + length - 1))
    spans = {index: _word_spans(texts[index], numbers) for index, numbers in wanted.items()}
    return [
        Repeat(
            start=spans[target][i][0],
            end=spans[target][i + length - 1][1],
            words=length,
            source_index=index,
            source_start=spans[index][j][0],
            source_end=spans[index][j + length - 1][1],
        )
        for i, length, index, j in found
    ]


def unmarked(repeats: list[Repeat], spans: list[tuple[int, int]]) -> list[Repeat]:
    """The repeats that share no character with any of the spans (of the same text): bisect on the spans'
    sorted starts, and the furthest end among those that start before the repeat ends."""
    ordered = sorted(spans)
    starts = [start for start, _ in ordered]
    furthest = list(accumulate((end for _, end in ordered), max))
    kept = []
    for r in repeats:
        k = bisect_left(starts, r.end)
        if not (k and furthest[k - 1] > r.start):
            kept.append(r)
    return kept
