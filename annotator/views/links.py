"""Links between marks on the document page's panel (make, search targets, edit, delete, review), and the link types
page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from .. import document_page as page
from .. import links as linklib
from .. import reads, services
from .. import text as textlib
from ..forms import LinkForm, LinkNoteForm, LinkTypeChangeForm, LinkTypeForm, ReviewForm, VersionForm
from ..models import Annotation, Link, LinkType, Source
from ..permissions import annotation_for, can_review, deleted_mark_of_member, link_for, project_for
from ..services import links as link_services

TARGET_LIMIT = 15


def _open_mark(request, fallback: Annotation, project_id: int) -> Annotation:
    """The mark whose panel sent the request (hidden `open`), if it is of the same project; else the fallback."""
    try:
        pk = int(request.POST.get("open") or request.GET.get("open") or 0)
    except ValueError:
        pk = 0
    if pk and pk != fallback.pk:
        found = Annotation.objects.with_context().filter(pk=pk, span__document__project_id=project_id).first()
        if found is not None:
            return found
    return fallback


def _panel_answer(request, open_annotation, membership, *, error=None, status=200, link_form=None, event=""):
    """The open mark's panel (with the error), and on success what changed on its page."""
    current = Annotation.objects.with_context().filter(pk=open_annotation.pk).first()
    if current is None:
        return page.answer_error(request, error or "This mark was deleted meanwhile.", status if error else 409)
    panel = page.panel_context(request.user, current, membership, error=error, link_form=link_form)
    if error is not None:
        return page.answer_panel(request, panel, status)
    return page.answer_changes(request, current.span.document, "annotator/annotation_saved.html", panel, event=event)


# The open mark's links ---------------------------------------------------------------------------


@login_required
@require_GET
def mark_links(request, annotation_id):
    """The panel's links section alone: open pages fetch it again when the poll brings changes."""
    if deleted_mark_of_member(request.user, annotation_id):
        # Its author deleted the mark while it was open here: say so where the links were.
        return render(request, "annotator/mark_links.html#links-gone", {"annotation_id": annotation_id})
    annotation, membership = annotation_for(request.user, annotation_id)
    context = {"annotation": annotation, **page.links_context(annotation, membership)}
    return render(request, "annotator/mark_links.html", context)


@login_required
@require_GET
def link_targets(request, annotation_id):
    """Marks of the project to link to: by text (any document), or the one clicked (`mark`)."""
    annotation, _ = annotation_for(request.user, annotation_id)
    clicked = request.GET.get("mark", "")
    asked = request.GET.get("q", "")
    if clicked.isdecimal():
        mark_id = textlib.row_id(clicked)
        found = reads.link_targets(annotation, mark_id=mark_id) if mark_id else []
    else:
        found = reads.link_targets(annotation, words=asked, limit=TARGET_LIMIT)
    q = textlib.search_terms(asked)
    context = {
        "annotation": annotation,
        "found": found,
        "q": q,
        "clicked": bool(clicked),
        "searched": bool(q or clicked),
        "asked": request.GET.get("q", ""),  # the words as typed: the page knows whether these results are for them
    }
    return render(request, "annotator/mark_links.html#link-targets", context)


