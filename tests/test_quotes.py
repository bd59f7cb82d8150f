"""Quotation checks and repeated passages: pure functions, no database."""

import random
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from annotator import quotes
from annotator.quotes import Verdict, check_quotation, find_repeats

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BLOG = (SEEDS / "003_d10184c267f9a8d1.txt").read_text(encoding="utf-8")
FORUM = (SEEDS / "000_79e11ffbb65a5d38.txt").read_text(encoding="utf-8")
SPEECH_START = BLOG.index("“But the question")
SPEECH_END = BLOG.index("Trotskyites.”") + len("Trotskyites.”")
SPEECH_QUOTE = BLOG[SPEECH_START:SPEECH_END]
SPEECH = quotes.strip_enclosing_quotes(SPEECH_QUOTE)


def test_a_quotation_in_the_source_as_it_stands_is_verbatim():
    check = check_quotation(SPEECH_QUOTE, "Comrades! " + SPEECH + " (Applause.)")
    assert check.verdict == Verdict.VERBATIM
    assert check.diff == [("same", SPEECH)]
    assert check.source_start == len("Comrades! ")


def test_one_changed_word_is_found_with_a_word_level_diff():
    source = SPEECH.replace("an individual, discriminate approach", "an individual, differentiated approach")
    check = check_quotation(SPEECH_QUOTE, source)
    assert check.verdict == Verdict.DIFFERENT
    assert [d for d in check.diff if d[0] != "same"] == [("quote", "discriminate"), ("source", "differentiated")]
    assert 0.99 < check.similarity < 1


def test_differences_only_in_whitespace_quote_marks_dashes_or_case_are_reported_as_such():
    quote = "He said “the method of mass, disorderly arrests—if this can be\n\nconsidered a method” was wrong."
    cases = {
        "whitespace": "He said “the method of mass, disorderly arrests—if this can be considered a method” was wrong.",
        "quote marks": 'He said "the method of mass, disorderly arrests—if this can be\n\nconsidered a method" was wrong.',
        "dashes": "He said “the method of mass, disorderly arrests -- if this can be\n\nconsidered a method” was wrong.",
        "case": "HE SAID “THE METHOD OF MASS, DISORDERLY ARRESTS—IF THIS CAN BE\n\nCONSIDERED A METHOD” WAS WRONG.",
    }
    for kind, source in cases.items():
        check = check_quotation(quote, "Before. " + source + " After.")
        assert check.verdict == Verdict.TRIVIAL, kind
        assert kind in check.kinds, (kind, check.kinds)
    assert "case" not in check_quotation(quote, cases["quote marks"]).kinds


def test_a_quotation_that_is_not_there_is_not_found():
    check = check_quotation(SPEECH_QUOTE, "The weather in Moscow was mild that spring, and the harvest was late.")
    assert check.verdict == Verdict.NOT_FOUND and not check.found
    assert check_quotation("anything", "").verdict == Verdict.NOT_FOUND
    assert check_quotation("“ ”", SPEECH).verdict == Verdict.NOT_FOUND


def test_an_elision_splits_the_quotation_into_parts_each_looked_for():
    quote = "“They do not understand that arrests must be directed solely against active enemies of Soviet power… They do not understand that is this kind of action took on a massive character”"
    source = (
        "They do not understand that arrests must be directed solely against active enemies of Soviet power, "
        "whatever their past. They do not understand that is this kind of action took on a massive character"
    )
    check = check_quotation(quote, source)
    assert check.verdict == Verdict.VERBATIM
    assert ("gap", "…") in check.diff


def test_a_half_found_quotation_is_found_with_differences():
    quote = "arrests ought to be limited and carried out under strict control […] the weather was mild and the harvest was late"
    check = check_quotation(
        quote, "making arrests ought to be limited and carried out under strict control of appropriate organs"
    )
    assert check.verdict == Verdict.DIFFERENT


@given(
    st.lists(
        st.sampled_from("the party purge of cadres was demanded by regional branches".split()), min_size=30, max_size=80
    ),
    st.integers(0, 20),
    st.integers(3, 9),
)
def test_any_passage_cut_from_a_text_is_found_verbatim_in_it(words, start, length):
    text = " ".join(words)
    passage = " ".join(words[start : start + length])
    assert check_quotation(passage, text).verdict == Verdict.VERBATIM


# Repeated passages --------------------------------------------------------------------------------


def test_a_repeat_points_to_the_first_appearance_in_the_same_text():
    text = "one two three four five six seven eight nine. Then: one two three four five six seven eight nine ten."
    [repeat] = find_repeats([text], 0)
    assert text[repeat.start : repeat.end] == "one two three four five six seven eight nine"
    assert repeat.start > 0 and repeat.source_index == 0 and repeat.source_start == 0
    assert repeat.words == 9


