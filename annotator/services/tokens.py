"""Personal access tokens for the API: made (shown once, kept as a SHA-256), revoked, and checked on each request."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ..models import AccessToken, TokenScope
from .errors import ActionRefused

# Tokens are told apart from other secrets (a scanner in a repository finds them by it).
TOKEN_PREFIX = "ann_"
# Recording each use would make every API request a write; once a minute says enough of when it was last used.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is the only copy of the token, to be shown once."""

    token: AccessToken
    secret: str


def create_token(*, user, name: str, scope: str, expires_at: datetime.datetime | None = None) -> NewToken:
    """Make a token for the user (any signed-in user, for themself). 256 random bits; only its SHA-256 is kept."""
    name = name.strip()
    if not name:
        raise ActionRefused("Give the token a name: what it is for.")
    if scope not in TokenScope.values:
        raise ActionRefused(f"A token's scope is “read” or “write”, not “{scope}”.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ActionRefused("The expiry date has passed: choose a later one, or none.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=user,
        name=name[:100],
        digest=digest_of(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        scope=scope,
        expires_at=expires_at,
    )
    return NewToken(token, secret)


@transaction.atomic
def revoke_token(*, user, token: AccessToken) -> AccessToken:
    """Revoke a token, the user's own or (staff allowed to change tokens, in the admin) anyone's: it authenticates
    nothing from now on. Revoking twice changes nothing."""
    token = AccessToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != user.pk and not user.has_perm("annotator.change_accesstoken"):
        raise ActionRefused("This token is not yours.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_in_use(secret: str) -> AccessToken | None:
    """The usable token (with its user) whose secret this is, or None; its last use recorded (at most once a
    minute)."""
    now = timezone.now()
    token = AccessToken.objects.usable(now).select_related("user").filter(digest=digest_of(secret)).first()
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
