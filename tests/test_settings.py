"""Settings read from the environment strictly, and the production settings pass Django's deploy checks."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool, env_int

ROOT = Path(__file__).resolve().parent.parent


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
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_the_development_secret_key():
    result = _manage("check", DEBUG="false", ALLOWED_HOSTS="annotator.example.org")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY="x" * 20 + "a-long-random-production-key-0123456789", ALLOWED_HOSTS="annotator.example.org",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true", SECURE_HSTS_PRELOAD="true",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_templates_find_named_partials():
    # Production caches templates; the partials loader must stay outermost, or every htmx fragment is a 500.
    script = (
        "from django.conf import settings; from django.template.loader import get_template;"
        "get_template('annotator/document_detail.html#mark-detail');"
        "print(settings.TEMPLATES[0]['OPTIONS']['loaders'][0][1][0][0])"
    )
    result = _manage(
        "shell", "-c", script,
        DEBUG="false", SECRET_KEY="x" * 20 + "a-long-random-production-key-0123456789", ALLOWED_HOSTS="annotator.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.template.loaders.cached.Loader"


def test_every_page_carries_the_security_headers(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
