"""Pure functions on quotations: check a quotation against a source's text, and find repeated passages.

No database. Text is compared word by word; differences only in whitespace, quote marks, dashes or
case are told apart from real ones. A check's work is bounded whatever the texts: reading the source
is linear in its length, and everything after that is capped (see Work); where a cap stops it, the
check says so ("too repetitive to check exactly") rather than running on. Repeats are found with
hashed word shingles: linear in the length of the texts, never all pairs.
"""

from __future__ import annotations

import hashlib
import operator
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, compress, count, islice, repeat
from typing import NamedTuple

from rapidfuzz.distance import Indel

# Quote marks of many typographies, each mapped to its ASCII form.
_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "〝": '"',
        "〞": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "‹": "'",
        "›": "'",
        "`": "'",
    }
)
_DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_RUN = re.compile(f"[{_DASHES}]+")
# A word (apostrophes inside it included), a run of dashes, three dots, or one other mark.
_TOKEN = re.compile(f"\\w+(?:['’‘]\\w+)*|[{_DASHES}]+|\\.\\.\\.|[^\\w\\s]")
# A token with the white space before it. Every character is white space or part of a token, so the lengths of
# these pieces add up to offsets: the source is read with findall (strings, in C) rather than a match object a token.
_PIECE = re.compile(f"\\s*+(?:{_TOKEN.pattern})")
# An elision in a quotation: … or ... or [...] / […], with the spaces around it.
_ELISION = re.compile(r"\s*(?:\[\s*(?:…|\.\s?\.\s?\.)\s*\]|…|\.\.\.)\s*")
_OPENING = "\"'“‘„‚«‹"
_CLOSING = "\"'”’‟‛»›"

# Below this share of the quotation's words found in order, the quotation counts as not found.
MIN_SIMILARITY = 0.5
# Unchanged words shown either side of a difference.
DIFF_CONTEXT_WORDS = 8

# What one check may do, whatever the texts (issue 18: a quotation of "= " * 1000 against a source of "= " * 524288
# once took 30 s). Reading the source is linear in its length, which the upload limit bounds; the rest is capped here.
MAX_QUOTE_TOKENS = 4_000  # words and signs of a quotation compared word by word (all its parts together)
MAX_PARTS = 8  # elisions after the 7th do not split the quotation any further (each part is searched for verbatim)
MAX_VOTES = 400_000  # votes (see RARE_WEIGHT) counted to find where the quotation stands
# A vote of a word that occurs n times in the source counts max(1, RARE_WEIGHT // n) times: the rare words of a
# passage place it, and a common word's places (everywhere) hardly move the count. Where a passage is in the source
# twice, with a different sentence after it each time, the rare words of that sentence tell which one is meant.
RARE_WEIGHT = 64
MAX_CELLS = 32_000_000  # quotation words x source words given to the aligner
CHECKPOINT = 1024  # the offset of every CHECKPOINT-th source token is kept: a window is read again from the one before
SOURCE_CHUNK = 1 << 18  # characters of the source tokenized at once: the memory of reading a long source stays small
# Raise when check_quotation's answers change: every stored check made before is then stale (see check_digest).
CHECKER_VERSION = "2"


class Verdict:
    VERBATIM = "verbatim"
    TRIVIAL = "trivial"  # found; differs only in whitespace, quote marks, dashes or case
    DIFFERENT = "different"
    NOT_FOUND = "not-found"
    # Not checked word by word, and why: its words recur too often in the source to tell where it stands, or it is
    # longer than MAX_QUOTE_TOKENS (either is only looked for verbatim).
    REPETITIVE = "repetitive"
    TOO_LONG = "too-long"


_RANK = {
    Verdict.VERBATIM: 0,
    Verdict.TRIVIAL: 1,
    Verdict.DIFFERENT: 2,
    Verdict.NOT_FOUND: 3,
    Verdict.TOO_LONG: 4,
    Verdict.REPETITIVE: 5,
}
_FOUND = {Verdict.VERBATIM, Verdict.TRIVIAL, Verdict.DIFFERENT}
_KIND_ORDER = ["whitespace", "quote marks", "dashes", "case"]


