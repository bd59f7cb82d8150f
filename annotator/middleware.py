"""Our one middleware: what every response needs that no view should have to remember."""
from django.utils.cache import patch_cache_control


def private_pages(get_response):
    """A page for a signed-in user is theirs: `Cache-Control: private`, so no shared cache (a proxy, a CDN) keeps
    it for the next person. Static files never get here (WhiteNoise answers them further out)."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response

    return middleware
