"""The account's API tokens page: made (shown once), listed, revoked; nobody touches another's tokens."""

from __future__ import annotations

import re

from django.urls import reverse

from annotator.models import AccessToken
from annotator.services import tokens

from .conftest import client_for


def test_it_makes_a_token_and_shows_it_once(annotator):
    client = client_for(annotator)
    response = client.post(reverse("token_list"), {"name": "CMS import", "scope": "write", "expires_on": "2999-01-31"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = AccessToken.objects.get()
    (secret,) = re.findall(r'<textarea id="new-token"[^>]*>(ann_[^<]{20,})</textarea>', response.content.decode())
    assert tokens.digest_of(secret) == token.digest and token.scope == "write" and token.name == "CMS import"
    assert token.expires_at.date().isoformat() == "2999-01-31"
    listed = client.get(reverse("token_list")).content.decode()
    assert "CMS import" in listed and token.prefix in listed and secret not in listed


def test_it_answers_htmx_with_the_tokens_part(annotator):
    response = client_for(annotator).post(
        reverse("token_list"), {"name": "x", "scope": "read"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="tokens">')


def test_it_refuses_a_token_without_a_name_or_with_a_past_expiry(annotator):
    client = client_for(annotator)
    assert client.post(reverse("token_list"), {"name": "", "scope": "read"}).status_code == 422
    past = client.post(reverse("token_list"), {"name": "old", "scope": "read", "expires_on": "2000-01-01"})
    assert past.status_code == 422 and "expiry date has passed" in past.content.decode()
    assert not AccessToken.objects.exists()


def test_the_owner_revokes_a_token_and_nobody_else_can(annotator, annotator2):
    made = tokens.create_token(user=annotator, name="desk", scope="read")
    url = reverse("token_revoke", args=[made.token.pk])
    assert client_for(annotator2).post(url).status_code == 404
    assert AccessToken.objects.get().revoked_at is None
    assert client_for(annotator).post(url).status_code == 200
    assert AccessToken.objects.get().revoked_at is not None
    assert tokens.token_in_use(made.secret) is None


def test_a_user_sees_only_their_own_tokens(annotator, annotator2):
    tokens.create_token(user=annotator2, name="theirs", scope="read")
    assert "theirs" not in client_for(annotator).get(reverse("token_list")).content.decode()
