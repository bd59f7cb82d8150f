"""A mark's history as a reader wants it: one line per change, who and when, from django-simple-history's records.

`mark_events` and `link_events` are pure (rows in, events out); `history_of` fetches the rows in a fixed number of
queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from .models import Annotation, Citation, Label, Link, LinkType, Source
from .text import isolated, quoted

_STATUS_WORDS = {"accepted": "Accepted", "rejected": "Rejected"}


@dataclass(frozen=True)
class Event:
    when: datetime
    who: str
    what: str
    detail: str = ""


def _mark_event(row: dict, before: dict | None, labels: dict) -> list[Event]:
    when, who = row["history_date"], row["who"]
    label = labels.get(row["label_id"], "a deleted label")
    if row["history_type"] == "+":
        return [Event(when, who, f"Marked as {label}", row["note"])]
    if row["history_type"] == "-":
        return [Event(when, who, "Deleted the mark")]
    events = []
    if before is None:
        before = row
    if row["label_id"] != before["label_id"]:
        events.append(Event(when, who, f"Label {labels.get(before['label_id'], '?')} → {label}"))
    if row["note"] != before["note"]:
        events.append(Event(when, who, "Changed the note", row["note"]))
    content_changed = bool(events)
    if row["status"] != before["status"] or row["reviewed_at"] != before["reviewed_at"]:
        if row["status"] == "pending":
            events.append(
                Event(when, who, "Back to pending (the mark changed)" if content_changed else "Back to pending")
            )
        else:
            events.append(Event(when, who, _STATUS_WORDS.get(row["status"], row["status"]), row["review_note"]))
    if row.get("history_change_reason") and (
        row.get("placement") != before.get("placement") or row.get("span_id") != before.get("span_id")
    ):
        events.append(Event(when, who, row["history_change_reason"]))
    if not events:
        events.append(Event(when, who, "Saved without visible change"))
    return events


def _citation_event(row: dict, sources: dict) -> Event:
    # User text inside a sentence (and before the note shown after it): isolated, see text.isolated.
    title = isolated(sources.get(row["source_id"], "a deleted source"))
    cited = f"{title}, {isolated(row['locator'])}" if row["locator"] else title
    verb = {"+": "Cited", "-": "Removed the citation of", "~": "Changed the citation of"}[row["history_type"]]
    return Event(row["history_date"], row["who"], f"{verb} {cited}", row["note"] if row["history_type"] != "-" else "")


def mark_events(mark_rows: list[dict], citation_rows: list[dict], labels: dict, sources: dict) -> list[Event]:
    """Events of a mark, oldest first, from its historical rows and its citations' (each in order of time)."""
    events = []
    before = None
    for row in mark_rows:
        events.extend(_mark_event(row, before, labels))
        before = row
    events.extend(_citation_event(row, sources) for row in citation_rows)
    return sorted(events, key=lambda e: e.when)


_MARK_FIELDS = [
    "history_date",
    "history_type",
    "history_user_id",
    "label_id",
    "note",
    "status",
    "reviewed_by_id",
    "reviewed_at",
    "review_note",
    "placement",
    "span_id",
    "history_change_reason",
]
_CITATION_FIELDS = ["history_date", "history_type", "source_id", "locator", "note"]


def _rows(queryset, fields):
    rows = []
    for row in queryset.values(*fields, "history_user__username"):
        row["who"] = row.pop("history_user__username") or "someone (not recorded)"
        rows.append(row)
    return rows


def history_of(annotation_id: int, project_id: int) -> list[Event]:
    """Every recorded change to a mark, its citations and its links: a fixed number of queries, however long the
    history."""
    mark_rows = _rows(
        Annotation.history.filter(id=annotation_id).order_by("history_date", "history_id"),
        _MARK_FIELDS,
    )
    citation_rows = _rows(
        Citation.history.filter(annotation_id=annotation_id).order_by("history_date", "history_id"),
        _CITATION_FIELDS,
    )
    labels = dict(Label.objects.filter(project_id=project_id).values_list("id", "name"))
    source_ids = {row["source_id"] for row in citation_rows}
    sources = dict(Source.objects.filter(pk__in=source_ids).values_list("id", "title")) if source_ids else {}
    events = mark_events(mark_rows, citation_rows, labels, sources)
    return sorted(events + link_history_of(annotation_id, project_id), key=lambda e: e.when)


