"""The API's OpenAPI 3 schema: made without a warning, valid, and naming every route of /api/v1/ with its methods;
the reference page loads nothing from elsewhere."""

from __future__ import annotations

import re

import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

from .conftest import client_for


def schema(tmp_path) -> dict:
    out = tmp_path / "schema.yaml"
    # --fail-on-warn: a view the generator cannot describe (an unknown serializer, an authenticator) fails here.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def api_routes(patterns=None, prefix=""):
    """(path as the schema writes it, view) of every route under /api/v1/."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route), pattern.callback


def test_the_schema_is_valid_openapi_3_and_has_every_route_and_method(tmp_path, db):
    document = schema(tmp_path)
    assert document["openapi"].startswith("3.")
    validate(document)
    missing = []
    for path, view in api_routes():
        methods = {
            m for m in view.view_class.http_method_names if hasattr(view.view_class, m) and m not in ("options", "head")
        }
        described = set(document["paths"].get(path, {}))
        missing += [f"{m.upper()} {path}" for m in sorted(methods - described)]
    assert not missing, missing
    assert len(list(api_routes())) >= 13


def test_the_schema_says_how_to_authenticate(tmp_path, db):
    document = schema(tmp_path)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token (your account page).",
    }


def test_the_reference_page_loads_only_our_own_scripts_and_styles(annotator):
    page = client_for(annotator).get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 4, assets
    assert all(a.startswith(("/static/", "/api/")) for a in assets), assets
    assert "<style" not in html and not re.search(r"<script>(?!</script>)", html)
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
