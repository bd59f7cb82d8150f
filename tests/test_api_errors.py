"""The API's refusals outside its views: an unknown path or a wrong method answers in the one JSON error shape,
while the pages keep their HTML 404."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from .conftest import client_for
from .test_api import client_with

V1 = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_throttle(db):
    caches["api-throttle"].clear()


def the_one_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    errors = response.json()["errors"]
    assert len(errors) == 1 and set(errors[0]) == {"field", "code", "message"}
    assert errors[0]["code"] == code and errors[0]["field"] is None
    return errors[0]


@pytest.mark.parametrize(
    "path",
    [
        f"{V1}/nope/",
        f"{V1}/marks/abc/",
        f"{V1}/projects/1/nothing/here/",
        "/api/v2/projects/",
        "/api/",
        "/api/v1/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_unknown_api_path_is_a_json_404_for_any_method(annotator, path, method):
    response = getattr(client_with(annotator), method)(path, {"note": "x"}, format="json")
    the_one_error(response, 404, "not_found")


def test_an_unknown_api_path_is_a_json_404_without_credentials_and_with_a_session(annotator):
    the_one_error(APIClient().get(f"{V1}/nope/"), 404, "not_found")
    # A browser session posting without a CSRF token: still the 404, not the CSRF page (nothing is written).
    the_one_error(client_for(annotator, enforce_csrf_checks=True).post(f"{V1}/nope/"), 404, "not_found")


def test_a_path_without_its_final_slash_is_told_the_route(annotator, project):
    found = the_one_error(client_with(annotator).get(f"{V1}/projects/{project.pk}"), 404, "not_found")
    assert f"{V1}/projects/{project.pk}/" in found["message"]
    found = the_one_error(client_with(annotator).get(f"{V1}/nope"), 404, "not_found")
    assert "did you mean" not in found["message"] and "/api/schema/" in found["message"]


def test_a_wrong_method_on_a_route_is_a_405_in_the_same_shape(annotator, project):
    client = client_with(annotator)
    found = the_one_error(client.delete(f"{V1}/projects/{project.pk}/"), 405, "method_not_allowed")
    assert "DELETE" in found["message"]
    the_one_error(client.put(f"{V1}/projects/"), 405, "method_not_allowed")


def test_pages_outside_the_api_keep_their_html_404(annotator):
    response = client_for(annotator).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_request_too_large_for_the_api_is_refused_in_its_shape(annotator, project, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_with(annotator).post(
        f"{V1}/projects/{project.pk}/sources/", {"bibtex": "@book{x, title={" + "x" * 5000 + "}}"}, format="json"
    )
    found = the_one_error(response, 413, "too_large")
    assert "Nothing was saved" in found["message"]
    assert not project.sources.exists()
