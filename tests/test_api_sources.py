"""Editing a source over the API: PATCH (a merge patch on its CSL-JSON item) and PUT (a whole item), through the
same service as the page, with its permissions, field-level errors and the source's ETag."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from annotator.models import Source
from annotator.services.sources import create_source, update_source

from .test_api import client_with

V1 = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_throttle(db):
    caches["api-throttle"].clear()


@pytest.fixture
def source(project, annotator):
    return create_source(
        user=annotator,
        project=project,
        type="book",
        title="The Road to Terror",
        authors=[{"family": "Getty", "given": "J. Arch"}],
        issued="1999",
        publisher="Yale University Press",
        doi="10.12987/9780300133103",
        full_text="Its own words.",
    )


def url(source) -> str:
    return f"{V1}/sources/{source.pk}/"


def errors_of(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_a_patch_changes_the_variables_sent_and_keeps_the_others(annotator, source):
    response = client_with(annotator).patch(
        url(source),
        {"title": "The Road to Terror: Stalin and the Self-Destruction", "page": "113-138", "publisher": None},
        format="json",
    )
    assert response.status_code == 200, response.json()
    item = response.json()
    assert item["title"] == "The Road to Terror: Stalin and the Self-Destruction" and item["page"] == "113-138"
    assert item["author"] == [{"family": "Getty", "given": "J. Arch"}] and item["issued"] == {"date-parts": [[1999]]}
    assert "publisher" not in item
    source.refresh_from_db()
    assert source.pages == "113-138" and source.publisher == "" and source.doi == "10.12987/9780300133103"
    assert source.full_text == "Its own words."  # no CSL variable: never touched by the API
    assert source.author_names  # search's names kept in step by the service
    assert source.history.first().history_user == annotator


def test_a_put_replaces_the_whole_entry(annotator, source):
    item = {"id": "ignored", "type": "article-journal", "title": "Excesses", "container-title": "Slavic Review"}
    response = client_with(annotator).put(url(source), item, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "id": f"source-{source.pk}",
        "type": "article-journal",
        "title": "Excesses",
        "container-title": "Slavic Review",
    }
    source.refresh_from_db()
    assert source.authors == [] and source.doi == "" and source.publisher == ""


def test_bad_csl_json_is_refused_with_an_error_per_variable_and_nothing_saved(annotator, source):
    client = client_with(annotator)
    before = Source.objects.values().get(pk=source.pk)
    response = client.patch(
        url(source),
        {"author": "Getty", "issued": {"date-parts": [["soon"]]}, "type": "novel", "titel": "x", "title": "Fine"},
        format="json",
    )
    assert response.status_code == 400
    found = errors_of(response)
    assert set(found) == {"author", "issued", "type", "titel"}, found
    assert "CSL" in found["titel"] and "novel" in found["type"]
    assert all(e["code"] == "invalid" for e in response.json()["errors"])
    missing = client.put(url(source), {"DOI": "not a doi"}, format="json")
    assert missing.status_code == 400 and {"type", "title", "DOI"} == set(errors_of(missing))
    not_an_item = client.patch(url(source), ["a list"], format="json")
    assert not_an_item.status_code == 400 and errors_of(not_an_item).keys() == {None}
    assert Source.objects.values().get(pk=source.pk) == before
    assert source.history.count() == 1


def test_a_clash_of_two_variables_is_refused_as_a_whole(annotator, source):
    # Each alone is fine; together the DOI (a web address) and a different URL cannot both be kept.
    response = client_with(annotator).patch(
        url(source), {"DOI": "https://example.org/not-a-doi", "URL": "https://example.com/"}, format="json"
    )
    assert response.status_code == 400 and list(errors_of(response)) == [None]


def test_a_source_stored_before_checks_is_refused_as_a_whole_not_per_variable(annotator, source):
    Source.objects.filter(pk=source.pk).update(type="novel")  # as a row from before types were checked
    response = client_with(annotator).patch(url(source), {"page": "1-9"}, format="json")
    assert response.status_code == 400 and list(errors_of(response)) == [None]
    assert "novel" in errors_of(response)[None]
    fixed = client_with(annotator).patch(url(source), {"page": "1-9", "type": "book"}, format="json")
    assert fixed.status_code == 200, fixed.json()


def test_a_doi_another_source_has_is_refused(annotator, project, source):
    other = create_source(user=annotator, project=project, type="book", title="Other")
    response = client_with(annotator).patch(url(other), {"DOI": source.doi}, format="json")
    assert response.status_code == 422 and "DOI" in response.json()["errors"][0]["message"]


def test_an_outsider_gets_404_and_a_reviewer_403_before_the_item_is_read(outsider, reviewer, source):
    for method in ("patch", "put"):
        response = getattr(client_with(outsider), method)(url(source), {"title": "Taken"}, format="json")
        assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"
        response = getattr(client_with(reviewer), method)(url(source), {"author": "not names"}, format="json")
        assert response.status_code == 403, response.json()
        assert errors_of(response) == {None: "Only annotators and managers create and edit sources."}
    assert Source.objects.get(pk=source.pk).title == "The Road to Terror"


def test_the_etag_refuses_an_edit_on_a_source_changed_since_it_was_read(annotator, manager, source):
    client = client_with(annotator)
    read = client.get(url(source))
    etag = read["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    update_source(user=manager, source=source, type="book", title="Renamed meanwhile")
    stale = client.patch(url(source), {"page": "1-9"}, format="json", headers={"If-Match": etag})
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "conflict"
    assert Source.objects.get(pk=source.pk).pages == ""
    fresh = client.get(url(source))["ETag"]
    assert fresh != etag
    done = client.patch(url(source), {"page": "1-9"}, format="json", headers={"If-Match": f"W/{fresh}"})
    assert done.status_code == 200 and done["ETag"] not in (etag, fresh)
    assert client.get(url(source))["ETag"] == done["ETag"]  # the answer's tag is the one the next edit sends
    assert client.patch(url(source), {"page": "2"}, format="json", headers={"If-Match": "*"}).status_code == 200
