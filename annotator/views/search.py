"""Search pages: one project's, and one across every project of the user. Thin: the read is annotator.search."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import search
from ..forms import SearchForm
from ..permissions import project_for


def _search(request, project=None, membership=None):
    form = SearchForm(request.GET or None)
    context = {
        "form": form,
        "project": project,
        "membership": membership,
        "results": None,
        "error": "",
        # The facets chosen stay chosen when the words change.
        "hidden": [(name, request.GET[name]) for name in search.FACETS if request.GET.get(name)],
    }
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        filters = search.Filters(
            **{name: data[name] or "" for name in search.FACETS}, since=data["since"], until=data["until"]
        )
        try:
            found = search.find(
                user=request.user, text=data["q"], project=project, filters=filters, page=data["page"] or 1
            )
        except search.QueryError as exc:
            context["error"] = str(exc)
        else:
            kept = {k: v for k, v in request.GET.items() if k != "page" and v}
            context.update(results=found, facet_links=_facet_links(found, kept), page_links=_page_links(found, kept))
    elif form.is_bound and not form.is_valid():
        context["error"] = "; ".join(f"{form[name].label}: {e}" for name, errors in form.errors.items() for e in errors)
    return render(request, "annotator/search.html", context, status=422 if context["error"] else 200)


def _facet_links(found, kept: dict) -> list:
    """Each facet with its values, each with the query string that chooses it (or, chosen, drops it)."""
    out = []
    for facet in found.facets:
        values = []
        for value in facet.values:
            wanted = {**kept, facet.name: value.value}
            if value.chosen:
                wanted.pop(facet.name)
            values.append((value, "?" + urlencode(wanted)))
        out.append((facet, values))
    return out


def _page_links(found, kept: dict) -> dict:
    def link(number):
        return "?" + urlencode({**kept, "page": number})

    return {
        "previous": link(found.page - 1) if found.page > 1 else "",
        "next": link(found.page + 1) if found.page < found.pages else "",
    }


@login_required
@require_GET
def search_all(request):
    """Search every project the user is a member of."""
    return _search(request)


@login_required
@require_GET
def project_search(request, project_id):
    """Search one project (its members only: 404 for anyone else)."""
    project, membership = project_for(request.user, project_id)
    return _search(request, project, membership)
