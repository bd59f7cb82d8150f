"""Agreement between editors: which documents two or more editors marked, and one document's comparison and figures."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.shortcuts import render
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


@login_required
@require_GET
def document_agreement(request, document_id):
    document, membership = document_for(request.user, document_id)
    project = document.project
    labels = list(project.labels.all())
    rows = list(
        Annotation.objects.filter(span__document=document, span__version=document.version)
        .values_list("created_by__username", "span__start", "span__end", "label_id")
        .order_by("span__start", "span__end", "id")
    )
    marks = [ag.Mark(editor, start, end, label_id) for editor, start, end, label_id in rows]
    label_by_id = {label.pk: label for label in labels}
    comparison = [
        {
            "row": row,
            "label": label_by_id[row.label],
            "exact": document.text[row.start : row.end],
            "others": [{"mark": m, "label": label_by_id[m.label]} for m in row.others],
        }
        for row in ag.compare(marks)
    ]
    groups = [
        {"key": key, "name": name, "rows": [c for c in comparison if c["row"].category == key]}
        for key, name in ag.CATEGORIES.items()
    ]
    figures = [
        {"label": label_by_id[f.label], "figures": f}
        for f in ag.label_figures(document.text, marks, [label.pk for label in labels])
    ]
    context = {
        "document": document,
        "project": project,
        "membership": membership,
        "editors": ag.editors_of(marks),
        "figures": figures,
        "groups": groups,
        "token_count": len(ag.tokens(document.text)),
    }
    return render(request, "annotator/document_agreement.html", context)
