"""Who is asking the API: a personal access token (`Authorization: Bearer <token>`) or the browser's session, what
the token may do, and how often it may ask."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from ..models import AccessToken, TokenScope
from ..services.tokens import token_in_use


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` with a personal access token; `request.auth` is the AccessToken."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as “Authorization: Bearer <token>”, one word.")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("This token is not one of ours.") from None
        token = token_in_use(secret)
        if token is None:
            raise exceptions.AuthenticationFailed("This token is unknown, expired or revoked.")
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenAllows(permissions.BasePermission):
    """A token with the scope "read" reads only; session logins and "write" tokens may also write."""

    message = "This token may only read: make one with the scope “read and write” to change anything."
    code = "read_only_token"

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or not isinstance(request.auth, AccessToken):
            return True
        return request.auth.scope == TokenScope.WRITE


class PerTokenThrottle(throttling.SimpleRateThrottle):
    """ANNOTATOR_API_RATE requests per token (per user for a session), counted in the database (every process)."""

    scope = "api"

    def __init__(self):
        self.cache = caches["api-throttle"]
        super().__init__()

    def get_rate(self):
        return settings.ANNOTATOR_API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, AccessToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """The schema's word on BearerTokenAuthentication."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal access token (your account page)."}
