"""Real gunicorn servers for the scale-out, fault and stack tests, and a browser-less visitor to talk to them.

Each server is a gunicorn of its own (its own master and workers, its own process group), started with
production settings (DEBUG off) on plain HTTP, like `make stack`. They share nothing but the database.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import gunicorn

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
# gunicorn 25.1+ opens a control socket at one path per user; test servers need none (and must not share it).
NO_CONTROL_SOCKET = ["--no-control-socket"] if gunicorn.version_info >= (25, 1) else []
SERVER_KEY = "scale-out-tests-only-" + "k" * 40  # shared by every server, as a real deployment's key is


def database_url(settings_dict: dict) -> str:
    """The URL of the database a Django connection uses (in tests: pytest-django's test database)."""
    user, password, name = (
        urllib.parse.quote(str(settings_dict[k] or ""), safe="") for k in ("USER", "PASSWORD", "NAME")
    )
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{name}"


def production_env(*, database_url: str, static_root: Path, **extra: str) -> dict[str, str]:
    """The environment of a server: DEBUG off, plain HTTP on 127.0.0.1 (make stack's switches)."""
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never has it.
    dropped = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY"}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        DEBUG="false",
        SECRET_KEY=SERVER_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        STATIC_ROOT=str(static_root),
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
    )
    env.update(extra)
    return env


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )


class Server:
    """One gunicorn (config.wsgi) on a free port of 127.0.0.1, in a process group of its own."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 1, threads: int = 1):
        self.env, self.log, self.workers, self.threads = env, log, workers, threads
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 60) -> Server:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "config.wsgi",
                    "--bind",
                    "127.0.0.1:0",
                    "--workers",
                    str(self.workers),
                    "--threads",
                    str(self.threads),
                    "--graceful-timeout",
                    "5",
                    "--log-level",
                    "info",
                    *NO_CONTROL_SOCKET,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        # Port 0: the kernel picks a free port; gunicorn says which (no race with other servers).
        deadline = time.monotonic() + timeout
        while not self.url:
            found = re.findall(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log.read_text(errors="replace"))
            if found:
                self.url = found[-1]
            elif self.process.poll() is not None or time.monotonic() > deadline:
                self._give_up("gunicorn did not start")
            else:
                time.sleep(0.05)
        while True:
            try:
                if Visitor().get(self.url, "/accounts/login/")[0] == 200:
                    return self
            except OSError:
                pass  # not answering yet: ask again until it does, dies or the deadline passes
            if self.process.poll() is not None or time.monotonic() > deadline:
                self._give_up("gunicorn does not answer")
            time.sleep(0.1)

    def _give_up(self, what: str):
        if self.process.poll() is None:
            self.kill()
        raise RuntimeError(f"{what}:\n{self.log.read_text(errors='replace')[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: a crash, mid-request, with no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is in flight by now
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


class Visitor:
    """A user without a browser: keeps its cookies (across servers, as a browser does across ports), sends the
    CSRF token with every POST. Each request is a fresh connection; a dead server raises OSError."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(
        self,
        base_url: str,
        method: str,
        path: str,
        data: dict | None = None,
        headers: dict | None = None,
        timeout: float = 30,
    ) -> tuple[int, http.client.HTTPMessage, str]:
        url = urllib.parse.urlsplit(base_url)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        try:
            sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
            body = None
            if method == "POST":
                body = urllib.parse.urlencode(data or {})
                sent.update(
                    {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-CSRFToken": self.cookies.get("csrftoken", ""),
                    }
                )
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, text

    def get(self, base_url: str, path: str, **kwargs):
        return self.request(base_url, "GET", path, **kwargs)

    def post(self, base_url: str, path: str, data: dict, **kwargs):
        return self.request(base_url, "POST", path, data, **kwargs)

    def log_in(self, base_url: str, username: str, password: str) -> int:
        """Log in through the login form; 302 when it worked."""
        self.get(base_url, "/accounts/login/")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.post(base_url, "/accounts/login/", form)[0]
