"""The benchmarks' scale scenarios, built through the app's services (the bulk ones for marks, citations, links).

A scenario is a project with a manager, a reviewer, editors and a bibliography; its documents get marks by the
editors with the three labels, notes, citations, links between marks and a few reviews. Needs Django set up.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from annotator import services
from annotator.models import Annotation, Document, LinkType, Project, Role, Status
from annotator.services import review_annotation
from annotator.services.bulk import NewCitation, NewLink, NewMark
from annotator.services.sources import import_sources

from .anchoring import scale_text

PASSWORD = "bench-password-not-a-secret"
SOURCES = 50
CITE_EVERY = 3  # one mark in three cites a source
NOTE_EVERY = 4
LINK_EVERY = 10  # one link per ten marks
REVIEW_EVERY = 250
NOTES = [
    "Compare the 1937 figures.",
    "=SUM(A1) looks like a formula",
    "Quoted twice, “in full”.\nSee below.",
    "Ежов's order 00447 😀",
]


@dataclass
class Scenario:
    project: Project
    manager: object
    reviewer: object
    editors: list
    sources: list
    rng: random.Random
    # What each editor marked already, per document: (user id, start, end, label id). Nobody marks twice.
    taken: dict = field(default_factory=dict)


def make_users(names: list[str]) -> list:
    """Users sharing one password (hashed once: the hasher's rounds are slow on purpose)."""
    hashed = make_password(PASSWORD)
    return get_user_model().objects.bulk_create(get_user_model()(username=name, password=hashed) for name in names)


def start_project(name: str, editors: int = 4, seed: int = 7) -> Scenario:
    """A project with a manager, a reviewer, `editors` annotators and a bibliography of SOURCES sources."""
    prefix = name.lower()
    manager, reviewer, *people = make_users(
        [f"{prefix}-manager", f"{prefix}-reviewer"] + [f"{prefix}-editor{i}" for i in range(1, editors + 1)]
    )
    project = services.create_project(name=name, owner=manager)
    services.add_member(project=project, member=reviewer, role=Role.REVIEWER)
    for user in people:
        services.add_member(project=project, member=user, role=Role.ANNOTATOR)
    records = [
        {
            "type": "book",
            "title": f"Source {i}: the purge in the regions",
            "authors": [{"family": "Getty", "given": "J. Arch"}],
            "issued": str(1985 + i % 30),
            "doi": f"10.1000/bench.{i}" if i % 2 else "",
        }
        for i in range(SOURCES)
    ]
    sources = import_sources(user=manager, project=project, entries=records).created
    return Scenario(project, manager, reviewer, people, sources, random.Random(seed))


def add_document(scenario: Scenario, title: str, text: str) -> Document:
    return services.add_document(user=scenario.manager, project=scenario.project, title=title, text=text)


def add_members(scenario: Scenario, names: list[str]) -> list:
    users = make_users(names)
    for user in users:
        services.add_member(project=scenario.project, member=user, role=Role.ANNOTATOR)
    return users


def plan_marks(scenario: Scenario, document: Document, count: int) -> list[tuple[object, NewMark]]:
    """`count` new marks on random spans (5 to 120 code points), a third of them marked by a second editor on
    the same span (with the same label or another) or an overlapping one, as editors who agree or not do."""
    rng, text, editors = scenario.rng, document.text, scenario.editors
    labels = list(scenario.project.labels.order_by("order"))
    taken = scenario.taken.setdefault(document.pk, set())
    planned = []
    while len(planned) < count:
        start = rng.randrange(0, len(text) - 130)
        end = start + rng.randrange(5, 121)
        first = rng.choice(editors)
        label = rng.choice(labels)
        wanted = [(first, start, end, label)]
        roll = rng.random()
        second = rng.choice([e for e in editors if e != first]) if len(editors) > 1 else first
        if roll < 0.2:
            wanted.append((second, start, end, label))
        elif roll < 0.3:
            wanted.append((second, start, end, rng.choice(labels)))
        elif roll < 0.4:
            shift = rng.randrange(1, 8)
            wanted.append((second, start + shift, end + shift, label))
        for user, s, e, lab in wanted:
            key = (user.pk, s, e, lab.pk)
            if key in taken or len(planned) == count:
                continue
            taken.add(key)
            note = NOTES[len(planned) % len(NOTES)] if len(planned) % NOTE_EVERY == 0 else ""
            planned.append((user, NewMark(s, e, text[s:e], lab, note)))
    return planned


def _batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _by_user(pairs) -> dict:
    grouped: dict = {}
    for user, item in pairs:
        grouped.setdefault(user, []).append(item)
    return grouped


def add_marks(scenario: Scenario, document: Document, count: int) -> list[Annotation]:
    """Add `count` marks to the document, then citations on every CITE_EVERY-th, one link per LINK_EVERY marks
    and a review of every REVIEW_EVERY-th: each through the bulk services, in requests of the allowed size."""
    cap = settings.ANNOTATOR_MAX_MARKS_PER_REQUEST
    made = []
    for user, marks in _by_user(plan_marks(scenario, document, count)).items():
        for batch in _batches(marks, cap):
            made += services.bulk_annotate(user=user, document=document, marks=batch, cap=cap)
    scenario.rng.shuffle(made)
    citations = [
        (a.created_by, NewCitation(a, scenario.sources[i % len(scenario.sources)], f"p. {1 + i % 400}"))
        for i, a in enumerate(made)
        if i % CITE_EVERY == 0
    ]
    for user, items in _by_user(citations).items():
        for batch in _batches(items, cap):
            services.bulk_cite(user=user, citations=batch, cap=cap)
    for user, items in _by_user(plan_links(scenario, made)).items():
        for batch in _batches(items, cap):
            services.bulk_link(user=user, links=batch, cap=cap)
    for i, annotation in enumerate(made[::REVIEW_EVERY]):
        review_annotation(
            user=scenario.reviewer,
            annotation=annotation,
            status=Status.ACCEPTED if i % 3 else Status.REJECTED,
            note="Checked against the source." if i % 2 else "",
        )
    return made


def plan_links(scenario: Scenario, made: list[Annotation]) -> list[tuple[object, NewLink]]:
    """One link per LINK_EVERY marks: evidence supports a claim, or a claim rests on a quotation; by any editor."""
    rng = scenario.rng
    by_label: dict = {}
    for annotation in made:
        by_label.setdefault(annotation.label.key, []).append(annotation)
    types = {t.key: t for t in LinkType.objects.filter(project=scenario.project)}
    kinds = [("supports", "evidence", "claim"), ("quotes", "claim", "quotation")]
    seen, planned = set(), []
    for i in range(len(made) // LINK_EVERY):
        key, from_label, to_label = kinds[i % len(kinds)]
        if not by_label.get(from_label) or not by_label.get(to_label):
            continue
        source, target = rng.choice(by_label[from_label]), rng.choice(by_label[to_label])
        if (source.pk, target.pk, key) in seen or source.pk == target.pk:
            continue
        seen.add((source.pk, target.pk, key))
        planned.append((rng.choice(scenario.editors), NewLink(source, types[key], to_annotation=target)))
    return planned


# The two scenarios ---------------------------------------------------------------------------------


def build_scale(marks: int, text_size: int = 1_000_000) -> tuple[Scenario, Document]:
    """Scenario 1: one document of about `text_size` code points (the seeds repeated, with emoji and Cyrillic and
    Chinese mixed in), with `marks` marks by four editors."""
    scenario = start_project("Scale")
    document = add_document(scenario, "Scale: the seeds repeated", scale_text(text_size))
    add_marks(scenario, document, marks)
    return scenario, document


def build_export(marks: int, documents: int = 20, text_size: int = 100_000) -> Scenario:
    """Scenario 2: `marks` marks spread over `documents` documents of about `text_size` code points."""
    scenario = start_project("Export", seed=11)
    text = scale_text(text_size)
    for d in range(documents):
        document = add_document(scenario, f"Export {d + 1}", text)
        add_marks(scenario, document, marks // documents)
    return scenario
