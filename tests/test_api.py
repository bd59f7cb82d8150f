"""The REST API through DRF's client: tokens, access, errors, documents, marks, optimistic locking, UTF-16 offsets,
bulk writes and the streamed list of all marks."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import caches
from django.utils import timezone
from rest_framework.test import APIClient

from annotator import reads, services
from annotator.models import AccessToken, Annotation, Citation, ImportUpload, Link, TokenScope
from annotator.services import tokens
from annotator.services.sources import cite_source, create_source
from annotator.services.versions import add_version

from .conftest import client_for
from .factories import SAMPLE_TEXT, DocumentFactory, UserFactory

V1 = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_throttle(db):
    caches["api-throttle"].clear()


def client_with(user, scope=TokenScope.WRITE) -> APIClient:
    client = APIClient()
    secret = tokens.create_token(user=user, name="script", scope=scope).secret
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def mark(document, user, word, label):
    start = document.text.index(word)
    return services.annotate(user=user, document=document, start=start, end=start + len(word), exact=word, label=label)


@pytest.fixture
def doc(project, manager):
    return DocumentFactory(project=project, text=SAMPLE_TEXT)


# Tokens and access ----------------------------------------------------------------------------------------------


def test_a_token_is_kept_only_as_its_sha256(annotator):
    made = tokens.create_token(user=annotator, name="CMS", scope=TokenScope.READ)
    row = AccessToken.objects.get()
    assert made.secret.startswith("ann_") and len(made.secret) > 40
    assert made.secret not in (row.digest, row.prefix) and row.digest == tokens.digest_of(made.secret)
    assert made.secret.startswith(row.prefix)


def test_it_refuses_no_token_a_wrong_token_a_revoked_and_an_expired_one(annotator, project):
    assert APIClient().get(f"{V1}/projects/").status_code == 401
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer ann_nothing")
    response = wrong.get(f"{V1}/projects/")
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {"field": None, "code": "authentication_failed", "message": "This token is unknown, expired or revoked."}
        ]
    }
    client = client_with(annotator)
    assert client.get(f"{V1}/projects/").status_code == 200
    services.tokens.revoke_token(user=annotator, token=AccessToken.objects.get())
    assert client.get(f"{V1}/projects/").status_code == 401
    expiring = client_with(annotator)
    AccessToken.objects.filter(revoked_at__isnull=True).update(expires_at=timezone.now() - datetime.timedelta(1))
    assert expiring.get(f"{V1}/projects/").status_code == 401


def test_it_records_when_a_token_was_last_used(annotator, project):
    client = client_with(annotator)
    assert AccessToken.objects.get().last_used_at is None
    client.get(f"{V1}/projects/")
    assert AccessToken.objects.get().last_used_at is not None


def test_a_read_token_is_refused_on_writes_with_the_reason(annotator, doc, labels):
    client = client_with(annotator, TokenScope.READ)
    assert client.get(f"{V1}/documents/{doc.pk}/").status_code == 200
    response = client.post(f"{V1}/documents/{doc.pk}/marks/", {"start": 0, "end": 3, "exact": "Did", "label": "claim"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "read_only_token"
    assert not Annotation.objects.exists()


def test_an_outsider_gets_404_in_the_one_error_shape(outsider, doc, annotator, labels):
    made = mark(doc, annotator, "Stalin", labels["claim"])
    client = client_with(outsider)
    for url in [
        f"{V1}/projects/{doc.project_id}/",
        f"{V1}/projects/{doc.project_id}/marks/",
        f"{V1}/documents/{doc.pk}/",
        f"{V1}/documents/{doc.pk}/marks/all/",
        f"{V1}/marks/{made.pk}/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"errors": [{"field": None, "code": "not_found", "message": "Not found."}]}
    assert doc.project_id not in [p["id"] for p in client.get(f"{V1}/projects/").json()]


def test_a_session_login_works_with_csrf_enforced(annotator, doc, labels):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(annotator)
    assert client.get(f"{V1}/documents/{doc.pk}/").status_code == 200
    response = client.post(
        f"{V1}/documents/{doc.pk}/marks/", {"start": 0, "end": 3, "exact": "Did", "label": "claim"}, format="json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["errors"][0]["message"]


def test_requests_past_the_rate_get_429_with_retry_after(annotator, project, settings):
    settings.ANNOTATOR_API_RATE = "3/minute"
    client = client_with(annotator)
    assert [client.get(f"{V1}/projects/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(f"{V1}/projects/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["errors"][0]["code"] == "throttled"
    # Another token of another user counts on its own.
    assert client_with(UserFactory()).get(f"{V1}/projects/").status_code == 200


# Projects, documents --------------------------------------------------------------------------------------------


def test_projects_members_and_labels_read(annotator, manager, project):
    client = client_with(annotator)
    (listed,) = client.get(f"{V1}/projects/").json()
    assert listed["id"] == project.pk and listed["role"] == "annotator"
    members = client.get(f"{V1}/projects/{project.pk}/members/").json()
    assert {"username": manager.username, "role": "manager"} in members
    keys = [label["key"] for label in client.get(f"{V1}/projects/{project.pk}/labels/").json()]
    assert keys[:3] == ["claim", "evidence", "quotation"]


def test_a_manager_posts_a_document_and_reads_it_back(manager, annotator, project):
    client = client_with(manager)
    response = client.post(f"{V1}/projects/{project.pk}/documents/", {"title": "Wire", "text": "One.\r\nTwo 😀.\r\n"})
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["text"] == "One.\nTwo 😀.\n" and made["versions"][0]["number"] == 1
    assert client.get(f"{V1}/documents/{made['id']}/").json()["title"] == "Wire"
    listed = client.get(f"{V1}/projects/{project.pk}/documents/").json()
    assert [d["id"] for d in listed["results"]] == [made["id"]]
    refused = client_with(annotator).post(f"{V1}/projects/{project.pk}/documents/", {"text": "x"})
    assert refused.status_code == 403
    assert refused.json()["errors"][0] == {
        "field": None,
        "code": "forbidden",
        "message": "Only the project's managers may add documents.",
    }


def test_a_document_without_text_is_refused_saying_what_to_send(manager, project):
    response = client_with(manager).post(f"{V1}/projects/{project.pk}/documents/", {"title": "x"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"field": None, "code": "invalid", "message": "Send one of “text”, “url” or “file” (with “file_name”)."}
        ]
    }
    blank = client_with(manager).post(f"{V1}/projects/{project.pk}/documents/", {"text": ""})
    assert blank.json()["errors"] == [{"field": "text", "code": "blank", "message": "This field may not be blank."}]


def test_a_new_version_carries_the_marks(manager, annotator, doc, labels):
    made = mark(doc, annotator, "Stalin", labels["claim"])
    response = client_with(manager).post(f"{V1}/documents/{doc.pk}/versions/", {"text": "Intro.\n" + SAMPLE_TEXT})
    assert response.status_code == 201 and response.json()["number"] == 2
    made.refresh_from_db()
    assert made.span.start == SAMPLE_TEXT.index("Stalin") + len("Intro.\n")


# Marks ----------------------------------------------------------------------------------------------------------


def test_mark_create_read_update_delete(annotator, doc, labels):
    client = client_with(annotator)
    start = SAMPLE_TEXT.index("Getty")
    response = client.post(
        f"{V1}/documents/{doc.pk}/marks/", {"start": start, "end": start + 5, "exact": "Getty", "label": "claim"}
    )
    assert response.status_code == 201, response.json()
    made = response.json()
    assert (made["start"], made["exact"], made["label"], made["version"]) == (start, "Getty", "claim", 1)
    assert response["ETag"] == '"1"'
    url = f"{V1}/marks/{made['id']}/"
    changed = client.patch(url, {"note": "Checked.", "label": "evidence", "version": 1})
    assert changed.status_code == 200 and changed.json()["label"] == "evidence" and changed.json()["version"] == 2
    stale = client.patch(url, {"note": "Late."}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "conflict"
    assert client.patch(url, {"note": "Now."}, headers={"If-Match": '"2"'}).status_code == 200
    assert client.patch(url, {"note": "No version."}).status_code == 400
    assert client.delete(url, headers={"If-Match": '"2"'}).status_code == 409
    assert client.delete(url, headers={"If-Match": '"3"'}).status_code == 204
    assert not Annotation.objects.exists()


def test_a_mark_whose_text_differs_is_refused_and_nothing_saved(annotator, doc, labels):
    response = client_with(annotator).post(
        f"{V1}/documents/{doc.pk}/marks/", {"start": 0, "end": 3, "exact": "Not", "label": "claim"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "refused"
    unknown = client_with(annotator).post(
        f"{V1}/documents/{doc.pk}/marks/", {"start": 0, "end": 3, "exact": "Did", "label": "nope"}
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "label"
    assert not Annotation.objects.exists()


def test_others_may_not_change_a_mark_and_reviewers_review_it(annotator, annotator2, reviewer, doc, labels):
    made = mark(doc, annotator, "Stalin", labels["claim"])
    url = f"{V1}/marks/{made.pk}/"
    assert client_with(annotator2).patch(url, {"note": "x", "version": 1}).status_code == 403
    assert client_with(annotator2).delete(url).status_code == 403
    assert client_with(annotator2).post(url + "review/", {"status": "accepted"}).status_code == 403
    reviewed = client_with(reviewer).post(url + "review/", {"status": "accepted", "version": 1})
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "accepted"
    assert reviewed.json()["reviewed_by"] == reviewer.username
    assert client_with(reviewer).post(url + "review/", {"status": "rejected", "version": 1}).status_code == 409


def test_marks_are_listed_with_filters_and_cursor_pages(annotator, annotator2, reviewer, doc, labels):
    a = mark(doc, annotator, "Stalin", labels["claim"])
    b = mark(doc, annotator2, "Getty", labels["evidence"])
    c = mark(doc, annotator, "archives", labels["evidence"])
    services.review_annotation(user=reviewer, annotation=c, status="accepted")
    client = client_with(annotator)
    url = f"{V1}/documents/{doc.pk}/marks/"

    def ids(query=""):
        return [m["id"] for m in client.get(url + query).json()["results"]]

    assert ids() == [a.pk, b.pk, c.pk]
    assert ids("?label=evidence") == [b.pk, c.pk]
    assert ids(f"?author={annotator2.username}") == [b.pk]
    assert ids("?status=accepted") == [c.pk]
    assert ids("?updated_since=2999-01-01T00:00:00Z") == []
    project_url = f"{V1}/projects/{doc.project_id}/marks/?document={doc.pk}&label=evidence"
    assert [m["id"] for m in client.get(project_url).json()["results"]] == [b.pk, c.pk]
    first = client.get(url + "?page_size=2").json()
    assert [m["id"] for m in first["results"]] == [a.pk, b.pk]
    assert [m["id"] for m in client.get(first["next"]).json()["results"]] == [c.pk]
    bad = client.get(url + "?status=maybe")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"


def test_utf16_offsets_are_given_and_taken(annotator, doc, labels):
    client = client_with(annotator)
    start = SAMPLE_TEXT.index("The archives")  # after the emoji: one code point, two UTF-16 units
    response = client.post(
        f"{V1}/documents/{doc.pk}/marks/?offsets=utf16",
        {"start": start + 1, "end": start + 13, "exact": "The archives", "label": "claim"},
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["start"], response.json()["end"]) == (start + 1, start + 13)
    made = Annotation.objects.get()
    assert (made.span.start, made.span.end) == (start, start + 12)
    assert client.get(f"{V1}/marks/{made.pk}/").json()["start"] == start
    (listed,) = client.get(f"{V1}/documents/{doc.pk}/marks/?offsets=utf16").json()["results"]
    assert listed["start"] == start + 1
    emoji = SAMPLE_TEXT.index("😀")
    inside = client.post(
        f"{V1}/documents/{doc.pk}/marks/?offsets=utf16",
        {"start": emoji + 1, "end": emoji + 3, "exact": "x", "label": "claim"},
    )
    assert inside.status_code == 400 and inside.json()["errors"][0]["code"] == "invalid_offset"
    assert client.get(f"{V1}/marks/{made.pk}/?offsets=bytes").status_code == 400


# Bulk and all marks ---------------------------------------------------------------------------------------------


def _item(word, label="claim", **more):
    start = SAMPLE_TEXT.index(word)
    return {"start": start, "end": start + len(word), "exact": word, "label": label, **more}


def test_bulk_makes_marks_with_citations_and_links_all_at_once(annotator, doc, labels):
    source = create_source(user=annotator, project=doc.project, type="book", title="Getty 1993")
    client = client_with(annotator)
    body = {
        "marks": [
            _item("Stalin", citations=[{"source": source.pk, "locator": "p. 2"}]),
            _item("Getty", links=[{"type": "same-as", "to_item": 0}]),
        ]
    }
    response = client.post(f"{V1}/documents/{doc.pk}/marks/bulk/", body, format="json")
    assert response.status_code == 201, response.json()
    ids = response.json()["ids"]
    assert list(Annotation.objects.order_by("id").values_list("id", flat=True)) == ids
    assert Citation.objects.get().annotation_id == ids[0]
    assert Link.objects.get().from_annotation_id == ids[1]


def test_bulk_lists_every_refused_item_and_saves_nothing(annotator, doc, labels):
    mark(doc, annotator, "Stalin", labels["claim"])
    client = client_with(annotator)
    body = {"marks": [_item("Getty"), _item("Stalin"), {**_item("thing"), "exact": "wrong"}, _item("Did")]}
    response = client.post(f"{V1}/documents/{doc.pk}/marks/bulk/", body, format="json")
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("marks.1", "refused"),
        ("marks.2", "refused"),
    ]
    assert Annotation.objects.count() == 1
    shape = client.post(
        f"{V1}/documents/{doc.pk}/marks/bulk/", {"marks": [{"start": "x"}, _item("Did", "nope")]}, format="json"
    )
    assert shape.status_code == 400
    fields = [e["field"] for e in shape.json()["errors"]]
    assert fields == ["marks.0.start", "marks.0.end", "marks.0.exact", "marks.0.label", "marks.1.label"]
    misspelt = client.post(
        f"{V1}/documents/{doc.pk}/marks/bulk/",
        {"marks": [_item("Did"), {**_item("Getty"), "colour": "red", "lable": "claim"}]},
        format="json",
    )
    assert misspelt.status_code == 400
    assert [(e["field"], e["code"]) for e in misspelt.json()["errors"]] == [
        ("marks.1.colour", "unknown"),
        ("marks.1.lable", "unknown"),
    ]
    assert Annotation.objects.count() == 1


def test_bulk_refuses_a_retired_label_as_a_single_mark_is_refused(annotator, doc, labels):
    labels["evidence"].retired = True
    labels["evidence"].save()
    response = client_with(annotator).post(
        f"{V1}/documents/{doc.pk}/marks/bulk/", {"marks": [_item("Did"), _item("Getty", "evidence")]}, format="json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "marks.1" and "retired" in response.json()["errors"][0]["message"]
    assert not Annotation.objects.exists()


def test_bulk_refuses_more_than_the_cap(annotator, doc, labels, settings):
    settings.ANNOTATOR_API_MAX_BULK_MARKS = 1
    response = client_with(annotator).post(
        f"{V1}/documents/{doc.pk}/marks/bulk/", {"marks": [_item("Did"), _item("Getty")]}, format="json"
    )
    assert response.status_code == 422 and "At most 1 marks" in response.json()["errors"][0]["message"]


def test_all_marks_stream_the_same_json_whatever_the_chunk(annotator, doc, labels, monkeypatch):
    for word, label in (("archives", "claim"), ("Stalin", "evidence"), ("Getty", "claim")):
        mark(doc, annotator, word, labels[label])
    client = client_with(annotator)
    whole = json.loads(b"".join(client.get(f"{V1}/documents/{doc.pk}/marks/all/").streaming_content))
    monkeypatch.setattr(reads, "COMPACT_CHUNK", 2)
    response = client.get(f"{V1}/documents/{doc.pk}/marks/all/?offsets=utf16")
    chunks = list(response.streaming_content)
    assert len(chunks) == 4  # the head, two chunks of marks, the end
    in_chunks = json.loads(b"".join(chunks))
    assert [m["id"] for m in in_chunks["marks"]] == [m["id"] for m in whole["marks"]] and len(whole["marks"]) == 3


def test_all_marks_of_a_document_stream_in_the_compact_form(annotator, manager, doc, labels):
    source = create_source(user=annotator, project=doc.project, type="book", title="Getty 1993")
    a = mark(doc, annotator, "archives", labels["claim"])
    b = mark(doc, annotator, "Stalin", labels["evidence"])
    cite_source(user=annotator, annotation=b, source=source)
    client = client_with(annotator)
    response = client.get(f"{V1}/documents/{doc.pk}/marks/all/")
    assert response.status_code == 200 and response.streaming
    data = json.loads(b"".join(response.streaming_content))
    assert data["document"] == doc.pk and data["text_version"] == 1 and data["offsets"] == "codepoints"
    assert [m["id"] for m in data["marks"]] == [b.pk, a.pk]  # text order
    assert data["marks"][0] == {
        "id": b.pk,
        "start": SAMPLE_TEXT.index("Stalin"),
        "end": SAMPLE_TEXT.index("Stalin") + 6,
        "exact": "Stalin",
        "label": "evidence",
        "author": annotator.username,
        "status": "pending",
        "sources": [source.pk],
    }
    utf16 = json.loads(b"".join(client.get(f"{V1}/documents/{doc.pk}/marks/all/?offsets=utf16").streaming_content))
    assert utf16["marks"][1]["start"] == SAMPLE_TEXT.index("archives") + 1
    add_version(user=manager, document=doc, text="New.\n" + SAMPLE_TEXT)
    current = json.loads(b"".join(client.get(f"{V1}/documents/{doc.pk}/marks/all/").streaming_content))
    assert current["text_version"] == 2 and current["marks"][0]["start"] == SAMPLE_TEXT.index("Stalin") + 5
    # Marks carried to version 2 are no longer on version 1.
    old = json.loads(b"".join(client.get(f"{V1}/documents/{doc.pk}/marks/all/?version=1").streaming_content))
    assert old["text_version"] == 1 and old["marks"] == []
    assert client.get(f"{V1}/documents/{doc.pk}/marks/all/?version=9").status_code == 404


def test_the_api_token_command_prints_a_token_that_works(annotator, project):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("api_token", annotator.username, "--name", "CI", "--scope", "write", "--days", "30", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    assert client.get(f"{V1}/projects/").status_code == 200
    assert AccessToken.objects.get().scope == "write" and AccessToken.objects.get().expires_at is not None
    with pytest.raises(CommandError, match="No user named"):
        call_command("api_token", "nobody", "--name", "x")


def test_the_readmes_curl_round_trip_works_as_written(manager, project):
    """The README's example, its JSON bodies taken from it as they are."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme[readme.index("A round trip with curl") :]
    document_body = json.loads(example[example.index("-d '{") + 4 : example.index("}' \\") + 1])
    rest = example[example.index('-d \'{"marks"') + 4 :]
    bulk_body = json.loads(rest[: rest.index("}' \\") + 1])
    client = client_with(manager)
    document = client.post(f"{V1}/projects/{project.pk}/documents/", document_body).json()["id"]
    made = client.post(f"{V1}/documents/{document}/marks/bulk/", bulk_body)
    assert made.status_code == 201, made.json()
    assert (
        len(json.loads(b"".join(client.get(f"{V1}/documents/{document}/marks/all/").streaming_content))["marks"]) == 2
    )
    (listed,) = client.get(f"{V1}/documents/{document}/marks/?offsets=utf16&label=evidence").json()["results"]
    assert (listed["start"], listed["end"]) == (42, 58) and "42-58" in example