@dataclass
class Work:
    """What checks did, in elementary steps of about the same cost (a few tenths of a microsecond here).

    `source`: source tokens read (tokenizing it once, and each window again); `scanned`: source tokens passed over
    in C (a count or a lookup: an eighth of a step each); `searched`: source characters searched for a quotation or a
    part of it verbatim (str.find: a thirty-second of a step); `hits`: places of source words gathered for the votes;
    `quote`: quotation tokens read (four steps: a Token made and counted); `votes` (made and counted in C: a quarter
    of a step); `cells`: aligner cells (bit-parallel, in C: a thousandth of a step). `checks`: quotations checked.
    """

    source: int = 0
    scanned: int = 0
    searched: int = 0
    hits: int = 0
    quote: int = 0
    votes: int = 0
    cells: int = 0
    checks: int = 0

    @property
    def steps(self) -> int:
        return (
            self.source
            + self.scanned // 8
            + self.searched // 32
            + self.hits
            + 4 * self.quote
            + self.votes // 4
            + self.cells // 1000
        )


def max_check_steps(source_length: int) -> int:
    """The most steps one check takes beyond reading its source (tokenizing it and counting its keys, once for all the
    quotations checked against it): its verbatim searches, its quotation's tokens, its votes and the places they come
    from, its windows (each read again from the checkpoint before it), its cells."""
    return (
        (MAX_PARTS + 1) * source_length // 32
        + 4 * MAX_QUOTE_TOKENS
        + MAX_VOTES
        + MAX_VOTES // 4
        + 2 * MAX_QUOTE_TOKENS
        + MAX_PARTS * (CHECKPOINT + 10)
        + MAX_CELLS // 1000
    )


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


def tokenize(text: str, limit: int | None = None) -> list[Token]:
    """The text's tokens (the first `limit` of them, when given)."""
    keys: dict[str, str] = {}  # most words recur: compute each one's key once
    tokens = []
    for m in islice(_TOKEN.finditer(text), limit):
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
    the source) or "gap" (an elision in the quotation). For a check that gave up (REPETITIVE), `present`
    of the quotation's `tokens` (words and signs) occur in the source: what was found.
    """

    verdict: str
    kinds: list = field(default_factory=list)
    diff: list = field(default_factory=list)
    similarity: float = 0.0
    source_start: int | None = None
    source_end: int | None = None
    changes: int = 0  # how many places differ (a replaced, missing or added run of words each)
    tokens: int = 0
    present: int = 0
    work: Work | None = field(default=None, compare=False, repr=False)

    @property
    def found(self) -> bool:
        return self.verdict in _FOUND

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

    def stored(self) -> dict:
        """What a citation keeps of the check (JSON): the verdict and what the mark's panel shows of it.

        The diff only when there are differences to show, cut to the words around them; never the whole quotation.
        """
        kept: dict = {"verdict": self.verdict, "similarity": round(self.similarity, 4)}
        if self.verdict == Verdict.TRIVIAL:
            kept["kinds"] = list(self.kinds)
        if self.verdict == Verdict.DIFFERENT:
            kept["changes"] = self.changes
            kept["diff"] = [[op, text] for op, text in self.compact_diff()]
        if self.verdict == Verdict.REPETITIVE:
            kept["tokens"], kept["present"] = self.tokens, self.present
        if self.verdict == Verdict.TOO_LONG:
            kept["limit"] = MAX_QUOTE_TOKENS
        if self.found:
            kept["source_start"], kept["source_end"] = self.source_start, self.source_end
        return kept


def source_digest(text: str) -> bytes:
    """A digest of a source's text: one per source, however many quotations are checked against it."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()


