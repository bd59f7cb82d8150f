"""The bibliography pages, citations on a mark, CSL-JSON / BibTeX import and export, and quotation suggestions."""

from __future__ import annotations

import json
from bisect import bisect_right

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import bibliography, quotes, reads
from .. import document_page as page
from .. import text as textlib
from ..forms import CitationForm, QuickSourceForm, SourceForm, SourceImportForm, SuggestionForm
from ..models import Citation, DismissedSuggestion, Source
from ..permissions import annotation_for, can_edit_sources, citation_for, document_for, project_for, source_for
from ..services import ActionRefused, sources

PICKER_LIMIT = 15


def _forbidden(request, message):
    return render(request, "annotator/forbidden.html", {"message": message}, status=403)


# The bibliography ----------------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def source_list(request, project_id):
    project, membership = project_for(request.user, project_id)
    q = request.GET.get("q", "")
    found = reads.search_sources(Source.objects.filter(project=project), q).annotate(citation_count=Count("citations"))
    context = {
        "project": project,
        "membership": membership,
        "q": q,
        "sources": found.defer("full_text"),
        "can_edit": can_edit_sources(membership),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "annotator/source_list.html#results", context)
    return render(request, "annotator/source_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def source_create(request, project_id):
    project, membership = project_for(request.user, project_id)
    if not can_edit_sources(membership):
        return _forbidden(request, "Only annotators and managers create and edit sources.")
    form = SourceForm(request.POST or None, request.FILES or None, initial={"type": "book"})
    if request.method == "POST" and form.is_valid():
        try:
            source = sources.create_source(user=request.user, project=project, **form.source_fields())
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Added “{textlib.isolated(source.title)}”.")
            return redirect("source_detail", source_id=source.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "annotator/source_form.html", {"project": project, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def source_update(request, source_id):
    source, membership = source_for(request.user, source_id)
    if not can_edit_sources(membership):
        return _forbidden(request, "Only annotators and managers create and edit sources.")
    form = SourceForm(request.POST or None, request.FILES or None, initial=SourceForm.initial_for(source))
    if request.method == "POST" and form.is_valid():
        try:
            source = sources.update_source(user=request.user, source=source, **form.source_fields())
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Saved “{textlib.isolated(source.title)}”.")
            return redirect("source_detail", source_id=source.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "annotator/source_form.html",
        {"project": source.project, "source": source, "form": form},
        status=status,
    )


@login_required
@require_GET
def source_detail(request, source_id):
    source, membership = source_for(request.user, source_id)
    citations = (
        Citation.objects.filter(source=source)
        .with_context()
        .order_by("annotation__span__document__title", "annotation__span__start", "id")
    )
    return render(
        request,
        "annotator/source_detail.html",
        {
            "project": source.project,
            "source": source,
            "citations": citations,
            "authors": bibliography.names_text(source.authors),
            "can_edit": can_edit_sources(membership),
            "contributors": bibliography.contributors_text(source.contributors),
            "other_fields": bibliography.other_fields_text(source.other_fields),
        },
    )


@login_required
@require_GET
def source_export(request, project_id):
    """The project's bibliography as CSL-JSON, the format reference managers exchange."""
    project, _ = project_for(request.user, project_id)
    items = reads.csl_items(Source.objects.filter(project=project))
    response = HttpResponse(
        json.dumps(items, ensure_ascii=False, indent=2) + "\n",
        content_type="application/vnd.citationstyles.csl+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(project.name) or "project"}-sources.json"'
    return response


# A message per entry, up to this many of each kind; the rest are counted.
REPORT_LINES = 20


def _report_messages(request, report) -> None:
    for items, level, what in (
        (report.skipped, messages.INFO, "Skipped"),
        (report.notes, messages.INFO, "Imported with a change"),
        (report.refused, messages.WARNING, "Not imported"),
    ):
        for label, reason in items[:REPORT_LINES]:
            messages.add_message(request, level, f"{what}: {textlib.isolated(label)}: {reason}")
        if len(items) > REPORT_LINES:
            messages.add_message(request, level, f"{what}: {len(items) - REPORT_LINES:,} more entries.")


@login_required
@require_http_methods(["GET", "POST"])
def source_import(request, project_id):
    project, membership = project_for(request.user, project_id)
    if not can_edit_sources(membership):
        return _forbidden(request, "Only annotators and managers create and edit sources.")
    form = SourceImportForm(request.POST or None, request.FILES or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            report = sources.import_sources(
                user=request.user,
                project=project,
                entries=form.cleaned_data["file"],
                partial=form.cleaned_data["partial"],
            )
        except sources.SourceImportRefused as exc:
            form.add_error("file", exc.message)
            refused = exc.report
        except ActionRefused as exc:
            form.add_error("file", f"Nothing was imported. {exc.message}")
        else:
            n = len(report.created)
            messages.success(request, f"Imported {n:,} source{'s' if n != 1 else ''}.")
            _report_messages(request, report)
            return redirect("source_list", project_id=project.pk)
    status = 422 if request.method == "POST" else 200
    context = {"project": project, "form": form, "report": refused}
    return render(request, "annotator/source_import.html", context, status=status)


# Citations on a mark ---------------------------------------------------------------------------------


@login_required
@require_GET
def source_picker(request, annotation_id):
    """Search-as-you-type results for the mark's citation form."""
    annotation, _ = annotation_for(request.user, annotation_id)
    project_id = annotation.span.document.project_id
    q = request.GET.get("q", "")
    found = reads.search_sources(Source.objects.filter(project_id=project_id), q).defer("full_text")[:PICKER_LIMIT]
    return render(
        request, "annotator/mark_sources.html#picker-results", {"annotation": annotation, "found": found, "q": q}
    )


def _panel_error(request, annotation, membership, message, status, new_source_form=None):
    context = page.panel_context(request.user, annotation, membership, error=message, new_source_form=new_source_form)
    return page.answer_panel(request, context, status)


def _panel_saved(request, annotation, membership):
    return page.answer_saved(request, annotation.pk, membership, event="citation-changed")


@login_required
@require_POST
def citation_create(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    form = CitationForm(request.POST, project=annotation.span.document.project)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _panel_error(request, annotation, membership, f"The citation was not saved: {message}", 422)
    try:
        sources.cite_source(user=request.user, annotation=annotation, **form.cleaned_data)
    except ActionRefused as exc:
        return _panel_error(request, annotation, membership, f"The citation was not saved: {exc.message}", exc.status)
    return _panel_saved(request, annotation, membership)


@login_required
@require_POST
def citation_create_new(request, annotation_id):
    """Create a source from the mark's panel and cite it, without leaving the document."""
    annotation, membership = annotation_for(request.user, annotation_id)
    form = QuickSourceForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _panel_error(request, annotation, membership, f"The source was not saved: {message}", 422, form)
    try:
        sources.cite_new_source(
            user=request.user,
            annotation=annotation,
            locator=form.cleaned_data["locator"],
            note=form.cleaned_data["note"],
            **form.source_fields(),
        )
    except ActionRefused as exc:
        return _panel_error(
            request, annotation, membership, f"The source was not saved: {exc.message}", exc.status, form
        )
    return _panel_saved(request, annotation, membership)


@login_required
@require_POST
def citation_delete(request, citation_id):
    citation, membership = citation_for(request.user, citation_id)
    annotation = citation.annotation
    try:
        sources.remove_citation(user=request.user, citation=citation)
    except ActionRefused as exc:
        return _panel_error(request, annotation, membership, exc.message, exc.status)
    return _panel_saved(request, annotation, membership)


# Quotation suggestions ----------------------------------------------------------------------------------


def _source_block(bounds_by_doc: dict, suggestion) -> int:
    document = suggestion.source_document
    if document.pk not in bounds_by_doc:
        bounds_by_doc[document.pk] = [s for s, _ in textlib.split_blocks(document.text)]
    return bisect_right(bounds_by_doc[document.pk], suggestion.source_start) - 1


@login_required
@require_GET
def suggestion_list(request, document_id):
    document, membership = document_for(request.user, document_id)
    suggestions = sources.quotation_suggestions(document)
    bounds: dict = {}
    for suggestion in suggestions:
        suggestion.source_block = _source_block(bounds, suggestion)
    return render(
        request,
        "annotator/suggestions.html",
        {
            "document": document,
            "project": document.project,
            "membership": membership,
            "suggestions": suggestions,
            "min_words": quotes.MIN_REPEAT_WORDS,
            "dismissed": document.dismissed_suggestions.select_related("dismissed_by"),
        },
    )


def _on_suggestion(request, document_id, *, act, verb: str, done: str, result: str):
    """Accept or dismiss a suggested passage named by its offsets: the service `act` does it; the answer is the
    passage's entry on the suggestions page (htmx) or the page again with `done` said."""
    document, membership = document_for(request.user, document_id)
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        context = {
            "document": document,
            "error": f"The suggestion was not {verb}: its offsets are missing or not numbers.",
        }
        return render(request, "annotator/suggestions.html#accepted", context, status=422)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    try:
        made = act(user=request.user, document=document, start=start, end=end)
    except ActionRefused as exc:
        context = {"document": document, "start": start, "end": end, "error": exc.message}
        return render(request, "annotator/suggestions.html#accepted", context, status=exc.status)
    if not request.htmx:
        messages.success(request, done)
        return redirect("suggestion_list", document_id=document.pk)
    context = {"document": document, "start": start, "end": end, result: made}
    return render(request, "annotator/suggestions.html#accepted", context)


@login_required
@require_POST
def suggestion_accept(request, document_id):
    """One click: the suggested passage becomes the user's quotation mark."""
    return _on_suggestion(
        request,
        document_id,
        act=sources.accept_suggestion,
        verb="accepted",
        done="Marked as a quotation.",
        result="annotation",
    )


@login_required
@require_POST
def suggestion_dismiss(request, document_id):
    """Dismiss a suggested passage: it is not suggested again for this document until brought back."""
    return _on_suggestion(
        request,
        document_id,
        act=sources.dismiss_suggestion,
        verb="dismissed",
        done="Dismissed: it is listed under Dismissed suggestions, where it can be brought back.",
        result="dismissal",
    )


@login_required
@require_POST
def suggestion_restore(request, document_id):
    """Bring a dismissed suggestion back."""
    document, membership = document_for(request.user, document_id, text=False)
    dismissal = get_object_or_404(
        DismissedSuggestion, pk=textlib.row_id(request.POST.get("dismissal")) or 0, document=document
    )
    sources.restore_suggestion(user=request.user, dismissal=dismissal)
    messages.success(request, "Suggested again.")
    return redirect("suggestion_list", document_id=document.pk)
