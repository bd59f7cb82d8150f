"""The document page and its marks: render, poll for changes, create, edit, delete."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers

from .. import history, poll_pass, rendering, services
from ..forms import AnnotationCreateForm, AnnotationUpdateForm, MarkFilterForm, VersionForm
from ..models import Annotation
from ..permissions import annotation_for, can_review, deleted_mark_of_member, document_for
from ..text import row_id


def _since(request) -> int:
    try:
        return max(0, int(request.GET.get("since") or request.POST.get("since") or 0))
    except ValueError:
        return 0


def _after(request) -> tuple[int, int, int] | None:
    """The list entry a "more marks" request continues after: "start.end.id"."""
    try:
        start, end, pk = (int(n) for n in request.GET.get("after", "").split("."))
    except ValueError:
        return None
    return start, end, pk


def _filters(request, project):
    form = MarkFilterForm(request.GET or request.POST or None, project=project, authors=rendering.project_authors(project))
    return form, form.filters()


def _chosen_filters(request, project) -> dict:
    """The list's filters alone (no form to draw): none chosen, the common case, costs no form at all."""
    data = request.GET or request.POST
    if not any(data.get(name) for name in MarkFilterForm.base_fields):
        return {}
    return _filters(request, project)[1]


def _list_context(document, form, filters, after=None):
    """The side panel's list: a page of entries, the counts, the orphans. Four queries."""
    listed, next_key = rendering.list_page(document, filters, after)
    listed_count, total = rendering.list_counts(document, filters)
    return {
        "filter_form": form,
        "listed": listed,
        "next_after": ".".join(map(str, next_key)) if next_key else "",
        "listed_count": listed_count,
        "mark_total": total,
        "orphans": list(rendering.orphans_of(document)),
    }


def _text_context(document):
    """The text: its first part drawn with its marks, the others plain until they near the viewport."""
    layout = rendering.layout_of(document)
    return {
        "part_number": 0,
        "blocks": rendering.render_part(document, layout, 0),
        "later_parts": rendering.plain_parts(document, layout, range(1, len(layout.parts))),
    }


def _document_context(request, document, membership, open_annotation=None):
    form, filters = _filters(request, document.project)
    context = {
        "document": document,
        "project": document.project,
        "membership": membership,
        "labels": list(document.project.labels.all()),
        **_poller_context(request, document),
        "open": open_annotation,
        "can_review": can_review(membership),
        **_text_context(document),
        **_list_context(document, form, filters),
    }
    if open_annotation is not None:
        context.update(_detail_context(request, open_annotation, membership))
    return context


@login_required
@require_GET
@vary_on_headers("HX-Request")
def document_detail(request, document_id):
    document, membership = document_for(request.user, document_id, text=False)
    context = _document_context(request, document, membership)
    return render(request, "annotator/document_detail.html", context)


def _reload():
    response = HttpResponse(status=200)
    response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def document_part(request, document_id, number):
    """One part of the text with its marks, fetched when it nears the viewport."""
    document, _ = document_for(request.user, document_id, text=False)
    if request.GET.get("v") != str(document.version):
        return _reload()  # the page shows an earlier version of the text: its offsets mean nothing now
    layout = rendering.layout_of(document)
    if number >= len(layout.parts):
        raise Http404("No such part of the text.")
    context = {"part_number": number, "blocks": rendering.render_part(document, layout, number), "revision": document.revision}
    return render(request, "annotator/document_detail.html#part", context)


@login_required
@require_GET
def mark_count(request, document_id):
    """The list's count ("3 of 40 marks") and its orphans, fetched after a change: counting every mark
    is the one part of an answer to a change that grows with the document, so the change does not wait for it."""
    document, _ = document_for(request.user, document_id, text=False)
    filters = _chosen_filters(request, document.project)
    listed_count, total = rendering.list_counts(document, filters)
    context = {"document": document, "listed_count": listed_count, "mark_total": total, "orphans": list(rendering.orphans_of(document))}
    return render(request, "annotator/mark_summary.html", context)


