"""Project pages, and the document page: its text in parts, its list of marks and their count, the live poll;
adding documents."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from .. import colours, poll_pass, reads, services
from .. import document_page as page
from .. import text as textlib
from ..forms import DocumentForm
from ..models import Extraction, Membership, Role, Status
from ..permissions import document_for, project_for
from ..services import ingest
from ..services.projects import may_create_projects

# Projects ----------------------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request):
    archived = request.GET.get("archived") == "1"
    memberships = (
        Membership.objects.filter(user=request.user, project__archived_at__isnull=not archived)
        .select_related("project")
        .annotate(document_count=Count("project__documents", distinct=True))
        .order_by("project__name")
    )
    context = {"memberships": memberships, "archived": archived, "may_create": may_create_projects(request.user)}
    return render(request, "annotator/project_list.html", context)


@login_required
@require_GET
def project_detail(request, project_id):
    project, membership = project_for(request.user, project_id)
    labels = list(project.labels.all())
    context = {
        "project": project,
        "membership": membership,
        "labels": labels,
        "statuses": Status.choices,
        "rows": reads.document_rows(project, labels),
        "is_manager": membership.role == Role.MANAGER,
        "extractions": _extractions_of(project) if membership.role == Role.MANAGER else [],
    }
    return render(request, "annotator/project_detail.html", context)


def _extractions_of(project) -> list:
    """Documents being made from web pages and files, and those that failed in the last day, for the managers."""
    recent = timezone.now() - datetime.timedelta(days=1)
    return list(
        Extraction.objects.filter(project=project, created_at__gte=recent)
        .exclude(state=Extraction.State.DONE)
        .defer("data")[:20]
    )


@login_required
@require_GET
def label_css(request, project_id):
    """Highlight colours and underline styles of the project's labels as classes, so no inline style is needed."""
    project, _ = project_for(request.user, project_id)
    rules = colours.label_rules((label.pk, label.colour, place) for place, label in enumerate(project.labels.all()))
    return HttpResponse(rules, content_type="text/css; charset=utf-8")


# Documents ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request, project_id):
    project, membership = project_for(request.user, project_id)
    if membership.role != Role.MANAGER:
        return render(
            request,
            "annotator/forbidden.html",
            {"message": "Only the project's managers may add documents."},
            status=403,
        )
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and (form.cleaned_data["url"] or form.cleaned_data["upload"]):
        # A web page or a PDF, HTML or Word file: extracted in the background, its progress on its own page.
        upload = form.cleaned_data["upload"]
        try:
            extraction = ingest.request_document(
                user=request.user,
                project=project,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"],
                name=upload.name if upload else "",
                data=upload.data if upload else b"",
            )
        except services.ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("extraction_detail", extraction_id=extraction.pk)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file") and request.FILES.get("file")
        try:
            document = services.add_document(
                user=request.user,
                project=project,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["content"],
                origin=upload.name if upload else "",
            )
        except services.ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Added “{textlib.isolated(document.title)}”.")
            return redirect("document_detail", document_id=document.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "annotator/document_form.html", {"project": project, "form": form}, status=status)


# The document page ---------------------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def document_detail(request, document_id):
    document, membership = document_for(request.user, document_id, text=False)
    context = page.page_context(request.user, document, membership, request.GET)
    return render(request, "annotator/document_detail.html", context)


@login_required
@require_GET
def document_part(request, document_id, number):
    """One part of the text with its marks, fetched when it nears the viewport."""
    document, _ = document_for(request.user, document_id, text=False)
    if request.GET.get("v") != str(document.version):
        return page.reload()  # the page shows an earlier version of the text: its offsets mean nothing now
    context = page.part_context(document, number)
    if context is None:
        raise Http404("No such part of the text.")
    return render(request, "annotator/document_detail.html#part", context)


@login_required
@require_GET
def mark_count(request, document_id):
    """The list's count ("3 of 40 marks") and its orphans, fetched after a change."""
    document, _ = document_for(request.user, document_id, text=False)
    return render(request, "annotator/mark_summary.html", page.count_context(document, request.GET))


def _after(request) -> tuple[int, int, int] | None:
    """The list entry a "more marks" request continues after: "start.end.id"."""
    try:
        start, end, pk = (int(n) for n in request.GET.get("after", "").split("."))
    except ValueError:
        return None
    return start, end, pk


@login_required
@require_GET
def mark_list(request, document_id):
    """The side panel's list, filtered; with `after`, only the next page of its entries."""
    document, _ = document_for(request.user, document_id, text=False)
    after = _after(request)
    if after is not None:
        context = page.more_entries_context(document, request.GET, after)
        return render(request, "annotator/document_detail.html#mark-entries", context)
    return render(request, "annotator/document_detail.html#mark-list", page.list_context(document, request.GET))


@never_cache
def document_changes(request, document_id):
    """The live poll: 204 when the document's revision has not moved, else what changed."""
    # The idle answer is the hot path (every open page, every few seconds): with the page's pass, one query
    # (poll_pass). Anything else goes the ordinary way, through Django's login.
    if request.method == "GET" and poll_pass.unchanged(request.GET.get("pass"), document_id, page.since_of(request)):
        return HttpResponse(status=204)
    return _document_changed(request, document_id)


@login_required
@require_GET
def _document_changed(request, document_id):
    document, membership = document_for(request.user, document_id, text=False)
    if document.revision == page.since_of(request):
        if poll_pass.holder(request.GET.get("pass"), document.pk) == request.user.pk:
            return HttpResponse(status=204)
        # Nothing changed, but the page's pass is missing or old: a fresh one, out of band.
        context = {**page.poller_context(request.user, document), "oob": True}
        return render(request, "annotator/document_detail.html#poll-pass", context)
    open_mark = page.open_mark_update(request.user, document, membership, request.GET.get("open_mark", ""))
    return page.answer_changes(request, document, "annotator/document_changed.html", open_mark)