# Links (issue 8) ------------------------------------------------------------------------------------

_LINK_FIELDS = [
    "history_date",
    "history_type",
    "id",
    "type_id",
    "from_annotation_id",
    "to_annotation_id",
    "to_source_id",
    "speaker",
    "note",
    "status",
    "review_note",
]


def _link_target(row: dict, annotation_id: int, types: dict, marks: dict, sources: dict) -> str:
    name, inverse = types.get(row["type_id"], ("linked to", "linked from"))
    if row["from_annotation_id"] == annotation_id:
        if row["to_annotation_id"]:
            other = marks.get(row["to_annotation_id"], "a deleted mark")
        elif row["to_source_id"]:
            other = sources.get(row["to_source_id"], "a deleted source")
        else:
            other = row["speaker"]
        return f"{name} {isolated(other)}"
    return f"{inverse} {isolated(marks.get(row['from_annotation_id'], 'a deleted mark'))}"


def link_events(rows: list[dict], annotation_id: int, types: dict, marks: dict, sources: dict) -> list[Event]:
    """Events of the links to and from a mark, from their historical rows (in order of time).

    `types`: {type id: (name, inverse name)}; `marks`: {mark id: its text, quoted}; `sources`: {id: title}.
    """
    events: list[Event] = []
    before: dict[int, dict] = {}
    for row in rows:
        when, who = row["history_date"], row["who"]
        target = _link_target(row, annotation_id, types, marks, sources)
        previous = before.get(row["id"])
        before[row["id"]] = row
        if row["history_type"] == "+":
            events.append(Event(when, who, f"Linked: {target}", row["note"]))
        elif row["history_type"] == "-":
            events.append(Event(when, who, f"Deleted the link: {target}"))
        else:
            previous = previous or row
            if row["note"] != previous["note"]:
                events.append(Event(when, who, f"Changed the comment on the link: {target}", row["note"]))
            if row["status"] != previous["status"]:
                what = {"accepted": "Accepted the link", "rejected": "Rejected the link"}.get(
                    row["status"], "The link went back to pending"
                )
                events.append(
                    Event(when, who, f"{what}: {target}", row["review_note"] if row["status"] != "pending" else "")
                )
    return events


def _quoted(text: str) -> str:
    return quoted(f"{text[:60]}…" if len(text) > 60 else text)


def link_history_of(annotation_id: int, project_id: int) -> list[Event]:
    """Every recorded change to the links to and from a mark, kept after they (or the mark) are deleted: four
    queries."""
    rows = _rows(
        Link.history.filter(Q(from_annotation_id=annotation_id) | Q(to_annotation_id=annotation_id)).order_by(
            "history_date", "history_id"
        ),
        _LINK_FIELDS,
    )
    if not rows:
        return []
    types = {
        pk: (name, inverse)
        for pk, name, inverse in LinkType.objects.filter(project_id=project_id).values_list(
            "pk", "name", "inverse_name"
        )
    }
    mark_ids = {r["from_annotation_id"] for r in rows} | {r["to_annotation_id"] for r in rows if r["to_annotation_id"]}
    marks = {
        pk: _quoted(exact) for pk, exact in Annotation.objects.filter(pk__in=mark_ids).values_list("pk", "span__exact")
    }
    source_ids = {r["to_source_id"] for r in rows if r["to_source_id"]}
    sources = dict(Source.objects.filter(pk__in=source_ids).values_list("id", "title")) if source_ids else {}
    return link_events(rows, annotation_id, types, marks, sources)