@login_required
@require_GET
def mark_list(request, document_id):
    """The side panel's list, filtered; with `after`, only the next page of its entries."""
    document, membership = document_for(request.user, document_id, text=False)
    form, filters = _filters(request, document.project)
    after = _after(request)
    if after is not None:
        listed, next_key = rendering.list_page(document, filters, after)
        context = {"document": document, "listed": listed, "next_after": ".".join(map(str, next_key)) if next_key else ""}
        return render(request, "annotator/document_detail.html#mark-entries", context)
    context = {"document": document, **_list_context(document, form, filters)}
    return render(request, "annotator/document_detail.html#mark-list", context)


def _changes_response(request, document, membership, *, detail=None, status=200, since=None, changed=None, extra=None):
    """Redraw what changed since the page's revision: touched blocks and list entries, the counts, the revision.

    `changed`: the region this request's own write changed, which made `document.revision`; when the page was at
    the revision before, that region is all there is to redraw and the Change rows need not be read.
    `extra`: more for the template (the poll's update of the open mark).
    """
    since = _since(request) if since is None else since
    if changed is not None and since == document.revision - 1:
        revision, text_changed, regions = document.revision, False, [changed]
    else:
        revision, text_changed, regions = rendering.changes_since(document, since)
    if text_changed:
        return _reload()  # the text itself is new: offsets on the open page mean nothing any more
    context = {"project": document.project, **_poller_context(request, document, revision)}
    if regions is None:
        # Too many changes to go through one by one: the text and the list as a fresh page has them.
        form, filters = _filters(request, document.project)
        context.update(full_redraw=True, **_text_context(document), **_list_context(document, form, filters))
    else:
        filters = _chosen_filters(request, document.project)
        layout = rendering.layout_of(document)
        touched = {index for start, end in regions for index in layout.touching(start, end)}
        annotations = rendering.marks_in(document, [(layout.starts[i], layout.ends[i]) for i in touched])
        context.update(
            blocks=rendering.render_some_blocks(document, layout, touched, annotations),
            regions=" ".join(f"{start}-{end}" for start, end in regions),
            updated=[
                a for a in annotations
                if rendering.matches(a, filters) and any(a.span.start < end and start < a.span.end for start, end in regions)
            ],
        )
    if detail is not None:
        context.update(detail)
        context["with_detail"] = True
    if extra:
        context.update(extra)
    return render(request, "annotator/marks_changed.html", context, status=status)


@never_cache
def document_changes(request, document_id):
    """The live poll: 204 when the document's revision has not moved, else what changed."""
    # The idle answer is the hot path (every open page, every few seconds): with the page's pass, one query
    # (poll_pass). Anything else goes the ordinary way, through Django's login.
    if request.method == "GET" and poll_pass.unchanged(request.GET.get("pass"), document_id, _since(request)):
        return HttpResponse(status=204)
    return _document_changed(request, document_id)


@login_required
@require_GET
def _document_changed(request, document_id):
    document, membership = document_for(request.user, document_id, text=False)
    if document.revision == _since(request):
        if poll_pass.holder(request.GET.get("pass"), document.pk) == request.user.pk:
            return HttpResponse(status=204)
        # Nothing changed, but the page's pass is missing or old: a fresh one, out of band.
        return render(request, "annotator/document_detail.html#poll-pass", {**_poller_context(request, document), "oob": True})
    return _changes_response(request, document, membership, extra=_open_mark_update(request, document, membership))