def _resolve(form, annotation, project_id):
    """The service's arguments from the form, or the message to show. Ids outside the project are 'not found'."""
    parsed = linklib.parse_type_choice(form.cleaned_data["type"])
    link_type = parsed and LinkType.objects.filter(pk=parsed[0], project_id=project_id).first()
    if not link_type:
        return None, "That link type is not one of this project's."
    reverse = parsed[1]
    target = None
    if form.cleaned_data["to_annotation"]:
        target = (
            Annotation.objects.with_document()
            .select_related("label")
            .filter(pk=form.cleaned_data["to_annotation"], span__document__project_id=project_id)
            .first()
        )
        if target is None:
            return None, "That mark was not found in this project (deleted meanwhile?)."
    source = None
    if form.cleaned_data["to_source"] and not reverse:
        source = (
            Source.objects.filter(pk=form.cleaned_data["to_source"], project_id=project_id)
            .only("pk", "title", "project_id")
            .first()
        )
        if source is None:
            return None, "That source was not found in this project."
    speaker = "" if reverse else form.cleaned_data["speaker"]
    if target is not None and (source is not None or speaker.strip()):
        # The mark picked wins over leftovers of the person fields.
        source, speaker = None, ""
    if reverse:
        if target is None:
            return None, "Pick the mark to link from: click it in the text or the list, or search for it."
        return {"from_annotation": target, "type": link_type, "to_annotation": annotation}, None
    if target is None and source is None and not speaker.strip():
        return None, "Pick a mark to link to: click it in the text or the list, or search for it."
    return {
        "from_annotation": annotation,
        "type": link_type,
        "to_annotation": target,
        "to_source": source,
        "speaker": speaker,
    }, None


@login_required
@require_POST
def link_create(request, annotation_id):
    annotation, membership = annotation_for(request.user, annotation_id)
    project_id = annotation.span.document.project_id
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _panel_answer(
            request,
            annotation,
            membership,
            error=f"The link was not saved: {form.message()}",
            status=422,
            link_form=form,
        )
    arguments, problem = _resolve(form, annotation, project_id)
    if problem:
        return _panel_answer(
            request, annotation, membership, error=f"The link was not saved: {problem}", status=422, link_form=form
        )
    try:
        link_services.create_link(user=request.user, note=form.cleaned_data["note"], **arguments)
    except services.ActionRefused as exc:
        return _panel_answer(
            request,
            annotation,
            membership,
            error=f"The link was not saved: {exc.message}",
            status=exc.status,
            link_form=form,
        )
    if not request.htmx:
        return redirect("annotation_detail", annotation_id=annotation.pk)
    return _panel_answer(request, annotation, membership, event="link-saved")


def _link_for(user, link_id):
    """The link, its first mark and the user's membership; 404 for a link of a project the user is not in."""
    link, membership = link_for(user, link_id)
    return link, link.from_annotation, membership


def _link_write(request, link_id, write, event):
    link, from_mark, membership = _link_for(request.user, link_id)
    open_annotation = _open_mark(request, from_mark, link.project_id)
    try:
        write(link)
    except services.ActionRefused as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("annotation_detail", annotation_id=open_annotation.pk)
        return _panel_answer(request, open_annotation, membership, error=exc.message, status=exc.status)
    if not request.htmx:
        return redirect("annotation_detail", annotation_id=open_annotation.pk)
    return _panel_answer(request, open_annotation, membership, event=event)


@login_required
@require_POST
def link_update(request, link_id):
    form = LinkNoteForm(request.POST)

    def write(link):
        if not form.is_valid():
            raise services.ActionRefused("The link was not saved: the note is too long, or the page is out of date.")
        link_services.update_link(
            user=request.user, link=link, version=form.cleaned_data["version"], note=form.cleaned_data["note"]
        )

    return _link_write(request, link_id, write, "link-saved")


@login_required
@require_POST
def link_delete(request, link_id):
    form = VersionForm(request.POST)

    def write(link):
        if not form.is_valid():
            raise services.ActionRefused("The link's version is missing; reload the page and delete it again.")
        link_services.delete_link(user=request.user, link=link, version=form.cleaned_data["version"])

    return _link_write(request, link_id, write, "link-deleted")


@login_required
@require_POST
def link_review(request, link_id):
    """Accept, reject (or reopen) a link. `origin=queue` answers with its entry in the links queue, else the open
    mark's panel."""
    form = ReviewForm(request.POST)

    def write(link):
        if not form.is_valid():
            raise services.ActionRefused(f"The review was not saved: {form.message()}")
        link_services.review_link(
            user=request.user,
            link=link,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )

    if request.POST.get("origin") == "queue":
        return _queue_review(request, link_id, write)
    return _link_write(request, link_id, write, "review-changed")