def check_digest(quotation: str, source: bytes) -> str:
    """What a stored check was made on: the checker's version, the quotation, and its source's digest (hex).

    A stored check whose digest differs from this one for the texts as they are now is stale.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{CHECKER_VERSION}\0".encode())
    digest.update(quotation.encode("utf-8", "surrogatepass"))
    digest.update(b"\0" + source)
    return digest.hexdigest()


class _Source:
    """A source text, read once (and only when a quotation needs more than a verbatim search): the keys of its
    tokens, how often each occurs, and where, for the keys asked. Token objects only for the windows compared."""

    def __init__(self, text: str, work: Work, chunk: int = SOURCE_CHUNK):
        self.text = text
        self.work = work
        self.chunk = chunk
        self._places: dict[str, list[int]] = {}

    @cached_property
    def keys(self) -> list[str]:
        """Every token's key, in order. Read in chunks; the offset where token k * CHECKPOINT starts is kept."""
        text, size = self.text, len(self.text)
        keys: list[str] = []
        self.checkpoints: list[int] = []
        keyed: dict[str, str] = {}  # piece -> key: most pieces recur
        pos, span = 0, self.chunk
        while pos < size:
            end = min(size, pos + span)
            pieces = _PIECE.findall(text, pos, end)
            stop = pos + sum(map(len, pieces))  # where the last piece ends
            if end < size:
                # A token ending next to the chunk's end may go on past it ("wor|d", "..|.", "don'|t"): read it again.
                while pieces and stop > end - 3:
                    stop -= len(pieces.pop())
                if not pieces and text[pos:end].strip():
                    span *= 2  # one token longer than the chunk
                    continue
                if not pieces:
                    pos, span = end, self.chunk  # white space only
                    continue
            first = len(keys)
            keyed.update((piece, token_key(piece.lstrip())) for piece in set(pieces).difference(keyed))
            keys.extend(map(keyed.__getitem__, pieces))
            k = -first % CHECKPOINT  # the chunk's first token whose number is a multiple of CHECKPOINT
            offset = pos + sum(map(len, pieces[:k]))
            for i in range(k, len(pieces), CHECKPOINT):
                self.checkpoints.append(offset)
                offset += sum(map(len, pieces[i : i + CHECKPOINT]))
            self.work.source += len(pieces)
            pos, span = (stop if end < size else size), self.chunk
        return keys

    @cached_property
    def counts(self) -> Counter:
        self.work.scanned += len(self.keys)
        return Counter(self.keys)

    def places(self, wanted: set[str]) -> dict[str, list[int]]:
        """Where each wanted key occurs (token numbers): one pass in C over the source for the keys not asked before."""
        missing = wanted.difference(self._places)
        if missing:
            keys, places = self.keys, self._places
            for key in missing:
                places[key] = []
            hits = list(compress(count(), map(missing.__contains__, keys)))
            self.work.scanned += len(keys)
            self.work.hits += len(hits)
            for p in hits:
                places[keys[p]].append(p)
        return self._places

    def window(self, lo: int, hi: int) -> list[Token]:
        """Tokens lo to hi (excluded), as tokenize gives them: read again from the checkpoint before lo."""
        keys, k = self.keys, lo // CHECKPOINT
        first = k * CHECKPOINT
        found = islice(_TOKEN.finditer(self.text, self.checkpoints[k]), lo - first, hi - first)
        self.work.source += hi - first
        return [Token(m.group(), m.start(), m.end(), key) for m, key in zip(found, keys[lo:hi])]


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


def _joined(blocks: list[tuple[int, int, int]], a: list, b: list) -> list[tuple[int, int, int]]:
    """Matching blocks with each run only in a (or only in b) slid aside where that joins the blocks either side of it.

    A longest common subsequence may match "wrong ." to "wrong . After ." as "wrong" + the last "." and leave ". After"
    in between; the same number of words matches as "wrong ." with "After ." after it. The smaller block moves.
    """
    out: list[tuple[int, int, int]] = []
    for block in blocks:
        out.append(block)
        while len(out) > 1:
            (a1, b1, s1), (a2, b2, s2) = out[-2], out[-1]
            ga, gb = a2 - a1 - s1, b2 - b1 - s1
            if ga and gb:
                break
            if ga == 0:  # a run only in b between them
                right = b[b1 + s1 : b1 + s1 + s2] == a[a2 : a2 + s2] and (a1, b1, s1 + s2)
                left = a[a1 : a1 + s1] == b[b2 - s1 : b2] and (a1, b2 - s1, s1 + s2)
            else:  # a run only in a
                right = a[a1 + s1 : a1 + s1 + s2] == b[b2 : b2 + s2] and (a1, b1, s1 + s2)
                left = b[b1 : b1 + s1] == a[a2 - s1 : a2] and (a2 - s1, b1, s1 + s2)
            joined = (right or left) if s2 <= s1 else (left or right)
            if not joined:
                break
            out[-2:] = [joined]
    return out