def _open_mark_update(request, document, membership) -> dict:
    """The open mark's panel as it is now, when the poll names the mark its page has open (`open_mark`: "id.version")
    and that mark changed or went since: the page shows it in place of the old one, or, when the old one holds
    unsaved input, only the notice of the change (annotator.js). Asked only when the document's revision moved."""
    pk, _, version = request.GET.get("open_mark", "").partition(".")
    pk = row_id(pk)
    if pk is None or not version.isdecimal():
        return {}
    current = Annotation.objects.with_context().filter(pk=pk, span__document_id=document.pk).first()
    if current is None:  # deleted (or never a mark of this document: the same answer, so an id tells nothing)
        return {"mark_update": pk, "annotation": None, "deleted": True, "meanwhile": True}
    if str(current.version) == version:
        return {}
    return {"mark_update": pk, "meanwhile": True, **_detail_context(request, current, membership)}


def _poller_context(request, document, revision=None) -> dict:
    return {
        "document": document,
        "revision": document.revision if revision is None else revision,
        "poll_pass": poll_pass.issue(request.user.pk, document.pk),
    }


# Marks -------------------------------------------------------------------------------------------


def _detail_context(request, annotation, membership, form=None, error=None):
    project = annotation.span.document.project
    is_author = annotation.created_by_id == request.user.pk
    if form is None and is_author:
        form = AnnotationUpdateForm(
            initial={"label": annotation.label_id, "note": annotation.note, "version": annotation.version},
            project=project,
        )
    same_span = (
        Annotation.objects.filter(span_id=annotation.span_id)
        .exclude(pk=annotation.pk)
        .select_related("label", "created_by")
    )
    events = history.history_of(annotation.pk, project.pk)
    return {
        "annotation": annotation,
        "is_author": is_author,
        "can_reattach": is_author or membership.role == "manager",
        "edit_form": form,
        "error": error,
        "same_span": same_span,
        "citations": annotation.citations.select_related("source"),
        "can_review": can_review(membership),
        "history": events,
        **_latest_change(events),
        **_sources_context(request, annotation),
        **_links_context(request, annotation, membership),
    }


def _latest_change(events) -> dict:
    """Who made a mark's latest change and what it was, for the notice that it changed under an open panel."""
    if not events:
        return {}
    latest = [e for e in events if e.when == events[-1].when]
    return {"changed_by": latest[-1].who, "change_summary": "; ".join(e.what for e in latest)}


def _conflict_context(request, current, membership, **kept) -> dict:
    """The panel of a mark that changed after the editor opened it, for a save the change refused: the mark as it is
    now beside the editor's input, kept (`kept`: the edit form's label and note, or the review's note), and forms at
    the current version, so saving again replaces the saved version knowingly."""
    form = None
    if "label" in kept:
        form = AnnotationUpdateForm(
            initial={"label": kept["label"], "note": kept["note"], "version": current.version},
            project=current.span.document.project,
        )
    context = _detail_context(request, current, membership, form=form)
    return {**context, "conflict": True, "review_draft": kept.get("review_note", "")}


def _sources_context(request, annotation):
    # Imported here: the sources views build on this module's helpers.
    from .sources import mark_sources_context

    return mark_sources_context(request, annotation)


def _links_context(request, annotation, membership):
    # Imported here: the links views build on this module's helpers.
    from .links import mark_links_context

    return mark_links_context(request, annotation, membership)


def _error_fragment(request, message, status, kept_note=""):
    """The panel with only the message; `kept_note`: what the editor typed, shown so that it is not lost."""
    context = {"error": message, "kept_note": kept_note}
    return render(request, "annotator/document_detail.html#error", context, status=status)


@login_required
@require_POST
def annotation_create(request, document_id):
    document, membership = document_for(request.user, document_id, text=False)
    form = AnnotationCreateForm(request.POST, project=document.project)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _error_fragment(request, f"The mark was not saved: {message}", 422)
    try:
        annotation = services.annotate(user=request.user, document=document, membership=membership, **form.cleaned_data)
    except services.ActionRefused as exc:
        return _error_fragment(request, f"The mark was not saved: {exc.message}", exc.status)
    if not request.htmx:
        return redirect("annotation_detail", annotation_id=annotation.pk)
    # The new mark's panel shows it at once and fetches its sources, links and history in a second
    # request, so the highlight does not wait for them.
    response = _changes_response(
        request, document, membership, detail={"annotation": annotation, "brief": True},
        changed=(annotation.span.start, annotation.span.end),
    )
    response["HX-Trigger"] = "annotation-saved"
    return response


