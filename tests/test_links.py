"""Pure rules of links: which labels a type joins, the panel's type menu and its values, the argument map's grouping."""

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.links import TypeRule, build_map, parse_type_choice, rule_violation, type_choices

CLAIM, EVIDENCE, QUOTATION = 1, 2, 3
NAMES = {CLAIM: "Claim", EVIDENCE: "Evidence", QUOTATION: "Quotation"}
SUPPORTS = TypeRule("supports", frozenset({EVIDENCE}), frozenset({CLAIM}))
ATTRIBUTED = TypeRule("is attributed to", frozenset({QUOTATION}), frozenset(), targets="persons")
EITHER = TypeRule("names", frozenset({QUOTATION}), frozenset({CLAIM}), targets="both")
ANY = TypeRule("relates to")


def test_evidence_may_support_a_claim():
    assert rule_violation(SUPPORTS, EVIDENCE, CLAIM, NAMES) is None


def test_a_claim_may_not_support_anything_and_the_message_names_the_labels():
    assert rule_violation(SUPPORTS, CLAIM, CLAIM, NAMES) == (
        "A “supports” link starts from a mark labelled Evidence, not Claim."
    )


def test_evidence_may_not_support_a_quotation():
    assert rule_violation(SUPPORTS, EVIDENCE, QUOTATION, NAMES) == (
        "A “supports” link points to a mark labelled Claim, not Quotation."
    )


def test_only_a_type_for_persons_points_to_a_source_or_speaker():
    assert rule_violation(SUPPORTS, EVIDENCE, None, NAMES) == (
        "A “supports” link points to another mark, not to a source or a speaker."
    )
    assert rule_violation(ATTRIBUTED, QUOTATION, None, NAMES) is None


def test_a_type_for_persons_only_points_to_no_mark():
    assert rule_violation(ATTRIBUTED, QUOTATION, CLAIM, NAMES) == (
        "A “is attributed to” link points to a source or a speaker, not to a mark."
    )


def test_a_type_for_both_takes_a_person_or_a_mark_with_the_right_label():
    assert rule_violation(EITHER, QUOTATION, None, NAMES) is None
    assert rule_violation(EITHER, QUOTATION, CLAIM, NAMES) is None
    assert "labelled Claim, not Evidence" in rule_violation(EITHER, QUOTATION, EVIDENCE, NAMES)


def test_an_empty_label_set_means_any_label():
    assert rule_violation(ANY, CLAIM, QUOTATION, NAMES) is None
    assert rule_violation(ANY, EVIDENCE, EVIDENCE, NAMES) is None


def test_the_menu_offers_each_type_the_way_the_mark_can_take_it():
    types = [(10, SUPPORTS, "is supported by"), (11, ATTRIBUTED, "is the attribution of"), (12, ANY, "relates to")]
    evidence = [c.value for c in type_choices(types, EVIDENCE)]
    claim = [(c.value, c.text) for c in type_choices(types, CLAIM)]
    assert evidence == ["10", "12"]
    # A symmetric name ("relates to" both ways) is offered once; a type to persons only is never read backwards.
    assert claim == [("12", "relates to …"), ("10:reverse", "is supported by …")]
    assert [(c.value, c.allows_person) for c in type_choices(types, QUOTATION)] == [("11", True), ("12", False)]


@pytest.mark.parametrize(
    "value, parsed",
    [
        ("12", (12, False)),
        ("12:reverse", (12, True)),
        ("", None),
        ("x", None),
        ("12:sideways", None),
        ("-1", None),
        # Digits that int() does not read (a superscript two) once made link_create answer 500.
        ("²", None),
        ("1²:reverse", None),
        ("٣", (3, False)),
        # More digits than int() reads from a string (4,300) answered 500 too (found by the fuzz tests).
        ("9" * 5000, None),
        ("9" * 19 + ":reverse", None),
        (str(2**63), None),
        ("0", None),
        (str(2**63 - 1) + ":reverse", (2**63 - 1, True)),
    ],
)
def test_type_choice_values_parse_or_are_refused(value, parsed):
    assert parse_type_choice(value) == parsed