def _align(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib-style opcodes of a longest common subsequence of two key lists (rapidfuzz: bit-parallel, in C)."""
    ids: dict[str, int] = {}
    a_ids, b_ids = [ids.setdefault(k, len(ids)) for k in a], [ids.setdefault(k, len(ids)) for k in b]
    matching = Indel.opcodes(a_ids, b_ids).as_matching_blocks()
    blocks = [(block.a, block.b, block.size) for block in matching if block.size]
    ops, i, j = [], 0, 0
    for a1, b1, size in _joined(blocks, a_ids, b_ids) + [(len(a), len(b), 0)]:
        if i < a1 or j < b1:
            ops.append(("replace" if i < a1 and j < b1 else "delete" if i < a1 else "insert", i, a1, j, b1))
        if size:
            ops.append(("equal", a1, a1 + size, b1, b1 + size))
        i, j = a1 + size, b1 + size
    return ops


@dataclass
class _Part:
    """One part of a quotation (between elisions) that is not in the source verbatim, on its way to a verdict."""

    text: str
    tokens: list[Token]
    share: float = 1.0  # of the quotation's tokens still to be compared: its share of the votes and cells allowed
    voters: dict[str, list[int]] = field(default_factory=dict)  # key -> its places in the part, for the keys that vote
    skipped: int = 0  # tokens that occur in the source too often to vote within the part's share of MAX_VOTES
    present: int = 0  # tokens that occur in the source (as many times as in the part at most)
    cost: int = 0  # the most steps comparing it can take, once its voters are chosen
    check: QuoteCheck | None = None

    @property
    def slack(self) -> int:
        """Source tokens either side of the part's length in the window compared: as many as its share of MAX_CELLS
        allows (the part's total is at most MAX_QUOTE_TOKENS, so that is always a few thousand), no more than needed."""
        n = len(self.tokens)
        return max(0, min(n // 2 + 5, (int(MAX_CELLS * self.share) // n - n) // 2))

    def choose_voters(self, source: _Source) -> None:
        """The keys that place the part: the rarest in the source first, while their votes stay within its share.

        A key that occurs in the source many times carries no position; which keys vote is settled before any vote.
        """
        counts, mine = source.counts, Counter(t.key for t in self.tokens)
        self.present = sum(min(n, counts[key]) for key, n in mine.items())
        if self.present < MIN_SIMILARITY * len(self.tokens):
            # Fewer than half its tokens are in the source at all, so no alignment can match half: not found, exactly.
            self.check = self.unplaced(Verdict.NOT_FOUND)
            return
        allowed, spent = int(MAX_VOTES * self.share), 0
        costs = ((n * max(counts[key], RARE_WEIGHT), key) for key, n in mine.items() if counts[key])
        for cost, key in sorted(costs):
            if spent + cost > allowed:
                break
            spent += cost
            self.voters[key] = []
        for i, t in enumerate(self.tokens):
            if t.key in self.voters:
                self.voters[t.key].append(i)
            elif counts[t.key]:
                self.skipped += 1
        n, slack = len(self.tokens), self.slack
        # Its votes (no more than `spent`, a quarter of a step each), the places they come from (one step each, no more
        # than `spent` either), its window and its cells.
        self.cost = spent + spent // 4 + n + 2 * slack + CHECKPOINT + n * (n + 2 * slack) // 1000

    def gave_up(self) -> QuoteCheck:
        """Not found where the votes put it: a real miss, unless most of the part could not vote (too repetitive)."""
        if self.skipped >= (1 - MIN_SIMILARITY) * len(self.tokens):
            return self.unplaced(Verdict.REPETITIVE)
        return self.unplaced(Verdict.NOT_FOUND)

    def unplaced(self, verdict: str) -> QuoteCheck:
        return QuoteCheck(verdict, [], [("quote", self.text)], tokens=len(self.tokens), present=self.present)

    def diagonal(self, source: _Source) -> int | None:
        """Where the part most likely starts in the source, from its voters: each vote is a place of the key in the
        source minus its place in the part (made and counted in C). The votes are summed over bands of half the
        window's slack, so that a word left out or added, which moves the rest of the votes by one, does not split
        them; in the two neighbouring bands with the most votes, the offset with the most (the first, on a tie)."""
        places, offsets = source.places(set(self.voters)), []
        for key, mine in self.voters.items():
            where = places[key]
            weight = max(1, RARE_WEIGHT // len(where))
            for i in mine:
                offsets.extend(list(map(operator.sub, where, repeat(i, len(where)))) * weight)
        source.work.votes += len(offsets)
        if not offsets:
            return None
        band = max(1, self.slack // 8)
        bands = Counter(map(operator.floordiv, offsets, repeat(band)))
        pairs = {b: bands[b] + bands[b + 1] for b in sorted(bands)}
        # The first pair of bands within a sixteenth of the best: the first of identical passages, whichever of them
        # a few common words happened to vote for.
        most = max(pairs.values())
        best = next(b for b, n in pairs.items() if n >= most - most // 16)
        votes = Counter(d for d in offsets if best * band <= d < (best + 2) * band)
        most = max(votes.values())
        return min(d for d, n in votes.items() if n == most)

    def compare(self, source: _Source) -> QuoteCheck:
        diagonal = self.diagonal(source)
        if diagonal is None:
            return self.gave_up()
        qt, part, slack = self.tokens, self.text, self.slack
        keys = [t.key for t in qt]
        lo, hi = max(0, diagonal - slack), min(len(source.keys), diagonal + len(qt) + slack)
        window = source.window(lo, hi) if hi > lo else []
        source.work.cells += len(qt) * len(window)
        ops = _align(keys, [t.key for t in window])
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
            check = self.gave_up()
            check.similarity = similarity
            return check
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
            return QuoteCheck(Verdict.TRIVIAL, [k for k in _KIND_ORDER if k in kinds], diff, 1.0, start, end)
        changes = sum(1 for op, *_ in ops if op != "equal")
        return QuoteCheck(Verdict.DIFFERENT, [], diff, similarity, start, end, changes)


@dataclass
class _Quotation:
    """A quotation on its way to a verdict: decided already, or its parts (each decided, or a _Part to compare)."""

    quote: str
    parts: list = field(default_factory=list)  # (text, QuoteCheck) for a part found verbatim, else a _Part
    check: QuoteCheck | None = None

    def to_compare(self) -> list[_Part]:
        return [p for p in self.parts if isinstance(p, _Part) and p.check is None]


def _verbatim(text: str, where: int) -> QuoteCheck:
    return QuoteCheck(Verdict.VERBATIM, [], [("same", text)], 1.0, where, where + len(text))


def _read(quotation: str, source_text: str, work: Work) -> _Quotation:
    """The quotation's parts, each searched for verbatim (in C) and tokenized when it is not found so."""
    quote = strip_enclosing_quotes(quotation)
    if not quote or not source_text.strip():
        return _Quotation(quote, check=QuoteCheck(Verdict.NOT_FOUND, [], [("quote", quote)] if quote else []))
    work.searched += len(source_text)
    where = source_text.find(quote)
    if where >= 0:
        return _Quotation(quote, check=_verbatim(quote, where))
    read = _Quotation(quote)
    room = MAX_QUOTE_TOKENS
    texts = [text for text in _ELISION.split(quote, MAX_PARTS - 1) if text.strip()]
    for text in texts:
        if text == quote:
            where = -1  # no elision: searched for already
        else:
            work.searched += len(source_text)
            where = source_text.find(text)
        if where >= 0:
            read.parts.append((text, _verbatim(text, where)))
            continue
        tokens = tokenize(text, room + 1)
        work.quote += len(tokens)
        if len(tokens) > room:
            read.check = QuoteCheck(Verdict.TOO_LONG, [], [("quote", quote)])
            return read
        room -= len(tokens)
        part = _Part(text, tokens)
        if not tokens:
            part.check = QuoteCheck(Verdict.NOT_FOUND, [], [("quote", text)])
        read.parts.append(part)
    if not texts:
        read.check = QuoteCheck(Verdict.NOT_FOUND)  # nothing but elisions
    total = sum(len(p.tokens) for p in read.to_compare())
    for p in read.to_compare():
        p.share = len(p.tokens) / total
    return read


def _combine(read: _Quotation) -> QuoteCheck:
    checks: list[QuoteCheck] = []
    sizes: list[int] = []
    for part in read.parts:
        if isinstance(part, _Part):
            assert part.check is not None  # every part is compared (or found nowhere) before the parts are combined
            checks.append(part.check)
            sizes.append(len(part.tokens) or 1)
        else:
            text, check = part
            checks.append(check)
            sizes.append(len(_TOKEN.findall(text)) or 1)
    diff: list = []
    for i, check in enumerate(checks):
        if i:
            diff.append(("gap", "…"))
        diff.extend(check.diff)
    found = [c for c in checks if c.found]
    worst = max((c.verdict for c in checks), key=_RANK.__getitem__)
    if worst == Verdict.NOT_FOUND and found:
        worst = Verdict.DIFFERENT  # some of it is there, some is not
    kinds = [k for k in _KIND_ORDER if any(k in c.kinds for c in checks)]
    similarity = sum(c.similarity * w for c, w in zip(checks, sizes)) / sum(sizes)
    present = sum(round(c.similarity * w) if c.found else c.present for c, w in zip(checks, sizes))
    return QuoteCheck(
        worst,
        kinds if worst == Verdict.TRIVIAL else [],
        diff,
        similarity,
        min((c.source_start for c in found if c.source_start is not None), default=None),
        max((c.source_end for c in found if c.source_end is not None), default=None),
        sum(c.changes or (1 if not c.found else 0) for c in checks),
        sum(sizes) if worst == Verdict.REPETITIVE else 0,
        present if worst == Verdict.REPETITIVE else 0,
    )


def check_quotations(
    quotations: Sequence[str], source_text: str, *, budget: int | None = None, work: Work | None = None
) -> list[QuoteCheck | None]:
    """check_quotation for each quotation against one source, which is read once for all of them.

    With a budget (in Work.steps, counted on `work`, which callers may share across sources), a quotation is checked
    only while the worst it could cost still fits: the first always is, and those left over are None.
    """
    work = work if work is not None else Work()
    source = _Source(source_text, work)
    reads: list[_Quotation] = []
    worst, reserved = max_check_steps(len(source_text)), 0  # reserved: what comparing the quotations read may take
    for quotation in quotations:
        if budget is not None and (work.checks or reads) and work.steps + reserved + worst > budget:
            break
        read = _read(quotation, source_text, work)
        for part in read.to_compare() if read.check is None else ():
            if not reserved:
                reserved = len(source.keys) // 8  # the one pass that finds the places of every voting key
            part.choose_voters(source)
            reserved += part.cost
        reads.append(read)
    # The places of every voting key of every quotation, in one pass over the source.
    source.places({key for read in reads for part in read.to_compare() for key in part.voters})
    results: list[QuoteCheck | None] = [None] * len(quotations)
    for n, read in enumerate(reads):
        if read.check is None:
            for part in read.to_compare():
                part.check = part.compare(source)
            read.check = _combine(read)
        read.check.work = work
        work.checks += 1
        results[n] = read.check
    return results


def check_quotation(quotation: str, source_text: str) -> QuoteCheck:
    """Is the quotation in the source text: verbatim, with trivial differences, with differences, or not at all?

    Enclosing quote marks are the quoter's and ignored; an elision (… or [...]) splits the quotation
    into parts, each looked for on its own. A part not found verbatim is placed by votes of its words
    that are rare in the source, then aligned word by word (a longest common subsequence) within a
    window there. Its work is bounded: a quotation whose words recur too often in the source to place
    it is REPETITIVE, one of more than MAX_QUOTE_TOKENS words and signs TOO_LONG (both only looked
    for verbatim); the check's Work says what it did.
    """
    [check] = check_quotations([quotation], source_text)
    assert check is not None  # without a budget every quotation is checked
    return check


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
