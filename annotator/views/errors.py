"""Answers to requests refused before any view could read them: too large, too many fields, malformed."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

from ..api.errors import error


def bad_request(request, exception=None):
    """Django's 400 handler: say what was wrong, and that nothing was saved. On an htmx request the message goes to
    the top of the page (the fragment the request aimed at is left as it was)."""
    if isinstance(exception, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        message, status = f"Refused: the request is larger than the limit of {limit}. Nothing was saved.", 413
        code = "too_large"
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        message, status, code = "Refused: the request has too many fields. Nothing was saved.", 400, "too_many_fields"
    else:
        message, status, code = "Refused: the request is malformed. Nothing was saved.", 400, "malformed"
    if request.path_info.startswith("/api/"):  # config/urls.py: the API answers in its one JSON error shape
        return JsonResponse({"errors": [error(message, code)]}, status=status)
    if getattr(request, "htmx", False):
        response = render(request, "annotator/request_refused.html#message", {"message": message}, status=status)
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "afterbegin"
        return response
    return render(request, "annotator/request_refused.html", {"message": message}, status=status)