# Links to review -----------------------------------------------------------------------------------

LINK_QUEUE_LENGTH = 100
# Rows that bring both marks' documents leave out their texts: each row would hold its own copy.
_NO_TEXT = ("from_annotation__span__document__text", "to_annotation__span__document__text")
_QUEUE_RELATED = (
    "type",
    "created_by",
    "reviewed_by",
    "to_source",
    "from_annotation__span__document",
    "from_annotation__label",
    "to_annotation__span__document",
    "to_annotation__label",
)


def _queue_review(request, link_id, write):
    link, _, membership = _link_for(request.user, link_id)
    error, status = None, 200
    try:
        write(link)
    except services.ActionRefused as exc:
        error, status = exc.message, exc.status
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("link_queue", project_id=link.project_id)
    current = Link.objects.select_related(*_QUEUE_RELATED).filter(pk=link_id).first()
    if current is not None and not can_review(membership):
        current = None  # no review form for someone who may not review: the message alone
    response = render(
        request,
        "annotator/link_queue.html#link-item",
        {"link": current, "link_id": link_id, "error": error},
        status=status,
    )
    if error is None:
        trigger_client_event(response, "review-changed")
    return response


@login_required
@require_GET
def link_queue(request, project_id):
    """The project's pending links that the user may review (not their own), oldest first."""
    project, membership = project_for(request.user, project_id)
    if not can_review(membership):
        return render(
            request,
            "annotator/forbidden.html",
            {"message": "Only the project's reviewers and managers may review links."},
            status=403,
        )
    pending = (
        Link.objects.filter(project=project, status="pending")
        .exclude(created_by=request.user)
        .select_related(*_QUEUE_RELATED)
        .defer(*_NO_TEXT, "to_source__full_text")
        .order_by("created_at", "id")
    )
    context = {
        "project": project,
        "membership": membership,
        "items": list(pending[:LINK_QUEUE_LENGTH]),
        "total": pending.count(),
        "queue_length": LINK_QUEUE_LENGTH,
    }
    return render(request, "annotator/link_queue.html", context)


# Link types (managers) -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def link_types(request, project_id):
    """The project's link types; managers add, rename and reorder them."""
    project, membership = project_for(request.user, project_id)
    is_manager = membership.role == "manager"
    form = LinkTypeForm(project=project)
    status = 200
    if request.method == "POST":
        if not is_manager:
            return render(
                request,
                "annotator/forbidden.html",
                {"message": "Only the project's managers may change its link types."},
                status=403,
            )
        action = request.POST.get("action", "")
        try:
            if action in ("up", "down", "rename"):
                change = LinkTypeChangeForm(request.POST)
                if not change.is_valid():
                    raise services.ActionRefused(f"The link type was not changed: {change.message()}")
                link_type = get_object_or_404(LinkType, pk=change.cleaned_data["link_type"], project=project)
                if action == "rename":
                    link_services.rename_link_type(
                        user=request.user,
                        link_type=link_type,
                        name=change.cleaned_data["name"],
                        inverse_name=change.cleaned_data["inverse_name"],
                    )
                    messages.success(request, f"Renamed to “{link_type.name}”.")
                else:
                    link_services.move_link_type(
                        user=request.user, link_type=link_type, step=-1 if action == "up" else 1
                    )
                return redirect("link_types", project_id=project.pk)
            form = LinkTypeForm(request.POST, project=project)
            if form.is_valid():
                added = link_services.add_link_type(user=request.user, project=project, **form.cleaned_data)
                messages.success(request, f"Added the link type “{added.name}”.")
                return redirect("link_types", project_id=project.pk)
            status = 422
        except services.ActionRefused as exc:
            messages.error(request, exc.message)
            status = exc.status
    types = LinkType.objects.filter(project=project).prefetch_related("from_labels", "to_labels")
    context = {"project": project, "membership": membership, "types": types, "form": form, "is_manager": is_manager}
    return render(request, "annotator/link_types.html", context, status=status)
