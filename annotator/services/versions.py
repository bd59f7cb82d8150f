"""New versions of a document's text, and carrying its marks across (see anchoring.py for the rules)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .. import anchoring
from .. import text as textlib
from ..models import Annotation, Citation, Document, DocumentVersion, Membership, Placement, Role, Span, Status
from .decisions import back_to_pending
from .errors import ActionRefused, Conflict, Forbidden
from .projects import check_member, record_change
from .quotations import refresh_quote_checks


def _span_for(document: Document, version: int, text: str, start: int, end: int) -> Span:
    prefix, suffix = textlib.quote_context(text, start, end)
    span, _ = Span.objects.get_or_create(
        document=document,
        version=version,
        start=start,
        end=end,
        defaults={"exact": text[start:end], "prefix": prefix, "suffix": suffix},
    )
    return span


@transaction.atomic
def add_version(*, membership: Membership, document: Document, text: str, note: str = "", user=None) -> DocumentVersion:
    """Make `text` the document's new current version and carry every current mark to it (managers only).

    Marks placed fuzzily or ambiguously are flagged; accepted ones among them go back to pending.
    Orphans keep their old span and wait to be re-attached. Each carried mark's move is in its history.
    """
    if membership.role != Role.MANAGER or membership.project_id != document.project_id:
        raise Forbidden("Only the project's managers may add versions of a document.")
    try:
        new_text = textlib.check_document_text(textlib.normalise_text(text))
    except textlib.TextImportError as exc:  # blank once normalised (only BOMs, say): a refusal with its message
        raise ActionRefused(str(exc)) from None
    document = Document.objects.select_for_update().get(pk=document.pk)
    if new_text == document.text:
        raise ActionRefused("The new version is the same as the current one: nothing to do.")
    old_text, old_number = document.text, document.version
    if not DocumentVersion.objects.filter(document=document, number=old_number).exists():
        DocumentVersion.objects.create(
            document=document, number=old_number, text=old_text, created_at=document.created_at,
            created_by=document.created_by, note="First version" if old_number == 1 else "",
        )
    version = DocumentVersion.objects.create(
        document=document, number=old_number + 1, text=new_text, note=note.strip()[:500],
        created_by=user, created_at=timezone.now(),
    )

    annotations = list(
        Annotation.objects.select_for_update()
        .filter(span__document=document, span__version=old_number)
        .select_related("span")
    )
    spans = {a.span_id: a.span for a in annotations}
    anchors = [anchoring.Anchor(s.pk, s.start, s.end, s.exact, s.prefix, s.suffix) for s in spans.values()]
    placed = {p.key: p for p in anchoring.carry(anchors, old_text, new_text)}

    document.text, document.version = new_text, version.number
    document.save(update_fields=["text", "version"])

    # The new spans, made together: a fixed number of queries (in batches) rather than a few per mark.
    new_spans = {(s.start, s.end): s for s in Span.objects.filter(document=document, version=version.number)}
    wanted = sorted({(r.start, r.end) for r in placed.values() if r.start is not None} - new_spans.keys())
    made = Span.objects.bulk_create(
        Span(document=document, version=version.number, start=start, end=end, exact=new_text[start:end],
             prefix=prefix, suffix=suffix)
        for start, end in wanted
        for prefix, suffix in [textlib.quote_context(new_text, start, end)]
    )
    new_spans.update(((s.start, s.end), s) for s in made)
    now = timezone.now()
    report = []
    for annotation in annotations:
        result = placed[annotation.span_id]
        old_span = spans[annotation.span_id]
        if result.start is not None:
            annotation.span = new_spans[(result.start, result.end)]
        annotation.placement = result.placement.value
        annotation.placement_score = result.score if result.placement == anchoring.Placement.FUZZY else None
        if result.placement.flagged and annotation.status == Status.ACCEPTED:
            back_to_pending(annotation)
        annotation.version += 1
        annotation.updated_at = now  # what save() would set (auto_now); bulk_update does not
        annotation._history_user = user
        annotation._change_reason = f"Carried to version {version.number}: {result.placement.value}"
        report.append(
            Placement(
                version=version, annotation=annotation, status=result.placement.value, score=result.score,
                old_start=old_span.start, old_end=old_span.end, old_exact=old_span.exact,
                new_start=result.start, new_end=result.end,
                new_exact=new_text[result.start : result.end] if result.start is not None else "",
            )
        )
    # Each mark's move in its history, as save() would record it (user and reason per mark).
    bulk_update_with_history(
        annotations, Annotation,
        ["span", "placement", "placement_score", "status", "reviewed_by", "reviewed_at", "review_note", "version", "updated_at"],
        default_date=now,
    )
    Placement.objects.bulk_create(report)
    # A mark carried onto other text (a fuzzy placement) quotes something else now: its quotation checks again.
    moved = [p.annotation.pk for p in report if p.new_start is not None and p.new_exact != p.old_exact]
    if moved:
        refresh_quote_checks(Citation.objects.filter(annotation_id__in=moved))
    record_change(document.pk, 0, len(new_text), text_changed=True)
    return version


@transaction.atomic
def reattach_annotation(*, user, annotation: Annotation, start: int, end: int, exact: str) -> Annotation:
    """Put a flagged or orphaned mark on a selection of the current text (any member who may edit it)."""
    check_member(user, annotation.span.document.project_id)
    locked = Annotation.objects.select_for_update().select_related("span__document").get(pk=annotation.pk)
    document = Document.objects.select_for_update().get(pk=locked.span.document_id)
    if locked.created_by_id != user.pk and not Membership.objects.filter(
        user=user, project_id=document.project_id, role=Role.MANAGER
    ).exists():
        raise Forbidden("Only the mark's author or a manager may re-attach it.")
    if locked.placement not in ("orphaned", "fuzzy", "ambiguous"):
        raise Conflict("This mark is not waiting to be re-attached.")
    try:
        textlib.check_span(document.text, start, end, exact)
    except textlib.SpanError as exc:
        raise ActionRefused(str(exc)) from None
    span = _span_for(document, document.version, document.text, start, end)
    if Annotation.objects.filter(span=span, label_id=locked.label_id, created_by_id=locked.created_by_id).exclude(
        pk=locked.pk
    ).exists():
        raise ActionRefused("The same editor already has a mark with this label on that text.")
    locked.span = span
    locked.placement = "reattached"
    locked.placement_score = None
    back_to_pending(locked)
    locked.version += 1
    locked._history_user = user
    locked._change_reason = "Re-attached by hand"
    locked.save()
    Placement.objects.filter(annotation=locked, version__document=document, version__number=document.version).update(
        status="reattached", new_start=start, new_end=end, new_exact=exact
    )
    refresh_quote_checks(locked.citations.all())
    record_change(document.pk, start, end)
    return locked
