"""A minimal HTTP client for the benchmarks: one editor's cookies, the login form, and htmx-style requests.

Standard library only (urllib and a cookie jar), so that what is timed is the server and not a client library.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SINCE = re.compile(r'id="since" name="since" value="(\d+)"')


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float  # from sending the request to the last byte of the answer


class Session:
    """One user's browser, as far as the server can tell: its own cookie jar."""

    def __init__(self, base_url: str, timeout: float = 120):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=headers or {})
        started = time.perf_counter()
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                content = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            content, status = error.read(), error.code
        return Answer(status, content, time.perf_counter() - started)

    def get(self, path: str, headers: dict | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def login(self, username: str, password: str) -> None:
        """Log in through the login form, with its CSRF token, as a browser does."""
        page = self.get("/accounts/login/")
        token = _CSRF_INPUT.search(page.body.decode())
        if page.status != 200 or token is None:
            raise RuntimeError(f"The login page answered {page.status} without a CSRF token.")
        answer = self.request(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
            },
        )
        if answer.status != 200 or self.cookie("sessionid") is None:
            raise RuntimeError(f"Logging in as {username} failed (status {answer.status}).")

    def htmx_post(self, path: str, data: dict) -> Answer:
        """A POST as htmx sends it from the page: HX-Request and the CSRF token in X-CSRFToken."""
        return self.request(
            "POST",
            path,
            data,
            headers={
                "HX-Request": "true",
                "X-CSRFToken": self.cookie("csrftoken") or "",
                "Referer": self.base_url + "/",
            },
        )

    def htmx_get(self, path: str) -> Answer:
        return self.request("GET", path, headers={"HX-Request": "true"})


_PASS = re.compile(r'name="pass" value="([^"]+)"')


def pass_of(body: bytes) -> str | None:
    """The poll pass a page or an htmx answer gives its poller (annotator/poll_pass.py)."""
    found = _PASS.search(body.decode("utf-8", "replace"))
    return found.group(1) if found else None


def since_of(body: bytes) -> int | None:
    """The revision a page or an htmx answer tells the poller to ask from next."""
    found = _SINCE.search(body.decode("utf-8", "replace"))
    return int(found.group(1)) if found else None