def test_fewer_than_eight_repeated_words_are_no_repeat():
    text = "one two three four five six seven. Later one two three four five six seven."
    assert find_repeats([text], 0) == []


def test_a_repeat_of_an_earlier_text_points_to_it_and_the_earlier_text_has_none():
    first = "Intro. a bb ccc dddd eeeee ffffff ggggggg hhhhhhhh iiiiiiiii. End."
    second = "Quoting: A BB CCC DDDD EEEEE FFFFFF GGGGGGG HHHHHHHH, and more."
    [repeat] = find_repeats([first, second], 1)
    assert (repeat.source_index, repeat.words) == (0, 8)
    assert first[repeat.source_start : repeat.source_end] == "a bb ccc dddd eeeee ffffff ggggggg hhhhhhhh"
    assert find_repeats([first, second], 0) == []


def test_the_forum_threads_flattened_quote_blocks_are_found():
    repeats = find_repeats([FORUM, BLOG], 0)
    assert len(repeats) >= 5
    for repeat in repeats:
        assert repeat.words >= 8 and repeat.source_start < repeat.start
        assert (
            quotes._words(FORUM[repeat.start : repeat.end])[0]
            == quotes._words(FORUM[repeat.source_start : repeat.source_end])[0]
        )
    first = FORUM.index("Stalin is unseated by Sheila Fitzpatrick")
    second = FORUM.index("Stalin is unseated by Sheila Fitzpatrick", first + 1)
    assert any(r.start == second and r.source_start == first for r in repeats)


@given(
    st.lists(st.integers(0, 10**6).map(lambda n: f"w{n}"), min_size=8, max_size=30, unique=True),
    st.lists(st.integers(0, 10**6).map(lambda n: f"x{n}"), max_size=20),
)
def test_a_passage_pasted_again_is_always_found(passage, filler):
    text = " ".join(passage) + " " + " ".join(filler) + " " + " ".join(passage)
    repeats = find_repeats([text], 0)
    assert [(r.words, r.source_start) for r in repeats] == [(len(passage), 0)]


def test_the_shown_diff_keeps_a_few_words_around_each_difference():
    source = SPEECH.replace("an individual, discriminate approach", "an individual, differentiated approach")
    check = check_quotation(SPEECH_QUOTE, source)
    assert check.changes == 1
    shown = check.compact_diff(context=3)
    assert shown == [
        ("skip", "…"),
        ("same", "others, an individual,"),
        ("quote", "discriminate"),
        ("source", "differentiated"),
        ("same", "approach is required."),
        ("skip", "…"),
    ]


def test_a_changed_first_word_does_not_drag_in_the_text_before_the_passage():
    source = (
        "Much earlier text about other matters entirely. Comrades, the question arises: how is this task carried out?"
    )
    check = check_quotation("But the question arises: how is this task carried out?", source)
    assert check.verdict == Verdict.DIFFERENT
    assert [d for d in check.diff if d[0] != "same"] == [("quote", "But"), ("source", "Comrades,")]


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10)), max_size=12),
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10)), max_size=12),
)
def test_unmarked_keeps_the_repeats_no_span_touches(regions, spans):
    repeats = [quotes.Repeat(start, start + length, 8, 0, 0, 1) for start, length in regions]
    spans = [(start, start + length) for start, length in spans]
    expected = [r for r in repeats if not any(s < r.end and r.start < e for s, e in spans)]
    assert quotes.unmarked(repeats, spans) == expected


def reference_repeats(texts, target, min_words=quotes.MIN_REPEAT_WORDS):
    """find_repeats as first written: a Python loop over every window, extended word by word."""
    words = [quotes._words(t) for t in texts]
    first = {}
    for index, (keys, _) in enumerate(words[: target + 1]):
        for i in range(len(keys) - min_words + 1):
            first.setdefault(hash(tuple(keys[i : i + min_words])), (index, i))
    keys, offsets = words[target]
    repeats, i = [], 0
    while i <= len(keys) - min_words:
        hit = first.get(hash(tuple(keys[i : i + min_words])))
        if (
            hit is None
            or hit >= (target, i)
            or words[hit[0]][0][hit[1] : hit[1] + min_words] != keys[i : i + min_words]
        ):
            i += 1
            continue
        index, j = hit
        other = words[index][0]
        length = min_words
        while i + length < len(keys) and j + length < len(other) and other[j + length] == keys[i + length]:
            length += 1
        source = words[index][1]
        repeats.append(
            quotes.Repeat(
                offsets[i][0], offsets[i + length - 1][1], length, index, source[j][0], source[j + length - 1][1]
            )
        )
        i += length
    return repeats


few_words = st.lists(st.sampled_from(["a", "b", "A", "it’s", "it's", "😀x", "ё"]), max_size=400).map(" ".join)