def mark_saved(request, annotation_id, document, membership, event="annotation-saved"):
    """The answer to a saved mark: the mark's page for a plain POST; for htmx its panel as it is now, with the
    blocks, list and revision redrawn, and the client event."""
    if not request.htmx:
        return redirect("annotation_detail", annotation_id=annotation_id)
    annotation, _ = annotation_for(request.user, annotation_id)
    response = _changes_response(request, document, membership, detail=_detail_context(request, annotation, membership))
    response["HX-Trigger"] = event
    return response


@login_required
@require_GET
@vary_on_headers("HX-Request")
def annotation_detail(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "annotator/document_detail.html#mark-detail", _detail_context(request, annotation, membership))
    document = annotation.span.document
    return render(request, "annotator/document_detail.html", _document_context(request, document, membership, annotation))


def gone_meanwhile(request, annotation_id, kept_note: str):
    """For a panel's save on a mark deleted since the panel was drawn: the message in place of the panel, with
    what was typed (else the 404 of an unknown id would replace it, and the typed text with it). None otherwise."""
    if request.htmx and deleted_mark_of_member(request.user, annotation_id):
        return _error_fragment(request, "This mark was deleted meanwhile; nothing was saved.", 409, kept_note=kept_note)
    return None


@login_required
@require_POST
def annotation_update(request, annotation_id):
    try:
        annotation, membership = annotation_for(request.user, annotation_id)
    except Http404:
        gone = gone_meanwhile(request, annotation_id, request.POST.get("note", ""))
        if gone is None:
            raise
        return gone
    document = annotation.span.document
    form = AnnotationUpdateForm(request.POST, project=document.project)
    if not form.is_valid():
        return render(
            request, "annotator/document_detail.html#mark-detail",
            _detail_context(request, annotation, membership, form=form), status=422,
        )
    try:
        annotation = services.update_annotation(
            user=request.user,
            annotation=annotation,
            version=form.cleaned_data["version"],
            label=form.cleaned_data["label"],
            note=form.cleaned_data["note"],
        )
    except services.ActionRefused as exc:
        current = Annotation.objects.with_context().filter(pk=annotation.pk).first()
        if current is None:
            return _error_fragment(request, exc.message, exc.status, kept_note=form.cleaned_data["note"])
        if current.version != form.cleaned_data["version"]:
            # Changed meanwhile (by a reviewer, or from another window): nothing typed is thrown away.
            context = _conflict_context(
                request, current, membership, label=form.cleaned_data["label"].pk, note=form.cleaned_data["note"]
            )
            return render(request, "annotator/document_detail.html#mark-detail", context, status=exc.status)
        return render(
            request, "annotator/document_detail.html#mark-detail",
            _detail_context(request, current, membership, error=exc.message), status=exc.status,
        )
    return mark_saved(request, annotation.pk, document, membership)


@login_required
@require_POST
def annotation_delete(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    document = annotation.span.document
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _error_fragment(request, "The mark's version is missing; reload the page and delete it again.", 422)
    try:
        services.delete_annotation(user=request.user, annotation=annotation, version=form.cleaned_data["version"])
    except services.ActionRefused as exc:
        return _error_fragment(request, exc.message, exc.status)
    if not request.htmx:
        messages.success(request, "Mark deleted.")
        return redirect("document_detail", document_id=document.pk)
    response = _changes_response(request, document, membership, detail={"annotation": None, "deleted": True})
    response["HX-Trigger"] = "annotation-deleted"
    return response
