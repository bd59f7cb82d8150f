"""New versions of a document's text, and carrying its marks across (see anchoring.py for the rules)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .. import anchoring
from .. import text as textlib
from ..models import Annotation, Citation, Document, DocumentVersion, Placement, Role, Status
from . import deliveries
from .decisions import back_to_pending
from .errors import ActionRefused, Conflict, Forbidden
from .projects import check_member
from .quotations import refresh_quote_checks
from .search_index import index_document, index_marks
from .spans import already_marked, check_region, lock_document, locked_text, note_change, repeats, span_at, spans_at


@transaction.atomic
def add_version(*, user, document: Document, text: str, note: str = "") -> DocumentVersion:
    """Make `text` the document's new current version and carry every current mark to it (its project's managers).

    Marks placed fuzzily or ambiguously are flagged; accepted ones among them go back to pending. Orphans keep their
    old span and wait to be re-attached, as does a mark carried onto a place where its editor has a mark with its
    label already (the better placed one keeps it). Each carried mark's move is in its history.
    """
    if check_member(user, document.project_id).role != Role.MANAGER:
        raise Forbidden("Only the project's managers may add versions of a document.")
    try:
        new_text = textlib.check_document_text(textlib.normalise_text(text))
    except textlib.TextImportError as exc:  # blank once normalised (only BOMs, say): a refusal with its message
        raise ActionRefused(str(exc)) from None
    lock = lock_document(document.pk)
    document = Document.objects.get(pk=document.pk)  # as it is under the lock: another version may have come
    if new_text == document.text:
        raise ActionRefused("The new version is the same as the current one: nothing to do.")
    old_text, old_number = document.text, document.version
    if not DocumentVersion.objects.filter(document=document, number=old_number).exists():
        DocumentVersion.objects.create(
            document=document,
            number=old_number,
            text=old_text,
            created_at=document.created_at,
            created_by=document.created_by,
            note="First version" if old_number == 1 else "",
        )
    version = DocumentVersion.objects.create(
        document=document,
        number=old_number + 1,
        text=new_text,
        note=note.strip()[:500],
        created_by=user,
        created_at=timezone.now(),
    )

    annotations = list(
        Annotation.objects.select_for_update(of=("self",))
        .filter(span__document=document, span__version=old_number)
        .select_related("span")
    )
    spans = {a.span_id: a.span for a in annotations}
    anchors = [anchoring.Anchor(s.pk, s.start, s.end, s.exact, s.prefix, s.suffix) for s in spans.values()]
    placed = {p.key: p for p in anchoring.carry(anchors, old_text, new_text)}

    document.text, document.version = new_text, version.number
    document.save(update_fields=["text", "version"])

    # The new spans, made together: a fixed number of queries (in batches) rather than a few per mark.
    lock = replace(lock, version=version.number)
    regions = {(r.start, r.end) for r in placed.values() if r.start is not None and r.end is not None}
    new_spans, made = spans_at(lock, new_text, regions)
    results = _carried(annotations, placed, new_spans, made)
    now = timezone.now()
    report = []
    for annotation in annotations:
        result = results[annotation.pk]
        old_span = spans[annotation.span_id]
        if result.start is not None:
            annotation.span = new_spans[(result.start, result.end)]
        annotation.placement = result.placement.value
        annotation.placement_score = result.score if result.placement == anchoring.Rule.FUZZY else None
        if result.placement.flagged and annotation.status == Status.ACCEPTED:
            back_to_pending(annotation)
        annotation.version += 1
        annotation.updated_at = now  # what save() would set (auto_now); bulk_update does not
        annotation._history_user = user
        annotation._change_reason = f"Carried to version {version.number}: {result.placement.value}"
        report.append(
            Placement(
                version=version,
                annotation=annotation,
                status=result.placement.value,
                score=result.score,
                old_start=old_span.start,
                old_end=old_span.end,
                old_exact=old_span.exact,
                new_start=result.start,
                new_end=result.end,
                new_exact=new_text[result.start : result.end] if result.start is not None else "",
            )
        )
    # Each mark's move in its history, as save() would record it (user and reason per mark).
    bulk_update_with_history(
        annotations,
        Annotation,
        [
            "span",
            "placement",
            "placement_score",
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "settled",
            "version",
            "updated_at",
        ],
        default_date=now,
    )
    Placement.objects.bulk_create(report)
    # A mark carried onto other text (a fuzzy placement) quotes something else now: its quotation checks again.
    moved = [
        a.pk for a, p in zip(annotations, report, strict=True) if p.new_start is not None and p.new_exact != p.old_exact
    ]
    if moved:
        refresh_quote_checks(Citation.objects.filter(annotation_id__in=moved))
    index_document(document)
    index_marks(a.pk for a in annotations)
    note_change(lock, 0, len(new_text), text_changed=True)
    deliveries.emit(
        document.project_id,
        deliveries.Event.VERSION_CREATED,
        lambda: [{**deliveries.version_item(document, version), "placements": dict(Counter(p.status for p in report))}],
        hooked=lock.hooked,
    )
    return version


def _carried(annotations: list[Annotation], placed: dict, new_spans: dict, made: set[int]) -> dict:
    """Where each mark goes ({mark id: anchoring.Placed}): where carry() placed it, unless its editor's mark with its
    label took that place first (marks placed silently first, then by score); then it waits as an orphan."""
    order = sorted(annotations, key=lambda a: (placed[a.span_id].placement.flagged, -placed[a.span_id].score, a.pk))
    results = {a.pk: placed[a.span_id] for a in order}
    going = [a for a in order if results[a.pk].start is not None]
    wanted = [(new_spans[results[a.pk].start, results[a.pk].end].pk, a.label_id, a.created_by_id) for a in going]
    for index in repeats(wanted, new_spans=made, moving=[a.pk for a in going]):
        mark = going[index]
        results[mark.pk] = anchoring.Placed(mark.span_id, anchoring.Rule.ORPHANED, None, None, 0.0)
    return results


@transaction.atomic
def reattach_annotation(*, user, annotation: Annotation, start: int, end: int, exact: str) -> Annotation:
    """Put a flagged or orphaned mark on a selection of the current text (its author, or a manager of its project)."""
    document = annotation.span.document
    lock = lock_document(document.pk, member=user)
    locked = Annotation.objects.select_for_update(of=("self",)).select_related("span", "label").get(pk=annotation.pk)
    if locked.created_by_id != user.pk and check_member(user, document.project_id).role != Role.MANAGER:
        raise Forbidden("Only the mark's author or a manager may re-attach it.")
    if locked.placement not in ("orphaned", "fuzzy", "ambiguous"):
        raise Conflict("This mark is not waiting to be re-attached.")
    text = locked_text(lock, document)
    check_region(text, start, end, exact)
    span = span_at(lock, text, start, end)
    wanted = [(span.pk, locked.label_id, locked.created_by_id)]
    if repeats(wanted, moving={locked.pk}):
        raise already_marked(locked.label, own=locked.created_by_id == user.pk)
    locked.span = span
    locked.placement = "reattached"
    locked.placement_score = None
    back_to_pending(locked)
    locked.version += 1
    locked._history_user = user
    locked._change_reason = "Re-attached by hand"
    locked.save()
    Placement.objects.filter(annotation=locked, version__document_id=document.pk, version__number=lock.version).update(
        status="reattached", new_start=start, new_end=end, new_exact=exact
    )
    refresh_quote_checks(locked.citations.all())
    index_marks([locked.pk])
    note_change(lock, start, end)
    deliveries.emit(
        document.project_id, deliveries.Event.MARK_UPDATED, deliveries.marks([locked], document), hooked=lock.hooked
    )
    return locked