# Sources, citations, links, exports ---------------------------------------------------------------------------

BIBTEX = """@book{getty1993,
  author = {Getty, J. Arch and Naumov, Oleg V.},
  title = {The Road to Terror},
  year = {1999},
  publisher = {Yale University Press},
  doi = {10.12987/9780300133103}
}
"""


def test_sources_go_in_as_csl_json_or_bibtex_and_come_out_as_csl_json(annotator, reviewer, project):
    client = client_with(annotator)
    url = f"{V1}/projects/{project.pk}/sources/"
    made = client.post(url, {"csl": [{"type": "book", "title": "Stalin's Terror", "issued": {"date-parts": [[1984]]}}]})
    assert made.status_code == 201, made.json()
    assert len(made.json()["created"]) == 1
    bib = client.post(url, {"bibtex": BIBTEX})
    assert bib.status_code == 201, bib.json()
    again = client.post(url, {"bibtex": BIBTEX})
    assert again.status_code == 201 and again.json()["created"] == [] and len(again.json()["skipped"]) == 1
    items = client.get(url).json()
    assert [i["title"] for i in items] == ["Stalin's Terror", "The Road to Terror"]
    assert (
        items[1]["author"][0] == {"family": "Getty", "given": "J. Arch"} and items[1]["DOI"] == "10.12987/9780300133103"
    )
    pk = made.json()["created"][0]
    assert client.get(f"{V1}/sources/{pk}/").json()["id"] == f"source-{pk}"
    assert client_with(reviewer).post(url, {"csl": [{"type": "book", "title": "x"}]}).status_code == 403
    both = client.post(url, {"csl": [{"type": "book", "title": "x"}], "bibtex": BIBTEX})
    assert both.status_code == 400 and both.json()["errors"][0]["field"] is None


