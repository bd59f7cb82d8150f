"""A bulk request's body read fast (10,000 marks): its shape checked by hand, every item at fault listed by index.

The API's serializers describe the same shape for the schema (BulkSerializer); DRF's nested serializers would spend
most of a second on 10,000 items.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response

from ..models import Annotation, Document, Label, LinkType, Source
from ..services.bulk import BatchRefused, ItemCitation, ItemLink, NewMark
from ..text import SpanError
from .errors import error
from .serializers import Offsets

MARK_KEYS = {"start", "end", "exact", "label", "note", "citations", "links"}
CITATION_KEYS = {"source", "locator", "note"}
LINK_KEYS = {"type", "to_item", "to_mark", "to_source", "speaker", "note"}


class Invalid(Exception):
    """A bulk request's body that is not the shape asked for: `errors` lists every field at fault."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors

    def answer(self) -> Response:
        return Response({"errors": self.errors}, status=status.HTTP_400_BAD_REQUEST)


class Problems:
    """What is wrong with a bulk body, field by field, in the one error shape."""

    def __init__(self) -> None:
        self.found: list[dict] = []

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.found.append(error(message, code, field))


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(item: dict, key: str, where: str, problems: Problems, *, required=False, limit=None) -> str:
    value = item.get(key, "")
    if key not in item and required:
        problems.add(f"{where}.{key}", "This field is required.", "required")
    elif not isinstance(value, str):
        problems.add(f"{where}.{key}", "Not a string.")
    elif limit is not None and len(value) > limit:
        problems.add(f"{where}.{key}", f"At most {limit} characters.", "max_length")
    else:
        return value
    return ""


def _unknown(item: dict, allowed: set, where: str, problems: Problems) -> None:
    if item.keys() <= allowed:
        return
    for key in sorted(set(item) - allowed):
        problems.add(f"{where}.{key}", "Unknown field.", "unknown")


def parse(data, document: Document, offsets: Offsets) -> dict:
    """The marks, citations and links a bulk request asks for, ready for services.bulk.bulk_mark_up; or a
    Invalid naming every field at fault ("marks.3.start")."""
    if not isinstance(data, dict) or not isinstance(data.get("marks"), list) or not data["marks"]:
        raise Invalid([error('Send {"marks": [...]}: a list of one mark or more.', "invalid", "marks")])
    items = data["marks"]
    problems = Problems()
    project_id = document.project_id
    labels = {label.key: label for label in Label.objects.filter(project_id=project_id)}
    types = {t.key: t for t in LinkType.objects.filter(project_id=project_id)}
    source_ids, mark_ids = set(), set()
    for item in items:
        if isinstance(item, dict):
            for c in item.get("citations") or []:
                if isinstance(c, dict) and _whole(c.get("source")):
                    source_ids.add(c["source"])
            for link in item.get("links") or []:
                if isinstance(link, dict):
                    if _whole(link.get("to_source")):
                        source_ids.add(link["to_source"])
                    if _whole(link.get("to_mark")):
                        mark_ids.add(link["to_mark"])
    sources = Source.objects.in_bulk([pk for pk in source_ids if pk > 0]) if source_ids else {}
    sources = {pk: src for pk, src in sources.items() if src.project_id == project_id}
    marks_there = (
        Annotation.objects.filter(span__document__project_id=project_id).in_bulk([pk for pk in mark_ids if pk > 0])
        if mark_ids
        else {}
    )
    convert = offsets.converter((document.pk, document.version), lambda: document.text)
    marks, citations, links = [], [], []
    for index, item in enumerate(items):
        where = f"marks.{index}"
        if not isinstance(item, dict):
            problems.add(where, 'A mark is an object: {"start", "end", "exact", "label"}.')
            continue
        _unknown(item, MARK_KEYS, where, problems)
        bounds: list[int] = []
        for key in ("start", "end"):
            value: Any = item.get(key)
            if not _whole(value) or value < 0:
                problems.add(f"{where}.{key}", "A whole number, 0 or more.", "required" if value is None else "invalid")
                continue
            if convert is not None:
                try:
                    value = convert.to_codepoint(value)
                except SpanError as exc:
                    problems.add(f"{where}.{key}", str(exc), "invalid_offset")
                    continue
            bounds.append(value)
        exact = _text(item, "exact", where, problems, required=True)
        note = _text(item, "note", where, problems)
        label_key: Any = item.get("label")
        label = labels.get(label_key) if isinstance(label_key, str) else None
        if label is None:
            problems.add(f"{where}.label", f"The project has no label with the key “{item.get('label')}”.")
        for number, c in enumerate(_list(item, "citations", where, problems)):
            here = f"{where}.citations.{number}"
            if not isinstance(c, dict):
                problems.add(here, 'A citation is an object: {"source", "locator"}.')
                continue
            _unknown(c, CITATION_KEYS, here, problems)
            source = sources.get(c.get("source")) if _whole(c.get("source")) else None
            if source is None:
                problems.add(f"{here}.source", "No such source in this project.")
            locator = _text(c, "locator", here, problems, limit=200)
            if source is not None:
                citations.append(ItemCitation(index, source, locator, _text(c, "note", here, problems)))
        for number, link in enumerate(_list(item, "links", where, problems)):
            here = f"{where}.links.{number}"
            if not isinstance(link, dict):
                problems.add(here, 'A link is an object: {"type", and one of "to_item", "to_mark", ...}.')
                continue
            _unknown(link, LINK_KEYS, here, problems)
            type_key: Any = link.get("type")
            kind = types.get(type_key) if isinstance(type_key, str) else None
            if kind is None:
                problems.add(f"{here}.type", f"The project has no link type with the key “{link.get('type')}”.")
            to_item = link.get("to_item")
            if to_item is not None and (not _whole(to_item) or not 0 <= to_item < len(items) or to_item == index):
                problems.add(f"{here}.to_item", "The index of another mark of this request.")
            to_mark = None
            if link.get("to_mark") is not None:
                to_mark = marks_there.get(link["to_mark"]) if _whole(link["to_mark"]) else None
                if to_mark is None:
                    problems.add(f"{here}.to_mark", "No such mark.")
            to_source = None
            if link.get("to_source") is not None:
                to_source = sources.get(link["to_source"]) if _whole(link["to_source"]) else None
                if to_source is None:
                    problems.add(f"{here}.to_source", "No such source in this project.")
            speaker = _text(link, "speaker", here, problems, limit=200)
            if kind is not None:
                links.append(
                    ItemLink(
                        index,
                        kind,
                        to_item if _whole(to_item) else None,
                        to_mark,
                        to_source,
                        speaker,
                        _text(link, "note", here, problems),
                    )
                )
        if len(bounds) == 2 and label is not None:
            marks.append(NewMark(bounds[0], bounds[1], exact, label, note))
    if problems.found:
        raise Invalid(problems.found)
    return {"marks": marks, "citations": citations, "links": links}


def _list(item: dict, key: str, where: str, problems: Problems) -> list:
    value = item.get(key) or []
    if not isinstance(value, list):
        problems.add(f"{where}.{key}", "A list.")
        return []
    return value


def refused_items(exc: BatchRefused) -> Response:
    """The items the services refused, each with its index and reason; nothing was saved."""
    found = [error(message, "refused", f"marks.{index}") for index, message in exc.items]
    return Response({"errors": found}, status=exc.status)
