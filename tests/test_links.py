"""Pure rules of links: which labels a type joins, the panel's type menu, and parsing its values."""
import pytest

from annotator.links import TypeRule, parse_type_choice, rule_violation, type_choices

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
    [("12", (12, False)), ("12:reverse", (12, True)), ("", None), ("x", None), ("12:sideways", None), ("-1", None)],
)
def test_type_choice_values_parse_or_are_refused(value, parsed):
    assert parse_type_choice(value) == parsed
