"""Writes on links between marks and on a project's link types. Each checks permission, validates, saves, and records
a change on the document of each mark involved, so every open page showing either mark redraws."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify

from .. import links as linklib
from .. import text as textlib
from ..models import Annotation, Label, Link, LinkType, Project, Role, Source
from . import deliveries
from .decisions import back_to_pending, check_status, decide
from .errors import ActionRefused, Conflict, Forbidden
from .projects import check_member
from .search_index import index_links
from .spans import record_change, record_changes

MAX_SPEAKER = 200


def rule_of(link_type: LinkType) -> linklib.TypeRule:
    return linklib.TypeRule(
        name=link_type.name,
        from_labels=frozenset(link_type.from_labels.values_list("pk", flat=True)),
        to_labels=frozenset(link_type.to_labels.values_list("pk", flat=True)),
        targets=link_type.targets,
    )


def _touch(*annotations: Annotation | None) -> None:
    """Record a change at each mark's span (once per span), so pages showing it redraw its block and list entry."""
    seen: set[int] = set()
    for annotation in annotations:
        if annotation is None or annotation.span_id in seen:
            continue
        seen.add(annotation.span_id)
        span = annotation.span
        record_change(span.document_id, span.start, span.end)


def locked_marks(*pks: int) -> dict[int, Annotation]:
    # Locked in a fixed order, so two links made at once between the same marks cannot deadlock.
    # The document's text stays behind: a megabyte per mark, and no rule reads it.
    found = (
        Annotation.objects.select_for_update(of=("self",))
        .with_document()
        .select_related("label")
        .filter(pk__in=sorted(pks))
        .order_by("pk")
    )
    return {a.pk: a for a in found}


# Links -------------------------------------------------------------------------------------------


def check_link_request(*, project_id: int, type: LinkType, to_annotation, to_source, speaker: str) -> str:
    """create_link's rules before any mark is read: one target, a speaker's name of MAX_SPEAKER characters at most,
    a type and a source of the project. Returns the speaker's name with its whitespace collapsed."""
    speaker = " ".join(speaker.split())
    targets = [t for t in (to_annotation, to_source, speaker) if t]
    if len(targets) != 1:
        raise ActionRefused("Choose one thing to link to: a mark, a source or a speaker.")
    if len(speaker) > MAX_SPEAKER:
        raise ActionRefused(f"The speaker's name is longer than {MAX_SPEAKER} characters.")
    if type.project_id != project_id:
        raise ActionRefused("That link type belongs to another project.")
    if to_source is not None and to_source.project_id != project_id:
        raise ActionRefused("That source belongs to another project.")
    return speaker


def check_linked_marks(
    source_mark: Annotation,
    target_mark: Annotation | None,
    *,
    project_id: int,
    rule: linklib.TypeRule,
    label_names: dict,
) -> None:
    """create_link's rules on the locked marks: both on the current text, not one mark twice, one project, and labels
    the type allows."""
    for mark in (source_mark, target_mark):
        if mark is not None and mark.span.version != mark.span.document.version:
            raise ActionRefused(
                "That mark has no place in the current text (a new version orphaned it): re-attach it first."
            )
    if target_mark is not None:
        if target_mark.pk == source_mark.pk:
            raise ActionRefused("A mark cannot be linked to itself.")
        if target_mark.span.document.project_id != project_id:
            raise ActionRefused("That mark belongs to another project.")
    problem = linklib.rule_violation(
        rule, source_mark.label_id, target_mark.label_id if target_mark else None, label_names
    )
    if problem:
        raise ActionRefused(problem)


def link_exists(type: LinkType) -> ActionRefused:
    return ActionRefused(f"This link (“{type.name}”) exists already.")


class ManyLinks:
    """create_link's rules for many links at once, between marks locked together (locked_marks): each project's
    label names, each type's rule and the links the marks have already are read once, and each link that passes is
    noted, so that a link given twice in one batch is found as one made already."""

    def __init__(self, marks: dict[int, Annotation]):
        self._taken: set[tuple] = set(
            Link.objects.filter(from_annotation_id__in=list(marks)).values_list(
                "from_annotation_id", "type_id", "to_annotation_id", "to_source_id", "speaker"
            )
        )
        self._rules: dict[int, linklib.TypeRule] = {}
        self._label_names: dict[int, dict] = {}

    def check(
        self,
        source_mark: Annotation,
        target_mark: Annotation | None,
        *,
        type: LinkType,
        to_source: Source | None,
        speaker: str,
    ) -> tuple[str, bool]:
        """ActionRefused as create_link would refuse the link; else the speaker's name as saved, and whether the
        link is new (False: the project has it, or an earlier link of the batch)."""
        project_id = source_mark.span.document.project_id
        speaker = check_link_request(
            project_id=project_id, type=type, to_annotation=target_mark, to_source=to_source, speaker=speaker
        )
        if project_id not in self._label_names:
            self._label_names[project_id] = dict(Label.objects.filter(project_id=project_id).values_list("pk", "name"))
        if type.pk not in self._rules:
            self._rules[type.pk] = rule_of(type)
        check_linked_marks(
            source_mark,
            target_mark,
            project_id=project_id,
            rule=self._rules[type.pk],
            label_names=self._label_names[project_id],
        )
        key = (
            source_mark.pk,
            type.pk,
            target_mark.pk if target_mark else None,
            to_source.pk if to_source else None,
            speaker,
        )
        if key in self._taken:
            return speaker, False
        self._taken.add(key)
        return speaker, True