@pytest.mark.parametrize(
    "value, found",
    [
        (1, 1),
        ("42", 42),
        (2**63 - 1, 2**63 - 1),
        (str(2**63 - 1), 2**63 - 1),
        (0, None),
        (-3, None),
        ("-3", None),
        (2**63, None),
        (str(2**63), None),
        ("9" * 5000, None),
        ("", None),
        ("x", None),
        (None, None),
        (True, None),
        (1.0, None),
        ("١٢", 12),
    ],
)
def test_row_id_reads_only_ids_a_row_can_have(value, found):
    from annotator.text import row_id

    assert row_id(value) == found


# The argument map's grouping ---------------------------------------------------------------------------

TYPES = {
    key: SimpleNamespace(key=key, name=key, inverse_name=f"inverse of {key}")
    for key in ["supports", "refutes", "quotes", "attributed-to", "same-as", "contextualises"]
}


def node(pk):
    return SimpleNamespace(pk=pk)


def edge(pk, key, source, target, status="pending"):
    return SimpleNamespace(
        pk=pk,
        type=TYPES[key],
        from_annotation_id=source.pk,
        from_annotation=source,
        to_annotation_id=target.pk if target else None,
        to_annotation=target,
        status=status,
    )


def test_the_map_sorts_what_bears_on_each_claim():
    c1, c2, e1, e2, q = node(1), node(2), node(10), node(11), node(20)
    links = [
        edge(100, "supports", e1, c1, "accepted"),
        edge(101, "refutes", e2, c1),
        edge(102, "quotes", c1, q),
        edge(103, "same-as", c2, c1),
        edge(104, "contextualises", e1, c2, "rejected"),
    ]
    attribution = edge(105, "attributed-to", q, None)
    items = build_map([c1, c2], links, [attribution], {20: ["Getty 2002, p. 113"]})
    first, second = items
    assert [link.pk for link in first.support] == [100] and [link.pk for link in first.against] == [101]
    assert [(x.link.pk, x.mark, x.attributions, x.citations) for x in first.quotations] == [
        (102, q, [attribution], ["Getty 2002, p. 113"])
    ]
    assert first.same_as == [(links[3], c2)] and second.same_as == [(links[3], c1)]
    assert second.other == [(links[4], "inverse of contextualises", e1)]
    assert (first.has_evidence, first.accepted, first.pending, first.rejected) == (True, 1, 2, 0)
    assert (second.has_evidence, second.accepted, second.pending) == (False, 0, 0)


def test_evidence_pointing_away_from_a_claim_is_not_evidence_for_it():
    claim, evidence = node(1), node(2)
    # A claim "supporting" something else (a custom rule might allow it) does not count as the claim's evidence.
    items = build_map([claim], [edge(9, "supports", claim, evidence)], [], {})
    assert items[0].support == [] and not items[0].has_evidence


link_keys = st.sampled_from(["supports", "refutes", "quotes", "same-as", "contextualises"])
statuses = st.sampled_from(["pending", "accepted", "rejected"])


@given(st.lists(st.tuples(link_keys, st.integers(0, 5), st.integers(0, 5), statuses), max_size=30))
def test_every_link_into_a_claim_is_counted_once_and_the_counts_add_up(raw):
    marks = {i: node(i) for i in range(6)}
    claims = [marks[0], marks[1], marks[2]]
    links = [edge(i, key, marks[a], marks[b], status) for i, (key, a, b, status) in enumerate(raw) if a != b]
    items = build_map(claims, links, [], {})
    for item in items:
        counted = item.support + item.against + [x.link for x in item.quotations]
        assert len({link.pk for link in counted}) == len(counted)
        assert item.accepted + item.pending + item.rejected == len(counted)
        assert item.has_evidence == any(
            link.type.key in ("supports", "refutes") and link.to_annotation_id == item.claim.pk for link in links
        )
