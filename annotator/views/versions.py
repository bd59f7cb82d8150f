"""Versions of a document: add one, read the report of how marks were carried, read old versions, diff them."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import anchoring, reads
from .. import document_page as page
from ..forms import NewVersionForm, ReattachForm
from ..models import DocumentVersion, Original, Placement, Role
from ..permissions import annotation_for, document_for
from ..services import ActionRefused, versions


def _versions_of(document):
    """Every version, the current one included even before a DocumentVersion row exists for it."""
    rows = list(DocumentVersion.objects.filter(document=document).select_related("created_by"))
    if not rows:
        rows = [
            SimpleNamespace(
                number=1, note="First version", created_by=document.created_by, created_at=document.created_at
            )
        ]
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def document_versions(request, document_id):
    document, membership = document_for(request.user, document_id)
    is_manager = membership.role == Role.MANAGER
    form = NewVersionForm(request.POST or None, request.FILES or None) if is_manager else None
    status = 200
    if request.method == "POST":
        if not is_manager:
            return render(
                request,
                "annotator/forbidden.html",
                {"message": "Only the project's managers may add versions."},
                status=403,
            )
        if form.is_valid():
            try:
                version = versions.add_version(
                    user=request.user,
                    document=document,
                    text=form.cleaned_data["content"],
                    note=form.cleaned_data["note"],
                )
            except ActionRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"Version {version.number} is now current. Here is how the marks were carried."
                )
                return redirect("version_report", document_id=document.pk, number=version.number)
        status = 422
    originals = {
        row["version__number"]: row
        for row in Original.objects.filter(version__document=document).values(
            "version__number", "name", "url", "media_type", "size", "sha256", "fetched_at"
        )
    }
    rows = _versions_of(document)
    for row in rows:
        row.original_file = originals.get(row.number)
    context = {
        "document": document,
        "project": document.project,
        "versions": rows,
        "form": form,
        "fetched": is_manager and any(row["url"] for row in originals.values()),
    }
    return render(request, "annotator/document_versions.html", context, status=status)


@login_required
@require_GET
def version_report(request, document_id, number):
    document, membership = document_for(request.user, document_id)
    version = get_object_or_404(DocumentVersion, document=document, number=number)
    placements = list(
        Placement.objects.filter(version=version).select_related("annotation__label", "annotation__created_by")
    )
    counts = {value: 0 for value, _ in Placement._meta.get_field("status").choices}
    for p in placements:
        counts[p.status] += 1
    placements.sort(key=lambda p: (not p.flagged, p.old_start))
    context = {
        "document": document,
        "project": document.project,
        "version": version,
        "placements": placements,
        "counts": [
            (label, counts[value]) for value, label in Placement._meta.get_field("status").choices if value != "made"
        ],
        "flagged": sum(1 for p in placements if p.flagged),
    }
    return render(request, "annotator/version_report.html", context)


@login_required
@require_GET
def version_detail(request, document_id, number):
    """An earlier version's text with its marks where they were when the next version came."""
    document, membership = document_for(request.user, document_id)
    if number == document.version:
        return redirect("document_detail", document_id=document.pk)
    version = get_object_or_404(DocumentVersion, document=document, number=number)
    if not DocumentVersion.objects.filter(document=document, number=number + 1).exists():
        raise Http404
    marks = reads.marks_of_version(version)
    context = {
        "document": document,
        "project": document.project,
        "version": version,
        "text": page.whole_text_html(version.text, marks),
        "mark_count": len(marks),
    }
    return render(request, "annotator/version_detail.html", context)


@login_required
@require_GET
def version_diff(request, document_id):
    document, membership = document_for(request.user, document_id)
    numbers = [v.number for v in _versions_of(document)]
    try:
        a = int(request.GET.get("from") or (document.version - 1))
        b = int(request.GET.get("to") or document.version)
    except ValueError:
        raise Http404 from None
    if a not in numbers or b not in numbers:
        raise Http404("No such versions.")
    texts = dict(DocumentVersion.objects.filter(document=document, number__in=[a, b]).values_list("number", "text"))
    if a not in texts or b not in texts:
        raise Http404("No such versions.")
    touched = []
    if b == a + 1:
        touched = list(
            Placement.objects.filter(version__document=document, version__number=b)
            .exclude(status__in=["unchanged", "shifted"])
            .select_related("annotation__label", "annotation__created_by")
        )
    context = {
        "document": document,
        "project": document.project,
        "a": a,
        "b": b,
        "numbers": numbers,
        "segments": anchoring.diff_segments(texts[a], texts[b]),
        "touched": touched,
    }
    return render(request, "annotator/version_diff.html", context)


@login_required
@require_POST
def annotation_reattach(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    form = ReattachForm(request.POST)
    if not form.is_valid():
        return page.answer_error(request, "Select the right text in the document first, then press Re-attach.", 422)
    try:
        annotation = versions.reattach_annotation(user=request.user, annotation=annotation, **form.cleaned_data)
    except ActionRefused as exc:
        return page.answer_error(request, f"Not re-attached: {exc.message}", exc.status)
    return page.answer_saved(request, annotation.pk, membership)