def test_a_refused_entry_refuses_the_import_naming_it(annotator, project):
    response = client_with(annotator).post(
        f"{V1}/projects/{project.pk}/sources/", {"csl": [{"type": "book", "title": "Fine"}, {"type": "book"}]}
    )
    assert response.status_code == 422
    (refused,) = response.json()["errors"]
    assert refused["code"] == "refused" and refused["field"].startswith("Entry 2")
    assert not project.sources.exists()


def test_citations_are_made_listed_and_removed_by_the_marks_author(annotator, annotator2, doc, labels):
    source = create_source(user=annotator, project=doc.project, type="book", title="Getty 1993")
    made = mark(doc, annotator, "Stalin", labels["claim"])
    url = f"{V1}/marks/{made.pk}/citations/"
    assert client_with(annotator2).post(url, {"source": source.pk}).status_code == 403
    cited = client_with(annotator).post(url, {"source": source.pk, "locator": "pp. 113-138"})
    assert cited.status_code == 201, cited.json()
    assert client_with(annotator2).get(url).json() == [
        {"id": cited.json()["id"], "mark": made.pk, "source": source.pk, "locator": "pp. 113-138", "note": ""}
    ]
    assert client_with(annotator).post(url, {"source": 999999}).status_code == 400
    assert client_with(annotator2).delete(f"{V1}/citations/{cited.json()['id']}/").status_code == 403
    assert client_with(annotator).delete(f"{V1}/citations/{cited.json()['id']}/").status_code == 204
    assert not Citation.objects.exists()


