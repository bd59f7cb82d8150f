"""Agreement figures on hand-worked examples: pure functions, no database."""
import pytest

from annotator import agreement as ag
from annotator.agreement import Mark


def test_exact_f1_counts_only_identical_spans():
    # A: 3 spans, B: 2 spans, one shared. F1 = 2*1 / (3 + 2) = 0.4.
    a = {(0, 5), (10, 20), (30, 35)}
    b = {(0, 5), (11, 20)}
    assert ag.exact_f1(a, b) == pytest.approx(0.4)
    assert ag.exact_f1(b, a) == pytest.approx(0.4)


def test_overlap_f1_counts_spans_that_share_a_character():
    # Same spans. Recall: A's (0,5) and (10,20) are hit by B, (30,35) is not: 2/3.
    # Precision: both of B's spans hit one of A's: 2/2. F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8.
    a = {(0, 5), (10, 20), (30, 35)}
    b = {(0, 5), (11, 20)}
    assert ag.overlap_f1(a, b) == pytest.approx(0.8)
    assert ag.overlap_f1(b, a) == pytest.approx(0.8)


def test_touching_spans_do_not_overlap():
    assert not ag.overlaps((0, 5), (5, 9))
    assert ag.overlaps((0, 5), (4, 9))
    assert ag.overlap_f1({(0, 5)}, {(5, 9)}) == 0.0


def test_f1_is_undefined_when_neither_editor_used_the_label_and_zero_when_one_did_not():
    assert ag.exact_f1(set(), set()) is None
    assert ag.overlap_f1(set(), set()) is None
    assert ag.exact_f1({(0, 1)}, set()) == 0.0
    assert ag.overlap_f1(set(), {(0, 1)}) == 0.0


def test_tokens_are_runs_of_non_space_in_code_points():
    assert ag.tokens("Did Stalin 😀 want\nterror?") == [(0, 3), (4, 10), (11, 12), (13, 17), (18, 25)]
    assert ag.tokens("   ") == []


def test_a_span_covers_every_token_it_touches_by_one_character():
    toks = ag.tokens("aaa bbb ccc ddd")  # (0,3) (4,7) (8,11) (12,15)
    assert ag.token_coverage(toks, [(2, 5)]) == [True, True, False, False]
    assert ag.token_coverage(toks, [(3, 4)]) == [False, False, False, False]  # only the space
    assert ag.token_coverage(toks, [(8, 15), (0, 1)]) == [True, False, True, True]


def test_cohen_kappa_on_a_hand_worked_table():
    # 10 items. Both "in": 3, both "out": 5, A only: 1, B only: 1.
    # po = 8/10; pA = 4/10, pB = 4/10; pe = .16 + .36 = .52; kappa = (.8 - .52) / .48 = 0.58333...
    a = [True] * 3 + [False] * 5 + [True] + [False]
    b = [True] * 3 + [False] * 5 + [False] + [True]
    assert ag.cohen_kappa(a, b) == pytest.approx(7 / 12)


def test_cohen_kappa_is_one_for_perfect_agreement_and_negative_for_systematic_disagreement():
    assert ag.cohen_kappa([True, False, True, False], [True, False, True, False]) == 1.0
    # Opposites on every item: po = 0, pe = .5, kappa = -1.
    assert ag.cohen_kappa([True, False], [False, True]) == -1.0


def test_cohen_kappa_is_undefined_when_chance_agreement_is_certain():
    assert ag.cohen_kappa([False, False, False], [False, False, False]) is None
    assert ag.cohen_kappa([], []) is None
    with pytest.raises(ValueError):
        ag.cohen_kappa([True], [True, False])