def record_link_changes(links: Iterable[Link]) -> None:
    """One Change per document, covering every mark the links join there (links made in bulk)."""
    regions: dict[int, list[tuple[int, int]]] = {}
    for link in links:
        for mark in (link.from_annotation, link.to_annotation):
            if mark is not None:
                regions.setdefault(mark.span.document_id, []).append((mark.span.start, mark.span.end))
    record_changes(regions)


def create_link(
    *,
    user,
    from_annotation: Annotation,
    type: LinkType,
    to_annotation: Annotation | None = None,
    to_source: Source | None = None,
    speaker: str = "",
    note: str = "",
    announce: bool = True,
) -> Link:
    """Link a mark to another mark of the same project (any document), or to a source or a named speaker when the
    type allows it. Any member of the project may link; the type's label rules are enforced here. Without
    `announce`, the caller emits the `link.created` event itself, once for all the links it makes (an import)."""
    project_id = from_annotation.span.document.project_id
    check_member(user, project_id)
    speaker = check_link_request(
        project_id=project_id, type=type, to_annotation=to_annotation, to_source=to_source, speaker=speaker
    )
    try:
        with transaction.atomic():
            pks = [from_annotation.pk] + ([to_annotation.pk] if to_annotation is not None else [])
            marks = locked_marks(*pks)
            if len(marks) != len(set(pks)):
                raise Conflict("One of the marks was deleted meanwhile.")
            source_mark = marks[from_annotation.pk]
            target_mark = marks[to_annotation.pk] if to_annotation is not None else None
            speaker, new = ManyLinks(marks).check(
                source_mark, target_mark, type=type, to_source=to_source, speaker=speaker
            )
            if not new:
                raise link_exists(type)
            link = Link(
                project_id=project_id,
                type=type,
                from_annotation=source_mark,
                to_annotation=target_mark,
                to_source=to_source,
                speaker=speaker,
                note=note.strip(),
                created_by=user,
            )
            link._history_user = user
            link.save()
            index_links([link.pk])
            _touch(source_mark, target_mark)
            if announce:
                deliveries.emit(project_id, deliveries.Event.LINK_CREATED, deliveries.links([link]))
    except IntegrityError:
        raise Conflict("The same link was saved at the same moment; reload the mark.") from None
    return link


