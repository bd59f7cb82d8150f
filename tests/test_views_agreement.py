"""The agreement pages: who may see them, what they show, and their query counts."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import services

from .conftest import client_for


def mark(user, document, start, end, label):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label
    )


def test_the_agreement_page_sorts_marks_and_shows_the_figures_with_their_definitions(
    document, annotator, annotator2, labels
):
    mark(annotator, document, 0, 3, labels["claim"])
    mark(annotator2, document, 0, 3, labels["claim"])
    mark(annotator, document, 4, 10, labels["claim"])
    mark(annotator2, document, 4, 10, labels["evidence"])
    mark(annotator, document, 11, 20, labels["quotation"])
    body = client_for(annotator).get(reverse("document_agreement", args=[document.pk])).content.decode()
    assert "Editors: ann, ann2." in body
    for heading in [
        "Same span, same label (1)",
        "Same span, other label (2)",
        "Overlapping spans (0)",
        "Marked by one editor only (1)",
    ]:
        assert heading in body, heading
    # Claim: ann {(0,3), (4,10)}, ann2 {(0,3)}: exact F1 = 2/3.
    claim_row = re.search(r"Claim</th><td>ann · ann2</td>\s*<td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", body)
    assert claim_row.groups()[:2] == ("0.67", "0.67")
    for term in ["F1, exact", "F1, overlap", "Cohen's κ (tokens)", "run of non-space characters"]:
        assert term in body, term


def test_a_document_marked_by_one_editor_says_agreement_needs_two(document, annotator, labels):
    mark(annotator, document, 0, 3, labels["claim"])
    body = client_for(annotator).get(reverse("document_agreement", args=[document.pk])).content.decode()
    assert "needs marks by two or more editors" in body and "only ann has" in body


def test_the_index_links_documents_with_two_editors(project, document, annotator, annotator2, labels):
    mark(annotator, document, 0, 3, labels["claim"])
    url = reverse("document_agreement", args=[document.pk])
    assert url not in client_for(annotator).get(reverse("agreement_index", args=[project.pk])).content.decode()
    mark(annotator2, document, 0, 3, labels["claim"])
    assert url in client_for(annotator).get(reverse("agreement_index", args=[project.pk])).content.decode()


def test_every_member_sees_agreement_and_outsiders_get_404(project, document, annotator, reviewer, manager, outsider):
    for user in (annotator, reviewer, manager):
        assert client_for(user).get(reverse("document_agreement", args=[document.pk])).status_code == 200
        assert client_for(user).get(reverse("agreement_index", args=[project.pk])).status_code == 200
    assert client_for(outsider).get(reverse("document_agreement", args=[document.pk])).status_code == 404
    assert client_for(outsider).get(reverse("agreement_index", args=[project.pk])).status_code == 404


def test_the_agreement_page_takes_a_fixed_number_of_queries(document, annotator, annotator2, reviewer, labels):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client_for(reviewer).get(reverse("document_agreement", args=[document.pk])).status_code == 200
        return len(ctx.captured_queries)

    mark(annotator, document, 0, 3, labels["claim"])
    mark(annotator2, document, 0, 3, labels["claim"])
    few = count()
    for i in range(4, 40, 4):
        mark(annotator, document, i, i + 3, labels["evidence"])
        mark(annotator2, document, i + 1, i + 3, labels["evidence"])
        mark(reviewer, document, i, i + 2, labels["quotation"])
    assert count() == few