def test_label_figures_for_two_editors_on_a_small_text():
    text = "aaa bbb ccc ddd"  # tokens (0,3) (4,7) (8,11) (12,15)
    marks = [
        Mark("ann", 0, 7, "claim"),
        Mark("bob", 0, 7, "claim"),
        Mark("ann", 8, 11, "claim"),
        Mark("bob", 12, 15, "evidence"),
    ]
    claim, evidence = ag.label_figures(text, marks, ["claim", "evidence"])
    (pair,) = claim.pairs
    assert (pair.editor_a, pair.editor_b) == ("ann", "bob")
    # ann {(0,7), (8,11)}, bob {(0,7)}: exact F1 = 2*1/3; overlap: recall 1/2, precision 1, F1 = 2/3.
    assert pair.exact_f1 == pytest.approx(2 / 3)
    assert pair.overlap_f1 == pytest.approx(2 / 3)
    # Tokens in: ann [T, T, T, F], bob [T, T, F, F]: po = 3/4, pA = 3/4, pB = 1/2,
    # pe = 3/8 + 1/8 = 1/2, kappa = (3/4 - 1/2) / (1/2) = 1/2.
    assert pair.kappa == pytest.approx(0.5)
    (epair,) = evidence.pairs
    assert epair.exact_f1 == 0.0 and epair.overlap_f1 == 0.0
    # ann [F, F, F, F], bob [F, F, F, T]: po = 3/4, pA = 0, pB = 1/4, pe = 3/4: kappa = 0.
    assert epair.kappa == 0.0


def test_label_figures_average_over_every_pair_of_three_editors():
    marks = [Mark("a", 0, 3, "x"), Mark("b", 0, 3, "x"), Mark("c", 4, 7, "x")]
    (figures,) = ag.label_figures("aaa bbb", marks, ["x"])
    assert [(p.editor_a, p.editor_b) for p in figures.pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert [p.exact_f1 for p in figures.pairs] == [1.0, 0.0, 0.0]
    assert figures.mean_exact_f1 == pytest.approx(1 / 3)
    # a vs c: [T, F] vs [F, T]: kappa -1; a vs b: 1.
    assert [p.kappa for p in figures.pairs] == [1.0, -1.0, -1.0]
    assert figures.mean_kappa == pytest.approx(-1 / 3)


def test_label_figures_with_one_editor_have_no_pairs():
    (figures,) = ag.label_figures("aaa", [Mark("a", 0, 3, "x")], ["x"])
    assert figures.pairs == () and figures.mean_exact_f1 is None and figures.mean_kappa is None


def test_compare_sorts_every_span_and_label_into_one_category():
    marks = [
        Mark("ann", 0, 5, "claim"), Mark("bob", 0, 5, "claim"),          # agree
        Mark("ann", 10, 15, "claim"), Mark("bob", 10, 15, "evidence"),   # same span, other label (both rows)
        Mark("ann", 20, 30, "quotation"), Mark("bob", 25, 35, "quotation"),  # overlapping (both rows)
        Mark("ann", 40, 45, "claim"),                                     # one editor only
    ]
    rows = ag.compare(marks)
    assert [(r.start, r.end, r.label, r.editors, r.category) for r in rows] == [
        (0, 5, "claim", ("ann", "bob"), ag.AGREE),
        (10, 15, "claim", ("ann",), ag.SAME_SPAN_OTHER_LABEL),
        (10, 15, "evidence", ("bob",), ag.SAME_SPAN_OTHER_LABEL),
        (20, 30, "quotation", ("ann",), ag.OVERLAP),
        (25, 35, "quotation", ("bob",), ag.OVERLAP),
        (40, 45, "claim", ("ann",), ag.SINGLE),
    ]
    assert rows[3].others == (Mark("bob", 25, 35, "quotation"),)
    assert rows[5].others == ()


def test_compare_ignores_an_editors_own_other_marks():
    # ann's two marks overlap each other, but nobody else marked the text: both are "one editor only".
    rows = ag.compare([Mark("ann", 0, 5, "claim"), Mark("ann", 3, 8, "evidence")])
    assert [r.category for r in rows] == [ag.SINGLE, ag.SINGLE]