def test_links_are_made_read_reviewed_and_deleted(annotator, annotator2, reviewer, doc, labels):
    claim = mark(doc, annotator, "Stalin", labels["claim"])
    evidence = mark(doc, annotator2, "Getty", labels["evidence"])
    client = client_with(annotator2)
    types = [t["key"] for t in client.get(f"{V1}/projects/{doc.project_id}/link-types/").json()]
    assert "supports" in types and "refutes" in types
    wrong = client.post(f"{V1}/marks/{claim.pk}/links/", {"type": "supports", "to_mark": evidence.pk})
    assert wrong.status_code == 422 and "starts from a mark labelled" in wrong.json()["errors"][0]["message"]
    made = client.post(f"{V1}/marks/{evidence.pk}/links/", {"type": "supports", "to_mark": claim.pk, "note": "p. 3"})
    assert made.status_code == 201, made.json()
    link = made.json()
    assert (link["from_mark"], link["to_mark"], link["type"], link["author"]) == (
        evidence.pk,
        claim.pk,
        "supports",
        annotator2.username,
    )
    assert [x["id"] for x in client_with(annotator).get(f"{V1}/marks/{claim.pk}/links/").json()] == [link["id"]]
    reviewed = client_with(reviewer).post(f"{V1}/links/{link['id']}/review/", {"status": "accepted", "version": 1})
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "accepted"
    assert client_with(annotator).delete(f"{V1}/links/{link['id']}/").status_code == 403
    noted = client.patch(f"{V1}/links/{link['id']}/", {"note": "p. 4"}, headers={"If-Match": '"2"'})
    assert noted.status_code == 200 and noted.json()["note"] == "p. 4" and noted.json()["status"] == "pending"
    assert client.patch(f"{V1}/links/{link['id']}/", {"note": "late", "version": 2}).status_code == 409
    assert client.delete(f"{V1}/links/{link['id']}/", headers={"If-Match": '"2"'}).status_code == 409
    assert client.delete(f"{V1}/links/{link['id']}/").status_code == 204
    assert not Link.objects.exists()


