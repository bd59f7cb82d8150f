"""Agreement between editors: which documents two or more editors marked, and one document's comparison and figures."""
from __future__ import annotations

import unicodedata

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.shortcuts import render
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from .. import agreement as ag
from ..models import Annotation, Document
from ..permissions import document_for, project_for


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
    return render(request, "annotator/agreement_index.html", {"project": project, "membership": membership, "documents": documents})


QUOTE_LENGTH = 120


def _shortened(text: str) -> str:
    """What the template filter truncatechars:120 makes of the text, without its walk over every character
    when the text is short (it then only puts the text in NFC)."""
    if len(text) <= QUOTE_LENGTH and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(QUOTE_LENGTH)


def _meta(row: ag.Row, names: dict) -> str:
    """Where the row's span is, who marked it, and the other editors' marks on it: '4–10 · ann · others: bob as Claim (4–9)'."""
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
        Annotation.objects.current(document).in_text_order()
        .values_list("created_by__username", "span__start", "span__end", "label_id")
    )
    marks = [ag.Mark(editor, start, end, label_id) for editor, start, end, label_id in rows]
    label_by_id = {label.pk: label for label in labels}
    names = {pk: label.name for pk, label in label_by_id.items()}
    # Each row's words made here once, not by the template a dozen nodes at a time: a document has thousands.
    comparison = [
        {
            "row": row,
            "label": label_by_id[row.label],
            "exact": _shortened(document.text[row.start : row.end]),
            "meta": _meta(row, names),
        }
        for row in ag.compare(marks)
    ]
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
    }
    return render(request, "annotator/document_agreement.html", context)
