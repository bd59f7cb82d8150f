"""Settings read from the environment strictly, and the production settings pass Django's deploy checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from config.settings import env_bool, env_int, secret_key_problem

from .conftest import client_for

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "x" * 20 + "a-long-random-production-key-0123456789"


@pytest.mark.parametrize("raw,value", [("true", True), ("FALSE", False), (" True ", True), ("", True)])
def test_booleans_are_true_or_false(monkeypatch, raw, value):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is value


@pytest.mark.parametrize("raw", ["yes", "1", "on", "treu"])
def test_anything_else_is_an_error_not_a_guess(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_numbers_must_be_whole(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "5MB")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("SOME_NUMBER", 1)


def _manage(*args, **env):
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests' conftest sets it in this process; production never has it.
    dropped = ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_development_secret_key():
    result = _manage("check", DEBUG="false", ALLOWED_HOSTS="annotator.example.org")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_env_example_copied_as_it_is():
    # SECRET_KEY=change-me started the app with DEBUG=false; only `check --deploy` warned.
    env = _env_example()
    assert env["DEBUG"] == "false"
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "Set SECRET_KEY to a long random value: DEBUG is off and it holds “change”" in result.stderr


@pytest.mark.parametrize(
    "key, problem",
    [
        ("change-me", "it holds “change”"),
        ("REPLACE_WITH_A_LONG_RANDOM_STRING_" + "q" * 40, "it holds “replace”"),
        ("django-insecure-" + "abcdefghij" * 5, "made by startproject"),
        ("dev-only-insecure-key-do-not-use-in-production", "the development key"),
        ("k3Yq-9xZ_short", "shorter than 50 characters"),
        ("ab" * 40, "fewer than 5 different"),
    ],
)
def test_a_placeholder_or_weak_key_is_named_for_what_it_is(key, problem):
    assert problem in secret_key_problem(key)


def test_a_long_random_key_is_taken():
    assert secret_key_problem(secrets.token_urlsafe(50)) is None


def test_production_settings_pass_the_deploy_checks():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="annotator.example.org",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_finds_the_partials_htmx_asks_for():
    # With DEBUG off the templates are cached; a page's partials ("page.html#part") must still be found.
    script = (
        "from django.template.loader import get_template; "
        "print(get_template('annotator/document_detail.html#mark-count').render({'listed_count': 2, 'mark_total': 3}))"
    )
    result = _manage(
        "shell", "-c", script, DEBUG="false", SECRET_KEY=PRODUCTION_KEY, ALLOWED_HOSTS="annotator.example.org"
    )
    assert result.returncode == 0, result.stderr
    assert "2 of 3 marks" in result.stdout


def test_every_page_carries_the_security_headers(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_for_a_signed_in_user_are_private_to_caches(document, annotator):
    # No Cache-Control at all: a shared cache in front of the app could keep one user's page for the next.
    signed_in = client_for(annotator)
    for url in (
        reverse("document_detail", args=[document.pk]),
        reverse("project_detail", args=[document.project_id]),
        reverse("document_export", args=[document.pk]) + "?format=csv",
    ):
        response = signed_in.get(url)
        assert response.status_code == 200 and "private" in response["Cache-Control"], url


def _env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_settings_of_env_example_pass_the_deploy_checks():
    # Its SECRET_KEY is a placeholder Django rightly calls weak; everything else is taken as written.
    env = {**_env_example(), "SECRET_KEY": PRODUCTION_KEY}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_local_http_switches_are_flagged_by_the_deploy_checks():
    # make stack serves plain HTTP on 127.0.0.1 with these; the deploy checks must say they are not for production.
    env = {**_env_example(), "SECRET_KEY": PRODUCTION_KEY, "SECURE_COOKIES": "false", "SECURE_SSL_REDIRECT": "false"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    for warning in ("security.W008", "security.W012", "security.W016"):  # SSL redirect, session and CSRF cookies
        assert warning in result.stderr


def test_no_state_lives_in_one_process_memory(settings):
    # Several gunicorn processes serve the app: sessions and login failures must be in the database,
    # and no cache may be a per-process one (tests/test_scaleout.py proves it across real processes).
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"  # Django's database sessions
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    assert all("locmem" not in cache["BACKEND"].lower() for cache in settings.CACHES.values())


def test_behind_our_proxy_the_client_is_the_address_the_proxy_appended(rf):
    from annotator.proxy import client_ip

    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.7", REMOTE_ADDR="127.0.0.1")
    assert client_ip(spoofed) == "203.0.113.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="198.51.100.2")) == "198.51.100.2"
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.AXES_CLIENT_IP_CALLABLE)",
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="annotator.example.org",
        BEHIND_PROXY="true",
    )
    assert result.stdout.strip().endswith("annotator.proxy.client_ip"), result.stdout + result.stderr