def _locked_link(link_id: int) -> Link:
    link = (
        # Lock the link only: PostgreSQL cannot lock the nullable side of the outer join to to_annotation.
        Link.objects.select_for_update(of=("self",))
        .select_related("from_annotation__span", "to_annotation__span", "type")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        raise Conflict("This link was deleted meanwhile.")
    return link


def _locked_own_link(user, link_id: int, version: int | None) -> Link:
    link = _locked_link(link_id)
    check_member(user, link.project_id)
    if link.created_by_id != user.pk:
        raise Forbidden("Only the author of a link may change or delete it.")
    if version is not None and link.version != version:
        raise Conflict("Someone changed this link after you opened it; its current state is shown.")
    return link


@transaction.atomic
def update_link(*, user, link: Link, version: int, note: str) -> Link:
    """Change a link's note (its author only). A reviewed link that changes goes back to pending."""
    link = _locked_own_link(user, link.pk, version)
    note = note.strip()
    if note == link.note:
        return link
    link.note = note
    back_to_pending(link)
    link.version += 1
    link._history_user = user
    link.save()
    index_links([link.pk])
    _touch(link.from_annotation, link.to_annotation)
    return link


@transaction.atomic
def delete_link(*, user, link: Link, version: int | None = None) -> None:
    """Delete a link (its author only); its history stays."""
    link = _locked_own_link(user, link.pk, version)
    deliveries.emit(link.project_id, deliveries.Event.LINK_DELETED, deliveries.links([link]))
    link._history_user = user
    link.delete()
    _touch(link.from_annotation, link.to_annotation)


@transaction.atomic
def review_link(*, user, link: Link, status: str, note: str = "", version: int | None = None) -> Link:
    """Accept or reject a link, or put it back to pending (reviewers and managers; never one's own link)."""
    check_status(status)
    locked = _locked_link(link.pk)
    decide(locked, user=user, project_id=locked.project_id, status=status, note=note, version=version, noun="link")
    index_links([locked.pk])
    _touch(locked.from_annotation, locked.to_annotation)
    deliveries.emit(locked.project_id, deliveries.Event.LINK_REVIEWED, deliveries.links([locked]))
    return locked


def links_of(annotation: Annotation):
    """Every link that starts or ends at the mark (they go with it when it is deleted)."""
    return Link.objects.filter(from_annotation=annotation) | Link.objects.filter(to_annotation=annotation)


def delete_links_of(*, user, annotation: Annotation) -> int:
    """Delete the links that go with a mark being deleted, each with its history; the caller holds the transaction
    and has checked that the user may delete the mark. Other marks' pages redraw. Returns how many went."""
    gone = list(links_of(annotation).select_related("from_annotation__span", "to_annotation__span"))
    if gone:
        deliveries.emit(gone[0].project_id, deliveries.Event.LINK_DELETED, deliveries.links(gone))
    for link in gone:
        link._history_user = user
        link.delete()
        _touch(link.to_annotation if link.from_annotation_id == annotation.pk else link.from_annotation)
    return len(gone)


# Link types (managers) -----------------------------------------------------------------------------


def _check_manager(user, project_id: int) -> None:
    if check_member(user, project_id).role != Role.MANAGER:
        raise Forbidden("Only the project's managers may change its link types.")


def _clean_names(project_id: int, name: str, inverse_name: str, exclude_pk: int | None = None) -> tuple[str, str]:
    name, inverse_name = " ".join(name.split()), " ".join(inverse_name.split())
    if not name:
        raise ActionRefused("A link type needs a name.")
    if len(name) > 80 or len(inverse_name) > 80:
        raise ActionRefused("A link type's names are 80 characters at most.")
    if textlib.BIDI_CONTROLS.search(name + inverse_name):
        raise ActionRefused(textlib.NO_BIDI_IN_NAMES)
    same_name = LinkType.objects.filter(project_id=project_id, name=name)
    if exclude_pk is not None:
        same_name = same_name.exclude(pk=exclude_pk)
    if same_name.exists():
        raise ActionRefused(f"A link type named “{name}” exists already.")
    return name, inverse_name or name


def _check_labels(project_id: int, labels) -> list[Label]:
    labels = list(labels)
    if any(label.project_id != project_id for label in labels):
        raise ActionRefused("That label belongs to another project.")
    return labels


@transaction.atomic
def add_link_type(
    *, user, project: Project, name: str, inverse_name: str = "", from_labels=(), to_labels=(), targets: str = "marks"
) -> LinkType:
    """Add a link type to the project (managers only), last in the order."""
    _check_manager(user, project.pk)
    if targets not in LinkType.Targets.values:
        raise ActionRefused(f"Unknown kind of link target “{targets}”.")
    name, inverse_name = _clean_names(project.pk, name, inverse_name)
    key = slugify(name)[:40] or "link"
    base, n = key, 2
    while LinkType.objects.filter(project=project, key=key).exists():
        key, n = f"{base[:36]}-{n}", n + 1
    order = (LinkType.objects.filter(project=project).aggregate(m=Max("order"))["m"] or 0) + 1
    link_type = LinkType.objects.create(
        project=project, key=key, name=name, inverse_name=inverse_name, targets=targets, order=order
    )
    link_type.from_labels.set(_check_labels(project.pk, from_labels))
    link_type.to_labels.set(_check_labels(project.pk, to_labels))
    return link_type


@transaction.atomic
def rename_link_type(*, user, link_type: LinkType, name: str, inverse_name: str = "") -> LinkType:
    """Rename a link type (managers only); its key, used in exports and the map, stays."""
    _check_manager(user, link_type.project_id)
    link_type.name, link_type.inverse_name = _clean_names(link_type.project_id, name, inverse_name, link_type.pk)
    link_type.save(update_fields=["name", "inverse_name"])
    return link_type


@transaction.atomic
def move_link_type(*, user, link_type: LinkType, step: int) -> list[LinkType]:
    """Move a link type up (step -1) or down (+1) in the project's order (managers only). Returns the new order."""
    _check_manager(user, link_type.project_id)
    types = list(LinkType.objects.select_for_update().filter(project_id=link_type.project_id).order_by("order", "id"))
    index = next(i for i, t in enumerate(types) if t.pk == link_type.pk)
    other = index + step
    if 0 <= other < len(types) and step in (-1, 1):
        types[index], types[other] = types[other], types[index]
    for order, t in enumerate(types):
        if t.order != order:
            t.order = order
            t.save(update_fields=["order"])
    return types
