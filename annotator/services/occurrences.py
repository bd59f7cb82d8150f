"""Mark all occurrences: every other place a mark's text occurs, in its document or across its project, marked by
the user with the mark's label in one all-or-nothing write through bulk_annotate (the same rules as a single mark).

`occurrences` is the preview (a read: how many, where, each in context, and how many the user has marked already);
`mark_occurrences` is the write, refused with Conflict when the places changed since the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from ..models import Annotation, Document, Label, Span
from .bulk import NewMark, bulk_annotate
from .errors import ActionRefused, Conflict
from .projects import check_member

SCOPES = ("document", "project")
# At most this many places are marked at once (a word on every line of a long text is more than anyone checks).
MOST = 5_000
CONTEXT = 40


def places_in(text: str, exact: str) -> list[tuple[int, int]]:
    """Where `exact` occurs in `text`, as whole words: an occurrence that starts or ends inside a word (the `the`
    of `there`) is not one. Non-overlapping, in text order."""
    if not exact.strip():
        return []
    before = r"(?<!\w)" if re.match(r"\w", exact) else ""
    after = r"(?!\w)" if re.search(r"\w$", exact) else ""
    return [(m.start(), m.end()) for m in re.finditer(before + re.escape(exact) + after, text)]


@dataclass
class Place:
    document: Document
    start: int
    end: int
    before: str
    after: str


@dataclass
class Occurrences:
    """The preview: the places to mark, in context, and how many the user has marked with the label already."""

    annotation: Annotation
    label: Label
    scope: str
    places: list[Place] = field(default_factory=list)
    already: int = 0

    @property
    def count(self) -> int:
        return len(self.places)


def _documents(annotation: Annotation, scope: str):
    document = annotation.span.document
    if scope == "document":
        return [Document.objects.get(pk=document.pk)]
    return list(Document.objects.filter(project_id=document.project_id).order_by("title", "id"))


def occurrences(*, user, annotation: Annotation, scope: str = "document") -> Occurrences:
    """Every other place of the mark's text (in its document's current text, or in every document of its project),
    minus those the user has marked with its label already (counted). Members of the project only."""
    if scope not in SCOPES:
        raise ActionRefused(f"Mark all occurrences in a document or a project, not “{scope}”.")
    check_member(user, annotation.span.document.project_id)
    exact, label = annotation.span.exact, annotation.label
    found = Occurrences(annotation, label, scope)
    documents = _documents(annotation, scope)
    # The user's marks with the label on the current texts of those documents, with the text: one query.
    mine = set(
        Span.objects.filter(
            document__in=documents,
            version=F("document__version"),
            exact=exact,
            annotations__label=label,
            annotations__created_by=user,
        ).values_list("document_id", "start", "end")
    )
    for document in documents:
        for start, end in places_in(document.text, exact):
            if (document.pk, start, end) in mine:
                found.already += 1
                continue
            found.places.append(
                Place(
                    document,
                    start,
                    end,
                    " ".join(document.text[max(0, start - CONTEXT) : start].split()),
                    " ".join(document.text[end : end + CONTEXT].split()),
                )
            )
    return found


def mark_occurrences(
    *, user, annotation: Annotation, scope: str = "document", expected: int | None = None, note: str = ""
) -> list[Annotation]:
    """Mark every place `occurrences` finds, for the user, with the mark's label: all or none. With `expected` (the
    count the user saw), Conflict when it changed meanwhile."""
    with transaction.atomic():
        found = occurrences(user=user, annotation=annotation, scope=scope)
        if not found.places:
            raise ActionRefused("There is no other place to mark: you have marked every occurrence already.")
        if expected is not None and found.count != expected:
            raise Conflict(
                f"The text changed since you looked: there are {found.count} places to mark now, not "
                f"{expected}. Look at them again."
            )
        if found.count > MOST:
            raise ActionRefused(f"At most {MOST:,} places are marked at once; this text occurs {found.count:,} times.")
        made = []
        by_document: dict[int, list[Place]] = {}
        for place in found.places:
            by_document.setdefault(place.document.pk, []).append(place)
        for places in by_document.values():
            document = places[0].document
            made += bulk_annotate(
                user=user,
                document=document,
                cap=None,
                marks=[
                    NewMark(
                        start=p.start, end=p.end, exact=document.text[p.start : p.end], label=found.label, note=note
                    )
                    for p in places
                ],
            )
        return made
