"""One JSON shape for every refusal the API gives: {"errors": [{"field", "code", "message"}]}."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ..services.errors import ActionRefused, Conflict, Forbidden
from ..text import SpanError


def error(message: str, code: str, field: str | None = None) -> dict:
    return {"field": field, "code": code, "message": str(message)}


def flattened(detail, field: str | None = None) -> list[dict]:
    """A DRF error detail (nested dicts and lists of ErrorDetail) as a flat list of errors, each naming its field
    as a path ("marks.3.start")."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "detail") else str(key)
            found += flattened(value, f"{field}.{name}" if field and name else (name or field))
        return found
    if isinstance(detail, list):
        found = []
        nested = any(isinstance(item, dict | list) for item in detail)
        for index, item in enumerate(detail):
            if nested:
                found += flattened(item, f"{field}.{index}" if field else str(index))
            else:
                found += flattened(item, field)
        return found
    return [error(str(detail), getattr(detail, "code", "invalid"), field)]


REFUSAL_CODES = {Forbidden: "forbidden", Conflict: "conflict"}


def refusal(exc: ActionRefused) -> Response:
    """A service's refusal, with its message and status."""
    code = REFUSAL_CODES.get(type(exc), "refused")
    return Response({"errors": [error(exc.message, code)]}, status=exc.status)


def api_exception_handler(exc, context):
    """DRF's handler (404 for Http404, 403 for PermissionDenied, 429 with Retry-After), its answer in our shape; a
    service's refusal with its status and message."""
    if isinstance(exc, ActionRefused):
        return refusal(exc)
    if isinstance(exc, SpanError):
        return Response({"errors": [error(str(exc), "invalid_offset")]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": flattened(exc.detail)}
    else:
        full = exc.get_full_details()
        response.data = {"errors": [error(full["message"], full["code"])]}
    return response
