"""Exports from the app: the export page, project and document downloads with filters, permissions, queries."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import exchange, services
from annotator.exchange import CSV_HEADER, query
from annotator.forms import ExportForm

from .conftest import client_for
from .factories import CitationFactory, DocumentFactory, MembershipFactory, ProjectFactory, UserFactory


def rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def mark(document, user, start, end, label, note=""):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label, note=note
    )


@pytest.fixture
def marked(document, annotator, annotator2, reviewer, labels):
    """Three marks on the sample document: two claims (one accepted) and a piece of evidence."""
    first = mark(document, annotator, 0, 10, labels["claim"], note="=1+2")
    mark(document, annotator2, 0, 10, labels["claim"])
    mark(document, annotator, 11, 24, labels["evidence"])
    services.review_annotation(user=reviewer, annotation=first, status="accepted")
    return document


def test_the_export_page_offers_filters_and_both_formats(project, reviewer):
    body = client_for(reviewer).get(reverse("project_export", args=[project.pk])).content.decode()
    for text in [
        'name="f_document"',
        'name="f_label"',
        'name="f_author"',
        'name="f_status"',
        'name="raw"',
        'value="csv"',
        'value="jsonld"',
        "annotation_id",
    ]:
        assert text in body


def test_the_export_form_offers_every_format_the_exchange_writes_and_no_other():
    assert [key for key, _ in ExportForm.base_fields["format"].choices] == list(exchange.FORMATS)


def test_the_project_page_links_to_the_export_page(project, annotator):
    body = client_for(annotator).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert reverse("project_export", args=[project.pk]) in body


def test_a_project_csv_download_holds_every_mark_as_an_attachment(marked, reviewer):
    response = client_for(reviewer).get(reverse("project_export", args=[marked.project_id]), {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="purge-project-marks-')
    found = rows(response)
    assert len(found) == 3 and list(found[0]) == CSV_HEADER
    assert found[0]["note"] == "'=1+2"  # spreadsheet-safe by default


def test_raw_keeps_cells_exact(marked, annotator):
    response = client_for(annotator).get(
        reverse("project_export", args=[marked.project_id]), {"format": "csv", "raw": "on"}
    )
    assert rows(response)[0]["note"] == "=1+2"


def test_the_filters_combine(marked, annotator, annotator2, labels):
    url = reverse("project_export", args=[marked.project_id])
    client = client_for(annotator)
    by_label = rows(client.get(url, {"format": "csv", "f_label": labels["claim"].pk}))
    assert {r["label"] for r in by_label} == {"claim"} and len(by_label) == 2
    by_status = rows(client.get(url, {"format": "csv", "f_status": "accepted"}))
    assert [(r["annotator"], r["status"]) for r in by_status] == [("ann", "accepted")]
    by_author = rows(client.get(url, {"format": "csv", "f_author": annotator2.pk, "f_label": labels["claim"].pk}))
    assert [r["annotator"] for r in by_author] == ["ann2"]
    other = DocumentFactory(project=marked.project, title="Other")
    mark(other, annotator, 0, 3, labels["claim"])
    by_document = rows(client.get(url, {"format": "csv", "f_document": other.pk}))
    assert [r["document_title"] for r in by_document] == ["Other"]


def test_the_document_export_takes_the_panels_filter_names(marked, annotator, labels):
    other = DocumentFactory(project=marked.project, title="Other")
    mark(other, annotator, 0, 3, labels["claim"])
    url = reverse("document_export", args=[marked.pk])
    found = rows(
        client_for(annotator).get(url, {"format": "csv", "f_label": labels["claim"].pk, "f_status": "", "f_author": ""})
    )
    assert [(r["document_title"], r["label"]) for r in found] == [("Sample", "claim"), ("Sample", "claim")]
    response = client_for(annotator).get(url, {"format": "csv"})
    assert "-document-" in response["Content-Disposition"]


def test_the_document_page_exports_through_a_plain_form_of_its_own(marked, annotator):
    # Not through the filters' form: htmx would send its next request to the export (issue 18, item 5); the
    # filters' values join the download in the browser (tests/browser/test_export.py).
    body = client_for(annotator).get(reverse("document_detail", args=[marked.pk])).content.decode()
    url = reverse("document_export", args=[marked.pk])
    assert f'<form id="export-form" method="get" action="{url}" data-filters="filters">' in body
    assert 'name="format" value="csv"' in body and 'name="format" value="jsonld"' in body
    assert 'form="filters"' not in body and "formaction" not in body


def test_a_jsonld_download_is_a_collection_of_annotations(marked, annotator):
    response = client_for(annotator).get(reverse("document_export", args=[marked.pk]), {"format": "jsonld"})
    assert response["Content-Type"].startswith("application/ld+json")
    collection = json.loads(b"".join(response.streaming_content))
    assert collection["total"] == 3 and len(collection["first"]["items"]) == 3
    assert collection["id"].startswith("http://testserver/documents/")
    # The target names the version of the text the offsets refer to.
    assert (
        collection["first"]["items"][0]["target"]["source"]["id"]
        == f"http://testserver/documents/{marked.pk}/versions/1/"
    )


@pytest.mark.parametrize(
    "params,message",
    [
        ({"format": "xml"}, "Select a valid choice"),
        ({"format": "csv", "f_status": "maybe"}, "Select a valid choice"),
        ({"format": "csv", "f_author": "abc"}, "Select a valid choice"),
    ],
)
def test_a_bad_filter_is_refused_with_a_message_not_ignored(project, annotator, params, message):
    response = client_for(annotator).get(reverse("project_export", args=[project.pk]), params)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body and message in body


def test_a_label_or_document_of_another_project_is_refused(project, annotator):
    other = ProjectFactory(name="Other")
    foreign_doc = DocumentFactory(project=other)
    url = reverse("project_export", args=[project.pk])
    client = client_for(annotator)
    assert client.get(url, {"format": "csv", "f_label": other.labels.first().pk}).status_code == 400
    assert client.get(url, {"format": "csv", "f_document": foreign_doc.pk}).status_code == 400


def test_outsiders_get_404_for_every_export(marked, outsider):
    client = client_for(outsider)
    for url in [reverse("project_export", args=[marked.project_id]), reverse("document_export", args=[marked.pk])]:
        assert client.get(url).status_code == 404
        assert client.get(url, {"format": "csv"}).status_code == 404


def test_anonymous_users_are_sent_to_login(client, marked):
    response = client.get(reverse("document_export", args=[marked.pk]), {"format": "csv"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_exports_answer_only_get(marked, annotator):
    assert (
        client_for(annotator).post(reverse("project_export", args=[marked.project_id]), {"format": "csv"}).status_code
        == 405
    )


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.parametrize("file_format", ["csv", "jsonld", "links-csv"])
def test_an_export_makes_a_fixed_number_of_queries_whatever_the_number_of_marks(
    document, annotator, labels, monkeypatch, file_format
):
    monkeypatch.setattr(query, "CHUNK_SIZE", 5)  # so that many marks take several chunks
    client = client_for(annotator)
    url = reverse("project_export", args=[document.project_id])
    params = {"format": file_format, "f_label": labels["claim"].pk}

    def add(n):
        for start in range(n):
            a = mark(document, annotator, start, start + 1, labels["claim"])
            CitationFactory(annotation=a, locator=str(start))
            CitationFactory(annotation=a, locator="again")

    add(3)
    few = _queries(client, url, params)
    document.spans.all().delete()
    add(13)
    # session, user, membership, authors, the label filter, then: the same-claim links (for shared verdicts), marks
    # and citations (CSV); the counts of marks and links, the same-claim links, marks, citations and links (JSON-LD);
    # the links alone (links CSV)
    assert few == _queries(client, url, params) == {"csv": 8, "jsonld": 11, "links-csv": 6}[file_format]
    found = rows(client.get(url, {**params, "format": "csv"})) if file_format == "csv" else None
    if found is not None:
        assert [r["source_ids"].count("|") for r in found] == [1] * 13


def test_the_export_page_makes_a_fixed_number_of_queries_whatever_the_project_holds(project, reviewer, labels):
    client = client_for(reviewer)
    url = reverse("project_export", args=[project.pk])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    for n in range(5):
        DocumentFactory(project=project, title=f"Extra {n}")
        mark_author = UserFactory(username=f"extra{n}")
        MembershipFactory(user=mark_author, project=project)
    assert count() == before


def test_a_mark_sent_back_to_pending_shows_and_exports_no_review_but_its_history_keeps_it(
    document, annotator, reviewer, labels
):
    # An edit after review left the old reviewer, time and note on the pending mark: the panel read "Pending by
    # reviewer", and both exports carried the review.
    first = mark(document, annotator, 0, 10, labels["claim"])
    first = services.review_annotation(user=reviewer, annotation=first, status="accepted", note="Checked the archive.")
    services.update_annotation(user=annotator, annotation=first, version=first.version, note="Reworded.")
    client = client_for(annotator)
    [row] = rows(client.get(reverse("document_export", args=[document.pk]), {"format": "csv"}))
    assert (row["status"], row["reviewer"], row["reviewed_at"], row["review_note"]) == ("pending", "", "", "")
    collection = json.loads(
        b"".join(client.get(reverse("document_export", args=[document.pk]), {"format": "jsonld"}).streaming_content)
    )
    [item] = collection["first"]["items"]
    assert item["reviewStatus"] == "pending" and not {"reviewer", "reviewed", "reviewNote"} & set(item)
    panel = client.get(reverse("annotation_detail", args=[first.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Pending</span> by" not in panel and "Review note:" not in panel
    assert "Accepted" in panel and "Checked the archive." in panel  # in the mark's history
