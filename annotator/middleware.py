"""Our one middleware: what every response needs that no view should have to remember."""

from django.conf import settings
from django.utils.cache import patch_cache_control


def private_pages(get_response):
    """An answer to someone signed in is theirs: `Cache-Control: private`, so no shared cache (a proxy, a CDN) keeps
    it for the next person. Told by the session cookie rather than request.user, which would cost the idle poll two
    queries (it reads the session its own way). Static files never get here (WhiteNoise answers them further out)."""

    def middleware(request):
        response = get_response(request)
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_cache_control(response, private=True)
        return response

    return middleware
