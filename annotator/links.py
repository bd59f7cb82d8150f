"""Links between marks, as pure rules: the default link types, which labels a type may join, the type choices a
mark's panel offers, and the argument map's grouping. No database here; services and views feed it."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import text as textlib

# key, name, inverse name, from-label keys, to-label keys (empty: any label), targets (marks / persons / both)
DEFAULT_LINK_TYPES = [
    ("supports", "supports", "is supported by", ("evidence",), ("claim",), "marks"),
    ("refutes", "refutes", "is refuted by", ("evidence",), ("claim",), "marks"),
    ("quotes", "rests on the quotation", "is quoted by", ("claim",), ("quotation",), "marks"),
    ("attributed-to", "is attributed to", "is the attribution of", ("quotation",), (), "persons"),
    ("same-as", "is the same claim as", "is the same claim as", ("claim",), ("claim",), "marks"),
]


@dataclass(frozen=True)
class TypeRule:
    """What a link type allows: label ids it may start from and point to (empty: any), and what it points to."""

    name: str
    from_labels: frozenset = frozenset()
    to_labels: frozenset = frozenset()
    targets: str = "marks"  # "marks", "persons" (a source or a speaker) or "both"

    @property
    def to_marks(self) -> bool:
        return self.targets in ("marks", "both")

    @property
    def to_persons(self) -> bool:
        return self.targets in ("persons", "both")


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
        if not rule.to_persons:
            return f"A “{rule.name}” link points to another mark, not to a source or a speaker."
        return None
    if not rule.to_marks:
        return f"A “{rule.name}” link points to a source or a speaker, not to a mark."
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
            forwards.append(TypeChoice(str(type_id), f"{rule.name} …", rule.to_persons))
        if rule.to_marks and (not rule.to_labels or label_id in rule.to_labels) and inverse != rule.name:
            backwards.append(TypeChoice(f"{type_id}:reverse", f"{inverse} …", False))
    return forwards + backwards


def parse_type_choice(value: str) -> tuple[int, bool] | None:
    """'12' -> (12, False); '12:reverse' -> (12, True); anything else None (an id no row can have too)."""
    head, _, tail = value.partition(":")
    type_id = textlib.row_id(head)
    if type_id is None or tail not in ("", "reverse"):
        return None
    return type_id, tail == "reverse"


# The argument map -----------------------------------------------------------------------------------

SUPPORTS, REFUTES, QUOTES, ATTRIBUTED_TO, SAME_AS = "supports", "refutes", "quotes", "attributed-to", "same-as"


@dataclass
class QuotationItem:
    """A quotation a claim rests on: the link, the quotation mark, whom it is attributed to, and its citations."""

    link: object
    mark: object
    attributions: list = field(default_factory=list)
    citations: list = field(default_factory=list)


@dataclass
class ClaimItem:
    """One claim of the map with what bears on it."""

    claim: object
    support: list = field(default_factory=list)  # supports links into the claim
    against: list = field(default_factory=list)  # refutes links into the claim
    quotations: list = field(default_factory=list)  # QuotationItem
    same_as: list = field(default_factory=list)  # (link, the other claim)
    other: list = field(default_factory=list)  # (link, verb, the other mark or None) of other types

    @property
    def has_evidence(self) -> bool:
        return bool(self.support or self.against)

    def _links(self):
        yield from self.support
        yield from self.against
        yield from (q.link for q in self.quotations)

    @property
    def accepted(self) -> int:
        return sum(1 for link in self._links() if link.status == "accepted")

    @property
    def pending(self) -> int:
        return sum(1 for link in self._links() if link.status == "pending")

    @property
    def rejected(self) -> int:
        return sum(1 for link in self._links() if link.status == "rejected")


def build_map(claims: list, links: list, attributions: list, citations: dict) -> list[ClaimItem]:
    """Each claim (in the order given) with the evidence for and against it, the quotations it rests on with their
    attributions and citations, and the claims it is the same as.

    `links`: links touching the claims (each with `type.key`, `from_annotation(_id)`, `to_annotation(_id)`);
    `attributions`: "attributed-to" links from the quotations; `citations`: {quotation mark id: [citation]}.
    Rejected links stay in the lists: the template shows them struck through, and the counts say how many.
    """
    items = {claim.pk: ClaimItem(claim) for claim in claims}
    attributed: dict[int, list] = {}
    for link in attributions:
        attributed.setdefault(link.from_annotation_id, []).append(link)
    for link in links:
        key = link.type.key
        into = items.get(link.to_annotation_id)
        out_of = items.get(link.from_annotation_id)
        if key in (SUPPORTS, REFUTES) and into is not None:
            (into.support if key == SUPPORTS else into.against).append(link)
        elif key == QUOTES and out_of is not None and link.to_annotation_id:
            mark = link.to_annotation
            out_of.quotations.append(QuotationItem(link, mark, attributed.get(mark.pk, []), citations.get(mark.pk, [])))
        elif key == SAME_AS:
            if out_of is not None:
                out_of.same_as.append((link, link.to_annotation))
            if into is not None:
                into.same_as.append((link, link.from_annotation))
        else:
            if out_of is not None:
                out_of.other.append((link, link.type.name, link.to_annotation))
            if into is not None:
                into.other.append((link, link.type.inverse_name, link.from_annotation))
    return [items[claim.pk] for claim in claims]