@given(st.lists(few_words, min_size=1, max_size=3), st.integers(0, 2), st.integers(2, 8))
def test_find_repeats_finds_what_the_word_by_word_definition_finds(texts, target, min_words):
    target = min(target, len(texts) - 1)
    assert find_repeats(texts, target, min_words) == reference_repeats(texts, target, min_words)


@given(few_words, few_words, st.integers(2, 8))
def test_long_repeats_are_measured_to_the_word(head, tail, min_words):
    # The first part comes back whole, then the second: runs of hundreds of words, past the blocks compared at once.
    text = " ".join([head, tail, head, head, tail])
    assert find_repeats([text], 0, min_words) == reference_repeats([text], 0, min_words)


class ReferenceSource:
    """The source as plainly as it can be written: every token made into a Token, counts and places in Python loops."""

    def __init__(self, text, work):
        self.text, self.work = text, work
        self.tokens = quotes.tokenize(text)
        self.keys = [t.key for t in self.tokens]
        self.counts = Counter()
        for key in self.keys:
            self.counts[key] += 1

    def places(self, wanted):
        return {key: [p for p, k in enumerate(self.keys) if k == key] for key in wanted}

    def window(self, lo, hi):
        return self.tokens[lo:hi]


source_words = st.lists(
    st.sampled_from(["the", "The", "purge", "—", "-", "“", "”", "it’s", "it's", ",", "...", "😀", "Ёж"]), max_size=120
)


@given(
    source_words,
    st.integers(0, 120),
    st.integers(1, 40),
    st.lists(st.sampled_from(["the", "purge", "—", "x", " … "]), max_size=4),
)
def test_the_check_finds_what_the_token_by_token_source_finds(words, at, length, edits):
    source = " ".join(words)
    quote = " ".join(words[at : at + length] + edits)
    fast = check_quotation(quote, source)
    original = quotes._Source
    quotes._Source = ReferenceSource
    try:
        assert check_quotation(quote, source) == fast
    finally:
        quotes._Source = original


chunk_text = st.lists(st.sampled_from(list("ab ’'.—-\n😀=") + ["...", "don't", "  "]), max_size=120).map("".join)


@given(chunk_text, st.integers(1, 12), st.data())
def test_the_source_read_in_chunks_has_the_tokens_tokenize_gives(text, chunk, data):
    # Every chunk boundary falls somewhere in the text: inside a word, a dash run, "...", white space.
    source = quotes._Source(text, quotes.Work(), chunk=chunk)
    tokens = quotes.tokenize(text)
    assert source.keys == [t.key for t in tokens]
    lo = data.draw(st.integers(0, len(tokens)))
    hi = data.draw(st.integers(lo, len(tokens)))
    if lo < len(tokens):
        assert source.window(lo, hi) == tokens[lo:hi]


def test_a_window_is_read_again_from_its_checkpoint_not_from_the_start():
    text = "alpha beta gamma. " * 5000
    source = quotes._Source(text, quotes.Work(), chunk=1000)
    tokens = quotes.tokenize(text)
    before = source.work.source if source.keys else 0
    assert source.window(15000, 15010) == tokens[15000:15010]
    assert source.work.source - before <= quotes.CHECKPOINT + 10


def test_a_quotation_that_is_only_an_elision_is_not_found_rather_than_an_error():
    check = check_quotation("“…”", "Some source text.")
    assert check.verdict == Verdict.NOT_FOUND and check.similarity == 0.0


# Bounded work (issue 18) ------------------------------------------------------------------------------

HOSTILE_QUOTE = "= " * 1000 + "end"
HOSTILE_SOURCE = "= " * 524288  # 1 MB, under the upload limit


