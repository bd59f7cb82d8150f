"""Writes on a project's labels: add, rename, recolour, change the shortcut, reorder, retire (its managers)."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Max

from .. import text as textlib
from ..models import Annotation, Label, Project
from .errors import ActionRefused
from .projects import check_manager
from .search_index import index_label

# Keys the document page keeps for itself: "l" opens Link to…, "?" the list of keys.
RESERVED_SHORTCUTS = {"l": "opens “Link to…”", "?": "shows the page's keys"}
SHORTCUT = re.compile(r"[a-z0-9]")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
KEY = re.compile(r"[a-z0-9][a-z0-9_-]*")
NAME_LENGTH = 80  # Label.name's max_length


def _checked(
    project: Project, *, name: str, colour: str, shortcut: str, exclude_pk: int | None = None
) -> tuple[str, str, str]:
    name = name.strip()
    if not name:
        raise ActionRefused("A label needs a name.")
    if len(name) > NAME_LENGTH:
        raise ActionRefused("A label's name is at most 80 characters.")
    if textlib.BIDI_CONTROLS.search(name):
        raise ActionRefused(textlib.NO_BIDI_IN_NAMES)
    if Label.objects.filter(project=project, name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        raise ActionRefused(f"The project has a label named “{name}” already.")
    if not COLOUR.fullmatch(colour or ""):
        raise ActionRefused("A colour is written #rrggbb (six hexadecimal digits).")
    shortcut = (shortcut or "").strip()
    if shortcut:
        if shortcut in RESERVED_SHORTCUTS:
            raise ActionRefused(f"The key “{shortcut}” is taken by the page: it {RESERVED_SHORTCUTS[shortcut]}.")
        if not SHORTCUT.fullmatch(shortcut):
            raise ActionRefused("A label's key is one lower-case letter or digit (Shift with it marks exactly).")
        clash = Label.objects.filter(project=project, shortcut=shortcut).exclude(pk=exclude_pk or 0).first()
        if clash is not None:
            raise ActionRefused(f"The key “{shortcut}” is the key of the label “{clash.name}” already.")
    return name, colour.lower(), shortcut


@transaction.atomic
def add_label(*, user, project: Project, key: str, name: str, colour: str, shortcut: str = "") -> Label:
    """Add a label at the end of the project's list. Its key (used in exports) never changes afterwards."""
    check_manager(user, project.pk)
    key = key.strip()
    if not KEY.fullmatch(key) or len(key) > 40:
        raise ActionRefused("A label's key for exports is lower-case letters, digits, - and _ (at most 40).")
    if Label.objects.filter(project=project, key=key).exists():
        raise ActionRefused(f"The project has a label with the key “{key}” already.")
    name, colour, shortcut = _checked(project, name=name, colour=colour, shortcut=shortcut)
    last = Label.objects.filter(project=project).aggregate(m=Max("order"))["m"]
    label = Label(
        project=project, key=key, name=name, colour=colour, shortcut=shortcut, order=0 if last is None else last + 1
    )
    label._history_user = user
    label.save()
    return label


@transaction.atomic
def update_label(*, user, label: Label, name: str, colour: str, shortcut: str) -> Label:
    """Rename a label, recolour it or change its key on the keyboard."""
    check_manager(user, label.project_id)
    label = Label.objects.select_for_update().get(pk=label.pk)
    renamed = label.name
    label.name, label.colour, label.shortcut = _checked(
        label.project, name=name, colour=colour, shortcut=shortcut, exclude_pk=label.pk
    )
    label._history_user = user
    label.save()
    if label.name != renamed:
        index_label(label)  # its marks are found by its name
    return label


@transaction.atomic
def move_label(*, user, label: Label, step: int) -> None:
    """Move a label one place up (step -1) or down (+1) in the toolbar's order."""
    check_manager(user, label.project_id)
    labels = list(Label.objects.select_for_update().filter(project_id=label.project_id).order_by("order", "id"))
    index = next(i for i, other in enumerate(labels) if other.pk == label.pk)
    target = index + step
    if not 0 <= target < len(labels):
        return
    labels[index], labels[target] = labels[target], labels[index]
    for order, each in enumerate(labels):
        if each.order != order:
            each.order = order
            each._history_user = user
            each.save(update_fields=["order"])


@transaction.atomic
def retire_label(*, user, label: Label, retired: bool = True) -> Label:
    """Retire a label (no longer offered for new marks; kept on its marks and in exports), or bring it back."""
    check_manager(user, label.project_id)
    label = Label.objects.select_for_update().get(pk=label.pk)
    if label.retired != retired:
        label.retired = retired
        label._history_user = user
        label.save(update_fields=["retired"])
    return label


@transaction.atomic
def delete_label(*, user, label: Label) -> None:
    """Delete a label no mark has ever used; one with marks is retired instead."""
    check_manager(user, label.project_id)
    if Annotation.objects.filter(label=label).exists() or Annotation.history.filter(label_id=label.pk).exists():
        raise ActionRefused(f"The label “{label.name}” has marks (or had): retire it instead, which keeps them.")
    label._history_user = user
    label.delete()