def test_exports_are_the_pages_streams(annotator, doc, labels):
    mark(doc, annotator, "Stalin", labels["claim"])
    mark(doc, annotator, "Getty", labels["evidence"])
    client = client_with(annotator)
    api = client.get(f"{V1}/projects/{doc.project_id}/export/?format=csv", HTTP_ACCEPT="text/csv")
    assert api.status_code == 200 and api["Content-Type"].startswith("text/csv")
    page = client_for(annotator).get(f"/projects/{doc.project_id}/export/?format=csv")
    assert b"".join(api.streaming_content) == b"".join(page.streaming_content)
    claims = client.get(f"{V1}/documents/{doc.pk}/export/?format=jsonld&f_label={labels['claim'].pk}")
    body = json.loads(b"".join(claims.streaming_content))
    assert len(body["first"]["items"]) == 1
    bad = client.get(f"{V1}/projects/{doc.project_id}/export/?format=xls")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "format"


def test_bulk_names_the_mark_whose_citation_or_link_is_refused(annotator, doc, labels):
    source = create_source(user=annotator, project=doc.project, type="book", title="Getty 1993")
    twice = [{"source": source.pk, "locator": "p. 1"}, {"source": source.pk, "locator": "p. 1"}]
    body = {
        "marks": [
            _item("Did"),
            _item("Stalin", citations=twice),
            _item("Getty", "evidence", links=[{"type": "same-as", "to_item": 0}]),
        ]
    }
    response = client_with(annotator).post(f"{V1}/documents/{doc.pk}/marks/bulk/", body, format="json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["marks.1"]
    assert "already" in response.json()["errors"][0]["message"]
    assert not Annotation.objects.exists()
    body["marks"][1]["citations"] = twice[:1]
    linked = client_with(annotator).post(f"{V1}/documents/{doc.pk}/marks/bulk/", body, format="json")
    assert linked.status_code == 422 and [e["field"] for e in linked.json()["errors"]] == ["marks.2"]
    assert not Annotation.objects.exists() and not Citation.objects.exists()


def test_an_import_reports_its_check_first_then_imports_once_when_confirmed(manager, annotator, doc, labels):
    made = mark(doc, annotator, "Stalin", labels["claim"])
    client = client_with(manager)
    exported = b"".join(client.get(f"{V1}/documents/{doc.pk}/export/?format=csv&raw=on").streaming_content).decode()
    services.delete_annotation(user=annotator, annotation=made)
    checked = client.post(f"{V1}/projects/{doc.project_id}/import/", {"data": exported, "name": "marks.csv"})
    assert checked.status_code == 201, checked.json()
    upload = checked.json()
    assert upload["state"] == "checked" and upload["report"]["created"] == 1 and upload["report"]["placed"][0][0] == 2
    assert not Annotation.objects.exists()
    assert client.get(checked["Location"]).json()["id"] == upload["id"]
    assert client_with(annotator).get(checked["Location"]).status_code == 404  # the uploader's alone
    confirm = f"{V1}/imports/{upload['id']}/confirm/"
    done = client.post(confirm)
    assert done.status_code == 200 and done.json()["state"] == "imported"
    assert client.post(confirm).json()["state"] == "imported"  # once, however often it is asked
    assert Annotation.objects.get().span.exact == "Stalin"
    refused = client_with(annotator).post(f"{V1}/projects/{doc.project_id}/import/", {"data": exported})
    assert refused.status_code == 403


def test_an_import_is_checked_and_made_in_the_background_and_followed(manager, annotator, doc, labels, settings):
    from annotator.services import import_uploads

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the test is the worker
    made = mark(doc, annotator, "Stalin", labels["claim"])
    client = client_with(manager)
    exported = b"".join(client.get(f"{V1}/documents/{doc.pk}/export/?format=csv&raw=on").streaming_content).decode()
    services.delete_annotation(user=annotator, annotation=made)
    checked = client.post(f"{V1}/projects/{doc.project_id}/import/", {"data": exported})
    assert checked.status_code == 201 and checked.json()["state"] == "checking"
    upload_id = checked.json()["id"]
    confirm = f"{V1}/imports/{upload_id}/confirm/"
    assert client.post(confirm).status_code == 409
    import_uploads.check_upload.call(upload_id)
    assert client.get(checked["Location"]).json()["report"]["created"] == 1
    started = client.post(confirm)
    assert started.status_code == 202 and started.json()["state"] == "importing"
    import_uploads.run_import.call(upload_id)
    assert client.get(checked["Location"]).json()["state"] == "imported"
    assert client.post(confirm).status_code == 200 and Annotation.objects.count() == 1


def test_an_import_that_cannot_be_read_or_placed_says_why(manager, doc):
    client = client_with(manager)
    url = f"{V1}/projects/{doc.project_id}/import/"
    unreadable = client.post(url, {"data": "just,some\nwords,here\n"})
    assert unreadable.status_code == 422 and "cannot be read" in unreadable.json()["errors"][0]["message"]
    header = b"".join(client.get(f"{V1}/documents/{doc.pk}/export/?format=csv").streaming_content).decode()
    assert client.post(url, {"data": header, "document": 999999}).json()["errors"][0]["field"] == "document"


def test_an_import_of_more_marks_than_one_import_takes_is_refused(manager, annotator, doc, labels, settings):
    for word in ("Stalin", "Getty"):
        mark(doc, annotator, word, labels["claim"])
    client = client_with(manager)
    exported = b"".join(client.get(f"{V1}/documents/{doc.pk}/export/?format=csv&raw=on").streaming_content).decode()
    settings.ANNOTATOR_MAX_IMPORT_MARKS = 1
    refused = client.post(f"{V1}/projects/{doc.project_id}/import/", {"data": exported})
    assert refused.status_code == 422
    assert "holds 2 marks; one import from the app takes at most 1" in refused.json()["errors"][0]["message"]
    assert not ImportUpload.objects.exists()


def test_a_document_from_a_file_is_made_in_the_background_and_followed(manager, annotator, project):
    import base64

    from .ingest_files import book, make_pdf

    pdf = make_pdf(book(2), title="The annual report")
    client = client_with(manager)
    body = {"file": base64.b64encode(pdf).decode(), "file_name": "report.pdf"}
    response = client.post(f"{V1}/projects/{project.pk}/documents/", body)
    assert response.status_code == 202, response.json()
    followed = client.get(response["Location"]).json()
    assert followed["state"] == "done" and followed["document"] is not None  # the tests' tasks run at once
    assert client.get(f"{V1}/documents/{followed['document']}/").json()["title"] == "The annual report"
    assert client_with(annotator).get(response["Location"]).status_code == 200
    assert client_with(annotator).post(f"{V1}/projects/{project.pk}/documents/", body).status_code == 403


def test_a_document_needs_exactly_one_of_text_url_or_file(manager, project):
    client = client_with(manager)
    url = f"{V1}/projects/{project.pk}/documents/"
    assert client.post(url, {"text": "x", "url": "https://example.org/"}).status_code == 400
    assert client.post(url, {"file": "not base64!", "file_name": "a.pdf"}).json()["errors"][0]["field"] == "file"
    assert client.post(url, {"file": "AAAA"}).json()["errors"][0]["field"] == "file_name"
    refused = client.post(url, {"url": "ftp://example.org/x"})
    assert refused.status_code == 422 and "http" in refused.json()["errors"][0]["message"]
