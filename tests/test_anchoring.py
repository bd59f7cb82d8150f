"""Carrying marks across a revision, and placing an imported mark: the pure placement rules, with property-based tests."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotator import text as textlib
from annotator.anchoring import Anchor, Placed, Rule, Unplaceable, best_in_context, carry, locate


def anchor(text, start, end, key=0):
    prefix, suffix = textlib.quote_context(text, start, end)
    return Anchor(key, start, end, text[start:end], prefix, suffix)


OLD = "The centre restrained local zeal. Getty says so. The party demanded purges.\n"


def test_a_mark_before_any_edit_is_unchanged():
    new = OLD.replace("The party", "The whole party")
    [placed] = carry([anchor(OLD, 4, 10)], OLD, new)
    assert (placed.placement, placed.start, placed.end) == (Rule.UNCHANGED, 4, 10)


def test_a_mark_after_an_edit_is_shifted_by_it():
    new = "Indeed, " + OLD
    start = OLD.index("Getty")
    [placed] = carry([anchor(OLD, start, start + 5)], OLD, new)
    assert placed.placement == Rule.SHIFTED
    assert new[placed.start : placed.end] == "Getty"


def test_a_moved_sentence_is_refound_by_its_text_and_context():
    old = "Alpha beta gamma delta.\n\nThe moved sentence is here.\n\nOmega psi chi.\n"
    new = "The moved sentence is here.\n\nAlpha beta gamma delta.\n\nOmega psi chi.\n"
    start = old.index("moved")
    [placed] = carry([anchor(old, start, start + 5)], old, new)
    assert placed.placement in (Rule.REFOUND, Rule.SHIFTED)
    assert new[placed.start : placed.end] == "moved"


def test_an_edit_inside_a_mark_is_found_fuzzily_and_flagged():
    start, end = OLD.index("The centre"), OLD.index(".")
    new = OLD.replace("restrained", "restricted")
    [placed] = carry([anchor(OLD, start, end)], OLD, new)
    assert placed.placement == Rule.FUZZY and placed.placement.flagged
    assert 75 <= placed.score < 100
    assert new[placed.start : placed.end].startswith("The centre restricted")


def test_an_edited_mark_whose_old_text_remains_elsewhere_is_flagged_not_moved_silently():
    old = "the party said this. Later the party said that."
    start = old.index("the party said this")
    new = old.replace("the party said this", "the Party said this")
    [placed] = carry([anchor(old, start, start + 9)], old, new)
    assert placed.placement.flagged


def test_a_deleted_passage_orphans_its_mark():
    old = "Keep this.\n\nXqzv wkpj mrtb ylnd.\n\nKeep that.\n"
    new = "Keep this.\n\nKeep that.\n"
    start = old.index("Xqzv")
    [placed] = carry([anchor(old, start, start + 19)], old, new)
    assert placed.placement == Rule.ORPHANED and placed.start is None


# --- properties ------------------------------------------------------------------------------------

ALPHABET = "abcdefgh ij\n😀é"


@st.composite
def text_mark_and_edit_outside(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=2, max_size=200))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + 30)))
    # An edit (replace [a, b) by some text) wholly before or wholly after the mark.
    if draw(st.booleans()) and start > 0:
        a = draw(st.integers(0, start))
        b = draw(st.integers(a, start))
    else:
        a = draw(st.integers(end, len(text)))
        b = draw(st.integers(a, len(text)))
    insert = draw(st.text(alphabet=ALPHABET, max_size=20))
    return text, start, end, a, b, insert


@settings(max_examples=300)
@given(text_mark_and_edit_outside())
def test_edits_away_from_a_mark_carry_it_with_its_exact_text(case):
    text, start, end, a, b, insert = case
    new = text[:a] + insert + text[b:]
    [placed] = carry([anchor(text, start, end)], text, new)
    assert placed.start is not None
    assert new[placed.start : placed.end] == text[start:end]


@st.composite
def text_mark_and_edit_inside(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=2, max_size=200))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, min(len(text), start + 30)))
    a = draw(st.integers(start, end - 1))
    b = draw(st.integers(a, end))
    # A pure insertion at the mark's first character is before it, not inside it.
    assume(b > a or a > start)
    insert = draw(st.text(alphabet=ALPHABET, max_size=10))
    return text, start, end, a, b, insert


@settings(max_examples=500)
@given(text_mark_and_edit_inside())
def test_an_edit_inside_a_mark_never_places_it_silently_somewhere_wrong(case):
    text, start, end, a, b, insert = case
    new = text[:a] + insert + text[b:]
    old_exact = text[start:end]
    new_exact = text[start:a] + insert + text[b:end]
    assume(new_exact != old_exact)  # the edit really changed the marked text
    [placed] = carry([anchor(text, start, end)], text, new)
    if not placed.placement.flagged:
        # A silent placement only ever lands on the marked text itself, unchanged (where a diff may
        # align one of several identical characters with another, as in "aa" -> "a").
        assert new[placed.start : placed.end] == old_exact
    if old_exact not in new:
        assert placed.placement.flagged


def test_many_marks_share_one_diff():
    old = "\n\n".join(f"Paragraph {i} says claim number {i}." for i in range(200))
    new = old.replace("Paragraph 100 ", "Paragraph one hundred ")
    anchors = [
        anchor(old, old.index(f"claim number {i}."), old.index(f"claim number {i}.") + len(f"claim number {i}"), i)
        for i in range(200)
    ]
    placed = carry(anchors, old, new)
    assert all(p.placement in (Rule.UNCHANGED, Rule.SHIFTED) for p in placed)
    assert all(new[p.start : p.end] == f"claim number {p.key}" for p in placed)


def test_the_diff_view_shows_edits_and_skips_long_unchanged_text():
    from annotator.anchoring import diff_segments

    old = "x" * 1000 + " the centre restrained zeal " + "y" * 1000
    new = "x" * 1000 + " the centre restricted zeal " + "y" * 1000
    segments = diff_segments(old, new, context=50)
    ops = [op for op, _ in segments]
    assert "delete" in ops and "insert" in ops and ops.count("skip") == 2
    assert [t for op, t in segments if op in ("delete", "insert")] == ["restrained", "restricted"]


# Placements that need no check are not flagged; approximate ones end on word edges (issue 18, item 8) -------------

PARAGRAPHS = [
    "The first paragraph says the centre restrained local zeal, as Getty argues at length.",
    "The second paragraph is about the party demanding purges in the regions.",
    "The third paragraph closes the thread with a question about the archives.",
]


def marked(text, exact, key=0):
    start = text.index(exact)
    return anchor(text, start, start + len(exact), key)


def test_a_paragraph_moved_whole_is_refound_and_so_are_its_edges():
    old = "\n\n".join(PARAGRAPHS) + "\n"
    new = "\n\n".join(PARAGRAPHS[1:] + PARAGRAPHS[:1]) + "\n"
    exacts = [PARAGRAPHS[0], "the centre restrained local zeal", "The first", "at length."]
    placed = carry([marked(old, exact, k) for k, exact in enumerate(exacts)], old, new)
    for p, exact in zip(placed, exacts):
        assert (p.placement, new[p.start : p.end]) == (Rule.REFOUND, exact), exact


def test_a_mark_whose_edge_the_character_diff_cut_into_is_refound_where_it_stands():
    old = "Intro line here. Bob ran home quickly today. More text follows here.\n"
    new = "Intro line here. Bill said that Bob ran home quickly today. More text follows here.\n"
    [p] = carry([marked(old, "Bob ran home quickly today.")], old, new)
    assert (p.placement, new[p.start : p.end]) == (Rule.REFOUND, "Bob ran home quickly today.")


def test_a_short_text_found_once_elsewhere_in_new_surroundings_is_still_flagged():
    old = "\n\n".join([PARAGRAPHS[0], "Fitzpatrick says so.", PARAGRAPHS[2]]) + "\n"
    new = "\n\n".join([PARAGRAPHS[0], PARAGRAPHS[2], "Conquest and Fitzpatrick disagree on this."]) + "\n"
    [p] = carry([marked(old, "Fitzpatrick")], old, new)
    assert p.placement == Rule.AMBIGUOUS and p.placement.flagged


@pytest.mark.parametrize(
    "revised, expected",
    [
        ("In this matter, the centre had restrained all local zeal", None),
        ("In this matter the centre restrained the local zeal", None),
        ("In this whole matter the centre restrained local zeal", None),
        ("In this matter the Centre has restrained local zeal.", "In this matter the Centre has restrained local zeal"),
        ("in this matter the centre restrained local zeal and more", "in this matter the centre restrained local zeal"),
    ],
)
def test_an_approximate_placement_keeps_whole_words_and_no_stray_space_or_period(revised, expected):
    exact = "In this matter the centre restrained local zeal"
    old = "Some preamble about the archives. " + exact + " and more. And then the next sentence of the text."
    new = "Some preamble about the archives. " + revised + " And then the next sentence of the text."
    [p] = carry([marked(old, exact)], old, new)
    assert p.placement == Rule.FUZZY and p.score >= 75
    assert new[p.start : p.end] == (expected or revised)


def test_an_approximate_placement_of_a_mark_cut_inside_a_word_may_keep_that_cut():
    old = "The historian A said that the centre restrained local zeal. Then more."
    new = "The historian A said that the centre had restrained local zeal. Then more."
    [p] = carry([marked(old, "storian A said that the centre restrained")], old, new)
    assert p.placement == Rule.FUZZY and new[p.start : p.end] == "storian A said that the centre had restrained"


# --- an imported mark: no older text, only its offsets, text and context -----------------------------------------

TEXT = "The purge began. The purge ended. Then the purge began again."


def at(start, end, rule):
    return Placed(None, rule, start, end, 100.0)


def test_an_imported_mark_whose_offsets_fit_stays_where_it_was():
    assert locate(TEXT, "purge", 4, 9) == at(4, 9, Rule.UNCHANGED)


def test_an_imported_mark_whose_offsets_moved_is_found_by_its_context():
    # The second "The purge" moved by three characters; its context says which of three it is.
    assert locate(TEXT, "purge", 19, 24, prefix="began. The ", suffix=" ended") == at(21, 26, Rule.REFOUND)


def test_an_imported_mark_found_once_needs_no_context():
    assert locate(TEXT, "ended", 0, 5) == at(27, 32, Rule.REFOUND)


def test_an_imported_mark_whose_text_is_gone_cannot_be_placed():
    with pytest.raises(Unplaceable, match="not in the document"):
        locate(TEXT, "Terror", 0, 6)


def test_an_ambiguous_imported_mark_is_not_placed_by_a_guess():
    with pytest.raises(Unplaceable, match="occurs 2 times"):
        locate(TEXT, "purge began", None, None, prefix="", suffix="")


def test_an_imported_mark_with_no_text_is_refused():
    with pytest.raises(Unplaceable, match="empty"):
        locate(TEXT, "", 0, 0)


def test_the_context_counts_outwards_from_the_quote_up_to_the_first_difference():
    text = "xab Q cd. yab Q cx. zzb Q cd."
    places = [i for i in range(len(text)) if text.startswith("Q", i)]
    # Prefix "ab " agrees wholly at the first two; suffix " cd" wholly at the first and third.
    assert best_in_context(text, "Q", "ab ", " cd", places) == [places[0]]
    assert best_in_context(text, "Q", "ab ", "", places) == places[:2]
    assert best_in_context(text, "Q", "", "", places) == places


@given(st.text(min_size=1, max_size=60), st.data())
def test_an_imported_mark_is_placed_on_its_own_text_or_refused_never_elsewhere(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    shift = data.draw(st.integers(-5, 5))
    exact, prefix, suffix = text[start:end], text[max(0, start - 32) : start], text[end : end + 32]
    if shift == 0:
        assert locate(text, exact, start, end, prefix, suffix) == at(start, end, Rule.UNCHANGED)
        return
    try:
        placed = locate(text, exact, start + shift, end + shift, prefix, suffix)
    except Unplaceable as exc:
        assert "equally well" in str(exc)  # its text is there, so only a tie may refuse it
        return
    assert text[placed.start : placed.end] == exact
