"""Links between marks, as pure rules: the default link types, which labels a type may join, the type choices a
mark's panel offers, and the argument map's grouping. No database here; services and views feed it."""
from __future__ import annotations

from dataclasses import dataclass, field

# key, name, inverse name, from-label keys, to-label keys (empty: any label), may point to a source or speaker
DEFAULT_LINK_TYPES = [
    ("supports", "supports", "is supported by", ("evidence",), ("claim",), False),
    ("refutes", "refutes", "is refuted by", ("evidence",), ("claim",), False),
    ("quotes", "rests on the quotation", "is quoted by", ("claim",), ("quotation",), False),
    ("attributed-to", "is attributed to", "is the attribution of", ("quotation",), (), True),
    ("same-as", "is the same claim as", "is the same claim as", ("claim",), ("claim",), False),
]


@dataclass(frozen=True)
class TypeRule:
    """What a link type allows: label ids it may start from and point to (empty: any), and person targets."""

    name: str
    from_labels: frozenset = frozenset()
    to_labels: frozenset = frozenset()
    allows_person: bool = False


def _names(label_ids, label_names) -> str:
    names = sorted(label_names.get(i, "?") for i in label_ids)
    return " or ".join(names)


def rule_violation(rule: TypeRule, from_label: int, to_label: int | None, label_names: dict) -> str | None:
    """Why a link of this type may not join these labels (to_label None: a source or speaker), or None if it may."""
    if rule.from_labels and from_label not in rule.from_labels:
        return (
            f"A “{rule.name}” link starts from a mark labelled {_names(rule.from_labels, label_names)}, "
            f"not {label_names.get(from_label, '?')}."
        )
    if to_label is None:
        if not rule.allows_person:
            return f"A “{rule.name}” link points to another mark, not to a source or a speaker."
        return None
    if rule.to_labels and to_label not in rule.to_labels:
        return (
            f"A “{rule.name}” link points to a mark labelled {_names(rule.to_labels, label_names)}, "
            f"not {label_names.get(to_label, '?')}."
        )
    return None


@dataclass(frozen=True)
class TypeChoice:
    """One entry of the panel's type menu: a type read forwards (this mark → that one) or backwards."""

    value: str  # "<type id>" or "<type id>:reverse"
    text: str
    allows_person: bool


def type_choices(types: list[tuple[int, TypeRule, str]], label_id: int) -> list[TypeChoice]:
    """Menu entries for a mark with this label: each type it may start (forwards) or end (backwards).

    `types` is [(id, rule, inverse name)], in the project's order. A type the mark can take both ways is offered twice.
    """
    forwards, backwards = [], []
    for type_id, rule, inverse in types:
        if not rule.from_labels or label_id in rule.from_labels:
            forwards.append(TypeChoice(str(type_id), f"{rule.name} …", rule.allows_person))
        if (not rule.to_labels or label_id in rule.to_labels) and inverse != rule.name:
            backwards.append(TypeChoice(f"{type_id}:reverse", f"{inverse} …", False))
    return forwards + backwards


def parse_type_choice(value: str) -> tuple[int, bool] | None:
    """'12' -> (12, False); '12:reverse' -> (12, True); anything else None."""
    head, _, tail = value.partition(":")
    if not head.isdigit() or tail not in ("", "reverse"):
        return None
    return int(head), tail == "reverse"