def test_a_quotation_too_repetitive_to_place_is_said_so_within_bounded_work():
    check = check_quotation(HOSTILE_QUOTE, HOSTILE_SOURCE)
    assert check.verdict == Verdict.REPETITIVE and not check.found
    # What was found: all the "=" signs are in the source, "end" is not.
    assert (check.tokens, check.present) == (1001, 1000)
    assert check.stored() == {"verdict": "repetitive", "similarity": 0.0, "tokens": 1001, "present": 1000}
    work = check.work
    assert work.votes <= quotes.MAX_VOTES and work.cells <= quotes.MAX_CELLS
    # The source is tokenized once (its 524,288 "=" signs) and its keys counted, in C; the rest is capped: no
    # |source| x |quotation| anywhere.
    assert work.source == 524288 and work.scanned <= 2 * 524288 and work.quote == 1001
    assert work.steps - (work.source + work.scanned // 8) <= quotes.max_check_steps(len(HOSTILE_SOURCE))


def test_words_common_enough_to_max_out_the_votes_and_the_aligner_stay_within_the_caps():
    rng = random.Random(1)
    vocabulary = [f"w{i}" for i in range(1500)]
    source = " ".join(rng.choices(vocabulary, k=170_000))  # ~1 MB: each word about 113 times
    passage = source.split()[50_000:53_990]
    quote = " ".join(passage[:2000] + ["changed"] + passage[2001:])
    check = check_quotation(quote, source)
    assert check.verdict == Verdict.DIFFERENT and check.changes == 1
    assert check.diff[1:3] == [("quote", "changed"), ("source", passage[2000])]
    assert 0.99 * quotes.MAX_VOTES < check.work.votes <= quotes.MAX_VOTES
    assert 30_000_000 < check.work.cells <= quotes.MAX_CELLS


def test_a_quotation_longer_than_the_aligner_takes_is_too_long_unless_verbatim():
    words = [f"w{i}" for i in range(quotes.MAX_QUOTE_TOKENS + 1)]
    source = " ".join(words)
    assert check_quotation(source, source).verdict == Verdict.VERBATIM
    check = check_quotation(source.replace("w7 ", "w7x "), source)
    assert check.verdict == Verdict.TOO_LONG and check.work.cells == 0
    assert check.stored() == {"verdict": "too-long", "similarity": 0.0, "limit": quotes.MAX_QUOTE_TOKENS}
    shorter = " ".join(words[: quotes.MAX_QUOTE_TOKENS]).replace("w7 ", "w7x ")
    assert check_quotation(shorter, source).verdict == Verdict.DIFFERENT


def test_a_quotation_whose_common_words_are_not_placed_by_votes_is_still_found():
    # "the" is too common to vote (its votes would pass MAX_VOTES); the rare words place the quotation.
    filler = "the " * 60_000
    source = filler + "the purge of the cadres was the work of the centre " + filler
    check = check_quotation("the purge of the Cadres was the work of the centre", source)
    assert check.verdict == Verdict.TRIVIAL and check.kinds == ["case"]
    assert source[check.source_start : check.source_end] == "the purge of the cadres was the work of the centre"


def test_over_budget_quotations_are_left_unchecked_but_the_first_always_is():
    source = "Comrades! " + SPEECH.replace("discriminate", "differentiated") + " (Applause.)"
    checks = quotes.check_quotations([SPEECH_QUOTE, SPEECH_QUOTE + " x", "Comrades!"], source, budget=1)
    assert checks[0] == check_quotation(SPEECH_QUOTE, source) and checks[1:] == [None, None]
    work = quotes.Work()
    assert all(quotes.check_quotations([SPEECH_QUOTE, "Comrades!"], source, budget=10**7, work=work))
    assert work.checks == 2


def test_the_stored_check_keeps_what_the_panel_shows_and_no_more():
    source = SPEECH.replace("an individual, discriminate approach", "an individual, differentiated approach")
    stored = check_quotation(SPEECH_QUOTE, source).stored()
    assert stored["verdict"] == "different" and stored["changes"] == 1
    assert ["quote", "discriminate"] in stored["diff"] and ["skip", "…"] in stored["diff"]
    assert len(str(stored)) < 1000 < len(SPEECH)
    assert check_quotation(SPEECH_QUOTE, SPEECH).stored() == {
        "verdict": "verbatim",
        "similarity": 1.0,
        "source_start": 0,
        "source_end": len(SPEECH),
    }


def test_a_check_digest_changes_with_the_quotation_the_source_or_the_checker(monkeypatch):
    digest = quotes.check_digest("a quotation", quotes.source_digest("its source"))
    assert digest == quotes.check_digest("a quotation", quotes.source_digest("its source"))
    assert digest != quotes.check_digest("a quotation.", quotes.source_digest("its source"))
    assert digest != quotes.check_digest("a quotation", quotes.source_digest("its source."))
    monkeypatch.setattr(quotes, "CHECKER_VERSION", "next")
    assert digest != quotes.check_digest("a quotation", quotes.source_digest("its source"))


def test_many_quotations_of_one_source_stop_within_the_budget():
    # The source is read once for all of them; each further check runs only while the worst it could take fits.
    quotations = [f"w{i} " * 3 + f"x{i}" for i in range(400)]
    source = " ".join(f"w{i} w{i} w{i} y{i}" for i in range(400)) * 20
    work, budget = quotes.Work(), 3_000_000
    checks = quotes.check_quotations(quotations, source, budget=budget, work=work)
    done = [c for c in checks if c is not None]
    assert 0 < len(done) < len(quotations) and checks[len(done) :] == [None] * (len(quotations) - len(done))
    assert {c.verdict for c in done} == {Verdict.DIFFERENT} and work.checks == len(done)
    assert work.steps <= budget
