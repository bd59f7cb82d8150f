"""Hostile text: URLs that would run script are refused on every way in and never become links; names of the
interface's vocabulary hold no bidi controls; user text in plain-text sentences is isolated; and every export of
hostile content is an attachment that reads back to the same strings. (The pages: tests/browser/test_hostile.py.)
"""

import csv
import io
import json

import pytest
from django.urls import reverse

from annotator import bibliography, services
from annotator import text as textlib
from annotator.exchange import readers
from annotator.models import Annotation, Label, Link, Source
from annotator.services import links as link_services
from annotator.services import sources
from annotator.templatetags.user_text import http_url, isolate

from .conftest import client_for
from .factories import UserFactory
from .hostile import BAD_URLS, HOSTILE, HOSTILE_RLI, SAFE_URL, SCRIPT, hostile_project

MORE_BAD_URLS = [
    *BAD_URLS,
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "file:///etc/passwd",
    "ftp://example.org/x",
]


# URLs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", MORE_BAD_URLS)
def test_a_source_url_that_is_not_http_is_refused_by_the_service(project, annotator, url):
    with pytest.raises(services.ActionRefused, match="does not start with http"):
        sources.create_source(user=annotator, project=project, type="webpage", title="T", url=url)


@pytest.mark.parametrize("url", BAD_URLS)
def test_the_source_form_refuses_a_script_url_with_a_message(project, annotator, url):
    response = client_for(annotator).post(
        reverse("source_create", args=[project.pk]), {"type": "webpage", "title": "T", "url": url}
    )
    assert response.status_code == 422 and "Enter a valid URL" in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.parametrize("url", BAD_URLS)
def test_imports_refuse_a_script_url_naming_the_entry(url):
    with pytest.raises(bibliography.BibliographyError, match="Entry 1 .*does not start with http"):
        bibliography.parse_csl_json(json.dumps([{"type": "webpage", "title": "T", "URL": url}]))
    with pytest.raises(bibliography.BibliographyError, match="does not start with http"):
        bibliography.parse_bibtex("@online{x, title={T}, url={" + url.replace("{", "").replace("}", "") + "}}")


def test_the_admin_refuses_a_script_url(project):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    data = {"project": project.pk, "type": "webpage", "title": "T", "url": BAD_URLS[0], "authors": "[]"}
    response = client_for(staff).post(reverse("admin:annotator_source_add"), data)
    assert response.status_code == 200 and "Enter a valid URL" in response.content.decode()
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "authors, problem",
    [('[{"family": "a\\u0000b"}]', "a NUL character"), ('[{"family": "a\\ud800"}]', "a lone surrogate")],
)
def test_the_admin_refuses_authors_no_database_can_hold(project, authors, problem):
    # Saved, these answered 500 (a lone surrogate anywhere, a NUL on PostgreSQL).
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    data = {"project": project.pk, "type": "book", "title": "T", "authors": authors}
    response = client_for(staff).post(reverse("admin:annotator_source_add"), data)
    assert response.status_code == 200 and f"The JSON holds {problem}" in response.content.decode()
    assert not Source.objects.exists()


def test_the_admin_shows_bidi_controls_in_authors_as_escapes(project):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    source = Source.objects.create(project=project, title="T", authors=[{"family": "a\u202eb"}])
    body = client_for(staff).get(reverse("admin:annotator_source_change", args=[source.pk])).content.decode()
    assert "a\\u202eb" in body and "\u202e" not in body.split('name="authors"')[1].split("</textarea>")[0]


@pytest.mark.parametrize(
    "url", MORE_BAD_URLS + ["https://", "http://a b", "https://example.org/\n", "https://example.org/\u202ex"]
)
def test_only_an_http_url_becomes_a_link(url):
    # Whitespace or a control character in it: shown as text too (a reversed URL would mislead about where it goes).
    assert http_url(url) == ""


@pytest.mark.parametrize(
    "url", [SAFE_URL, "http://example.org", "HTTPS://EXAMPLE.ORG/a?b=c#d", "https://пример.рф/путь"]
)
def test_an_http_url_is_a_link(url):
    assert http_url(url) == url


def test_a_stored_script_url_is_shown_as_text_not_as_a_link(project, annotator):
    # Data from before the checks, or written by another tool: shown, never clickable.
    for url in BAD_URLS:
        source = Source.objects.create(project=project, title="Legacy", url=url)
        body = client_for(annotator).get(reverse("source_detail", args=[source.pk])).content.decode()
        assert 'href="javascript' not in body.lower().replace(" ", "") and 'href="data:' not in body
        assert "window.__pwned=1" in body  # as text


# Bidi controls ---------------------------------------------------------------------------------------


def test_user_text_in_a_sentence_is_isolated_only_when_it_holds_bidi_controls():
    assert textlib.isolated("Getty 1985") == "Getty 1985"
    assert textlib.isolated("evil\u202e") == "\u2068evil\u202e\u2069"
    assert isolate("a\u2067b") == "\u2068a\u2067b\u2069"


