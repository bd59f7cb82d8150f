"""The account's personal access tokens for the API: made (shown once), listed and revoked by their owner."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms import AccessTokenForm
from ..models import AccessToken
from ..services import tokens


def _page(request, form, *, made=None, status=200):
    context = {"form": form, "made": made, "tokens": AccessToken.objects.filter(user=request.user)}
    template = "annotator/token_list.html#tokens" if request.htmx else "annotator/token_list.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache  # the answer that shows a new token's secret is kept by no cache, the browser's own included
def token_list(request):
    """The user's tokens; a POST makes one, whose secret this answer alone shows."""
    if request.method == "GET":
        return _page(request, AccessTokenForm())
    form = AccessTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    expires_on = form.cleaned_data["expires_on"]
    expires_at = datetime.datetime.combine(expires_on, datetime.time.max, tzinfo=datetime.UTC) if expires_on else None
    try:
        made = tokens.create_token(
            user=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"], expires_at=expires_at
        )
    except services.ActionRefused as exc:
        form.add_error(None, exc.message)
        return _page(request, form, status=exc.status)
    return _page(request, AccessTokenForm(), made=made)


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(AccessToken, pk=token_id, user=request.user)
    tokens.revoke_token(user=request.user, token=token)
    return _page(request, AccessTokenForm())
