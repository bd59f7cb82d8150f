"""Agreement figures on hand-worked examples, and the fast functions against quadratic definitions: pure, no database."""

from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        Mark("ann", 0, 5, "claim"),
        Mark("bob", 0, 5, "claim"),  # agree
        Mark("ann", 10, 15, "claim"),
        Mark("bob", 10, 15, "evidence"),  # same span, other label (both rows)
        Mark("ann", 20, 30, "quotation"),
        Mark("bob", 25, 35, "quotation"),  # overlapping (both rows)
        Mark("ann", 40, 45, "claim"),  # one editor only
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


# The fast functions against obviously correct ones (quadratic, kept here as the definition) ---------------


def reference_f1(spans_a, spans_b, match):
    spans_a, spans_b = set(spans_a), set(spans_b)
    if not spans_a and not spans_b:
        return None
    if not spans_a or not spans_b:
        return 0.0
    recall = Fraction(sum(1 for a in spans_a if any(match(a, b) for b in spans_b)), len(spans_a))
    precision = Fraction(sum(1 for b in spans_b if any(match(a, b) for a in spans_a)), len(spans_b))
    if precision + recall == 0:
        return 0.0
    return float(2 * precision * recall / (precision + recall))


def reference_coverage(token_spans, spans):
    return [any(s < te and ts < e for s, e in spans) for ts, te in token_spans]


def reference_kappa(a, b):
    n = len(a)
    if n == 0:
        return None
    observed = Fraction(sum(1 for x, y in zip(a, b) if x == y), n)
    pa, pb = Fraction(sum(a), n), Fraction(sum(b), n)
    expected = pa * pb + (1 - pa) * (1 - pb)
    return None if expected == 1 else float((observed - expected) / (1 - expected))


def reference_compare(marks):
    groups = {}
    for m in marks:
        groups.setdefault((m.start, m.end, m.label), set()).add(m.editor)
    by_start = sorted(marks, key=lambda m: (m.start, m.end))
    rows = []
    for (start, end, label), editors in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1], str(item[0][2]))
    ):
        others = tuple(m for m in by_start if m.editor not in editors and m.start < end and start < m.end)
        if len(editors) > 1:
            category = ag.AGREE
        elif any((m.start, m.end) == (start, end) for m in others):
            category = ag.SAME_SPAN_OTHER_LABEL
        elif others:
            category = ag.OVERLAP
        else:
            category = ag.SINGLE
        rows.append(ag.Row(start, end, label, tuple(sorted(editors, key=str)), category, others))
    return rows


spans = st.tuples(st.integers(0, 60), st.integers(1, 25)).map(lambda p: (p[0], p[0] + p[1]))
marks_lists = st.lists(
    st.builds(
        lambda editor, span, label: Mark(editor, span[0], span[1], label),
        st.sampled_from(["ann", "bob", "cy", "dee"]),
        spans,
        st.sampled_from(["claim", "evidence", 3]),
    ),
    max_size=40,
)
texts = st.text(alphabet=" a\n😀", max_size=90)


@settings(max_examples=300)
@given(marks_lists)
def test_compare_gives_what_the_quadratic_definition_gives(marks):
    assert ag.compare(marks) == reference_compare(marks)


@settings(max_examples=300)
@given(st.lists(spans, max_size=25), st.lists(spans, max_size=25))
def test_f1_gives_what_the_quadratic_definition_gives(a, b):
    assert ag.exact_f1(a, b) == reference_f1(a, b, lambda x, y: x == y)
    assert ag.overlap_f1(a, b) == reference_f1(a, b, ag.overlaps)


@settings(max_examples=300)
@given(texts, st.lists(spans, max_size=10))
def test_token_coverage_gives_what_the_definition_gives(text, chosen):
    toks = ag.tokens(text)
    assert ag.token_coverage(toks, chosen) == reference_coverage(toks, chosen)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), max_size=30))
def test_cohen_kappa_gives_what_the_definition_gives(pairs):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    assert ag.cohen_kappa(a, b) == reference_kappa(a, b)


@settings(max_examples=200)
@given(texts, marks_lists)
def test_label_figures_give_what_the_definitions_give(text, marks):
    labels = ["claim", "evidence", 3]
    toks = ag.tokens(text)
    expected = []
    for label in labels:
        pairs = []
        for a, b in combinations(ag.editors_of(marks), 2):
            sa = {(m.start, m.end) for m in marks if m.editor == a and m.label == label}
            sb = {(m.start, m.end) for m in marks if m.editor == b and m.label == label}
            kappa = reference_kappa(reference_coverage(toks, sa), reference_coverage(toks, sb))
            pairs.append((a, b, reference_f1(sa, sb, lambda x, y: x == y), reference_f1(sa, sb, ag.overlaps), kappa))
        expected.append((label, pairs))
    got = [
        (f.label, [(p.editor_a, p.editor_b, p.exact_f1, p.overlap_f1, p.kappa) for p in f.pairs])
        for f in ag.label_figures(text, marks, labels)
    ]
    assert got == expected