@pytest.mark.parametrize("name", ["Claim\u202e", "\u2066Claim\u2069", "Cl\u202aaim"])
def test_a_link_type_name_with_bidi_controls_is_refused(project, manager, name):
    with pytest.raises(services.ActionRefused, match="may not hold bidi control"):
        link_services.add_link_type(user=manager, project=project, name=name)
    kind = project.link_types.first()
    with pytest.raises(services.ActionRefused, match="may not hold bidi control"):
        link_services.rename_link_type(user=manager, link_type=kind, name="fine", inverse_name=name)


def test_the_admin_refuses_a_label_name_with_bidi_controls(project):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    label = project.labels.get(key="claim")
    data = {"key": "claim", "name": "Claim\u202e", "colour": label.colour, "shortcut": "1", "order": 0}
    response = client_for(staff).post(reverse("admin:annotator_label_change", args=[label.pk]), data)
    assert response.status_code == 200 and "may not hold bidi control" in response.content.decode()
    assert Label.objects.get(pk=label.pk).name == "Claim"


def test_names_made_of_user_text_isolate_it(document, annotator, labels):
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    document.project.name = "P\u202e"
    document.project.save()
    assert str(annotator.memberships.get(project=document.project)).startswith("ann in \u2068P\u202e\u2069 (")
    assert str(mark) == "Claim by ann: Did"


# Exports -----------------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    return hostile_project()


def download(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "html" not in response["Content-Type"] and response["X-Content-Type-Options"] == "nosniff"
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8")


def test_exports_of_hostile_content_are_attachments_that_read_back_to_the_same_strings(world):
    client = client_for(world.people["boss"])
    url = reverse("project_export", args=[world.project.pk])
    marks = {
        a.pk: a
        for a in Annotation.objects.filter(span__document__project=world.project).select_related("span__document")
    }

    rows = list(csv.DictReader(io.StringIO(download(client, url, {"format": "csv", "raw": "on"}), newline="")))
    assert len(rows) == len(marks)
    for row in rows:
        mark = marks[int(row["annotation_id"])]
        assert (row["project"], row["document_title"], row["exact"], row["note"]) == (
            world.project.name,
            mark.span.document.title,
            mark.span.exact,
            mark.note,
        )
        assert row["review_note"] == mark.review_note
    assert HOSTILE in {r["note"] for r in rows} and HOSTILE_RLI in {r["note"] for r in rows}
    safe = list(csv.DictReader(io.StringIO(download(client, url, {"format": "csv"}), newline="")))
    assert [r["note"] for r in safe] == [r["note"] for r in rows]  # nothing here looks like a formula

    collection = json.loads(download(client, url, {"format": "jsonld"}))
    parsed = readers.read_jsonld(json.dumps(collection))
    assert parsed.problems == []
    assert sorted(r.note for r in parsed.rows) == sorted(m.note for m in marks.values())
    assert {r.document_title for r in parsed.rows} == {world.document.title}
    speakers = {link.speaker for link in parsed.links if link.speaker}
    assert speakers == set(Link.objects.exclude(speaker="").values_list("speaker", flat=True))

    links = list(csv.DictReader(io.StringIO(download(client, url, {"format": "links-csv", "raw": "on"}), newline="")))
    assert sorted(r["note"] for r in links) == sorted(Link.objects.values_list("note", flat=True))

    items = json.loads(download(client, reverse("source_export", args=[world.project.pk]), {}))
    csl = next(i for i in items if i["title"] == world.source.title)
    assert (csl["title"], csl["publisher"], csl["URL"], csl["author"]) == (
        HOSTILE,
        HOSTILE,
        SAFE_URL,
        world.source.authors,
    )
    [back] = bibliography.parse_csl_json(json.dumps([csl]))  # and it imports again, the same
    assert (back["title"], back["url"], back["authors"]) == (HOSTILE, SAFE_URL, world.source.authors)
    legacy = next(i for i in items if i["title"] == world.legacy[0].title)
    with pytest.raises(bibliography.BibliographyError, match="does not start with http"):
        bibliography.parse_csl_json(
            json.dumps([legacy])
        )  # a script URL written past the checks stays out on the way in


@pytest.mark.parametrize("note", ['=HYPERLINK("http://evil")', "+1+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "'=1"])
def test_formula_like_cells_are_neutralised_by_default_and_kept_raw(document, annotator, labels, note):
    services.annotate(
        user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"], note=note + SCRIPT
    )
    client = client_for(annotator)
    url = reverse("document_export", args=[document.pk])
    safe = next(csv.DictReader(io.StringIO(download(client, url, {"format": "csv"}), newline="")))
    assert safe["note"] == "'" + note + SCRIPT
    raw = next(csv.DictReader(io.StringIO(download(client, url, {"format": "csv", "raw": "on"}), newline="")))
    assert raw["note"] == note + SCRIPT
