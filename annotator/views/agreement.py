"""Agreement between editors: which documents two or more editors marked, and one document's comparison and figures."""

from __future__ import annotations

import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST

from .. import agreement as ag
from .. import services
from ..models import Annotation, Document
from ..permissions import annotation_for, can_review, document_for, project_for
from ..text import row_id


@login_required
@require_GET
def agreement_index(request, project_id):
    project, membership = project_for(request.user, project_id)
    current = Q(spans__version=F("version"))  # marks of the current text; orphans of old versions wait elsewhere
    documents = (
        Document.objects.filter(project=project)
        .annotate(
            editor_count=Count("spans__annotations__created_by", distinct=True, filter=current),
            mark_count=Count("spans__annotations", filter=current),
        )
        .only("id", "title")
        .order_by("title", "id")
    )
    return render(
        request,
        "annotator/agreement_index.html",
        {"project": project, "membership": membership, "documents": documents},
    )


QUOTE_LENGTH = 120


def _shortened(text: str) -> str:
    """What the template filter truncatechars:120 makes of the text, without its walk over every character
    when the text is short (it then only puts the text in NFC)."""
    if len(text) <= QUOTE_LENGTH and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(QUOTE_LENGTH)


def _meta(row: ag.Row, names: dict) -> str:
    """Where the row's span is, who marked it, and the other editors' marks on it:
    '4–10 · ann · others: bob as Claim (4–9)'."""
    meta = f"{row.start}–{row.end} · {', '.join(str(e) for e in row.editors)}"
    if row.others:
        meta += " · others: " + "; ".join(f"{m.editor} as {names[m.label]} ({m.start}–{m.end})" for m in row.others)
    return meta


@login_required
@require_GET
def document_agreement(request, document_id):
    document, membership = document_for(request.user, document_id)
    project = document.project
    labels = list(project.labels.all())
    rows = list(
        Annotation.objects.current(document)
        .in_text_order()
        .values_list("created_by__username", "span__start", "span__end", "label_id", "id", "status")
    )
    marks = [ag.Mark(editor, start, end, label_id) for editor, start, end, label_id, _, _ in rows]
    # A mark of the comparison is one row: an editor marks a span with a label once.
    ids = {(editor, start, end, label): (pk, status) for editor, start, end, label, pk, status in rows}
    label_by_id = {label.pk: label for label in labels}
    names = {pk: label.name for pk, label in label_by_id.items()}
    # Each row's words made here once, not by the template a dozen nodes at a time: a document has thousands.
    comparison = []
    open_count = 0
    for row in ag.compare(marks):
        own = [(editor, ids[editor, row.start, row.end, row.label]) for editor in row.editors]
        others = [(m, ids[m.editor, m.start, m.end, m.label]) for m in row.others]
        disagreement = row.category in (ag.SAME_SPAN_OTHER_LABEL, ag.OVERLAP)
        # Open until every mark in it has been reviewed (settling accepts one and rejects the others).
        unsettled = disagreement and any(status == "pending" for _, (_, status) in own + others)
        open_count += unsettled
        comparison.append(
            {
                "row": row,
                "label": label_by_id[row.label],
                "exact": _shortened(document.text[row.start : row.end]),
                "meta": _meta(row, names),
                "marks": [(editor, pk, label_by_id[row.label].name) for editor, (pk, _) in own],
                "other_marks": [(m.editor, pk, names[m.label]) for m, (pk, _) in others],
                "open": unsettled,
            }
        )
    groups = [
        {"key": key, "name": name, "rows": [c for c in comparison if c["row"].category == key]}
        for key, name in ag.CATEGORIES.items()
    ]
    token_spans = ag.tokens(document.text)
    figures = [
        {"label": label_by_id[f.label], "figures": f}
        for f in ag.label_figures(document.text, marks, [label.pk for label in labels], token_spans=token_spans)
    ]
    context = {
        "document": document,
        "project": project,
        "membership": membership,
        "editors": ag.editors_of(marks),
        "figures": figures,
        "groups": groups,
        "token_count": len(token_spans),
        "open_count": open_count,
        "can_settle": can_review(membership),
    }
    return render(request, "annotator/document_agreement.html", context)


@login_required
@require_POST
def disagreement_settle(request, document_id):
    """Settle a disagreement: keep the mark chosen, reject the other editors' marks on its span or overlapping it,
    with one note (reviewers and managers). Back to the agreement page, which says what was done."""
    document, membership = document_for(request.user, document_id, text=False)
    if not can_review(membership):
        raise PermissionDenied("Only reviewers and managers settle disagreements.")
    annotation, _ = annotation_for(request.user, row_id(request.POST.get("keep")) or 0)
    if annotation.span.document_id != document.pk:
        raise Http404("No such mark in this document.")
    try:
        settled = services.settle_disagreement(
            user=request.user, annotation=annotation, note=request.POST.get("note", "")
        )
    except services.ActionRefused as exc:
        messages.error(request, f"Not settled: {exc.message}")
    else:
        messages.success(
            request,
            f"Settled: kept {annotation.label.name} by {annotation.created_by.get_username()}, "
            f"rejected {len(settled.rejected)} other mark{'s' if len(settled.rejected) != 1 else ''}.",
        )
    return redirect("document_agreement", document_id=document.pk)
