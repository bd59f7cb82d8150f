"""Template context every page gets."""

from django.conf import settings


def annotator(request):
    return {"poll_ms": settings.ANNOTATOR_POLL_MS}
