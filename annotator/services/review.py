"""Review in bulk (the admin's actions): one review_annotation per mark, so every rule holds per mark; and settling a
disagreement between editors (the agreement page): one mark kept, the others rejected, in one action."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from ..models import Annotation, Status
from . import deliveries
from .decisions import decide
from .errors import ActionRefused, Conflict
from .marks import review_annotation
from .search_index import index_marks
from .spans import record_change


@dataclass
class BulkReview:
    """What a bulk review did: the marks reviewed, and each refused mark with the reason."""

    reviewed: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (annotation, message)


def review_annotations(*, user, annotations, status: str, note: str = "") -> BulkReview:
    """Review each mark in its own transaction; a refused mark (own mark, not a reviewer there) is skipped and
    reported."""
    result = BulkReview()
    for annotation in annotations:
        try:
            result.reviewed.append(review_annotation(user=user, annotation=annotation, status=status, note=note))
        except ActionRefused as exc:
            result.refused.append((annotation, exc.message))
    return result


@dataclass
class Settled:
    """What settling did: the mark kept, the marks accepted (it, and those agreeing with it) and rejected."""

    kept: Annotation
    accepted: list = field(default_factory=list)
    rejected: list = field(default_factory=list)


def settle_disagreement(*, user, annotation: Annotation, note: str = "") -> Settled:
    """Settle a disagreement in one action (reviewers and managers): keep `annotation` (accepted, and settled: the
    gold standard) and reject the marks of other editors on its span or overlapping it, all with one note. Marks that
    agree with it (the same span and label) are accepted with it. Each decision is in its mark's history, with the
    reason. Nobody settles a disagreement over their own mark (a reviewer never reviews their own).
    """
    note = note.strip()
    with transaction.atomic():
        kept = Annotation.objects.select_for_update(of=("self",)).with_document().filter(pk=annotation.pk).first()
        if kept is None:
            raise Conflict("This mark was deleted meanwhile.")
        document = kept.span.document
        if kept.span.version != document.version:
            raise ActionRefused("Only marks of the current text are settled.")
        involved = list(
            Annotation.objects.select_for_update(of=("self",))
            .select_related("span", "label", "created_by")
            .filter(
                span__document=document,
                span__version=document.version,
                span__start__lt=kept.span.end,
                span__end__gt=kept.span.start,
            )
            .exclude(created_by_id=kept.created_by_id)
            .order_by("pk")
        )
        agreeing = [m for m in involved if (m.span_id, m.label_id) == (kept.span_id, kept.label_id)]
        others = [m for m in involved if m not in agreeing]
        if not others:
            raise ActionRefused("No other editor's mark disagrees with this one: nothing to settle.")
        reason = f"Disagreement settled: kept mark {kept.pk} ({kept.label.name} by {kept.created_by.get_username()})"
        result = Settled(kept)
        for mark, status in [
            (kept, Status.ACCEPTED),
            *((m, Status.ACCEPTED) for m in agreeing),
            *((m, Status.REJECTED) for m in others),
        ]:
            mark._change_reason = reason
            if mark is kept:
                mark.settled = True
            decide(mark, user=user, project_id=document.project_id, status=status, note=note, version=None, noun="mark")
            (result.accepted if status == Status.ACCEPTED else result.rejected).append(mark)
        index_marks(m.pk for m in [kept, *involved])
        spans = [kept.span, *(m.span for m in involved)]
        lock = record_change(document.pk, min(s.start for s in spans), max(s.end for s in spans))
        decided = [*result.accepted, *result.rejected]  # the kept mark first
        deliveries.emit(
            document.project_id,
            deliveries.Event.MARK_REVIEWED,
            deliveries.marks(decided, document),
            hooked=lock.hooked,
        )
    return result
