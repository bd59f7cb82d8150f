"""The client's address when our own reverse proxy stands in front of the app (BEHIND_PROXY=true)."""


def client_ip(request) -> str | None:
    """The address that connected to our proxy: the last entry of X-Forwarded-For, the one the proxy appended.

    Earlier entries are whatever the client sent and prove nothing; without the header, REMOTE_ADDR.
    django-axes counts failed logins per username and this address.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    return forwarded or request.META.get("REMOTE_ADDR")
