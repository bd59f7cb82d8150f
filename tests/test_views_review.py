"""The review queue and the review endpoint, for every role, driven as htmx drives them, forged requests included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import services
from annotator.models import Document, Status

from .conftest import client_for, events
from .factories import CitationFactory, DocumentFactory, MembershipFactory, ProjectFactory, SourceFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def mark(user, document, start, end, label, **kw):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label, **kw
    )


def review(client, annotation, status="accepted", note="", version=None, headers=None, **extra):
    data = {"status": status, "note": note, "version": annotation.version if version is None else version, **extra}
    return client.post(reverse("annotation_review", args=[annotation.pk]), data, **HTMX, **(headers or {}))


@pytest.fixture
def pending(document, annotator, labels):
    return mark(annotator, document, 0, 3, labels["claim"], note="Stalin's intent")


# The queue ---------------------------------------------------------------------------------------


def test_the_queue_lists_pending_marks_oldest_first_with_context_and_sources(
    document, annotator, annotator2, reviewer, labels
):
    first = mark(annotator, document, 4, 10, labels["claim"])
    second = mark(annotator2, document, 0, 3, labels["evidence"])
    done = mark(annotator2, document, 11, 15, labels["claim"])
    services.review_annotation(user=reviewer, annotation=done, status=Status.ACCEPTED)
    source = SourceFactory(project=document.project, title="Getty, Origins of the Great Purges")
    CitationFactory(annotation=second, source=source, locator="pp. 113-138")
    body = client_for(reviewer).get(reverse("review_queue", args=[document.project_id])).content.decode()
    assert body.index(f'id="review-{first.pk}"') < body.index(f'id="review-{second.pk}"')
    assert f'id="review-{done.pk}"' not in body
    assert '<span class="ctx">…Did </span><mark class="exact">Stalin</mark>' in body
    assert "Getty, Origins of the Great Purges, pp. 113-138" in body
    assert "2 pending marks" in body


def test_the_queue_leaves_out_the_reviewers_own_marks(document, annotator, reviewer, labels):
    other = mark(annotator, document, 0, 3, labels["claim"])
    own = mark(reviewer, document, 4, 10, labels["claim"])
    body = client_for(reviewer).get(reverse("review_queue", args=[document.project_id])).content.decode()
    assert f'id="review-{other.pk}"' in body and f'id="review-{own.pk}"' not in body


def test_the_queue_filters_by_document_label_and_author(project, document, annotator, annotator2, reviewer, labels):
    other_doc = DocumentFactory(project=project, title="Other")
    a = mark(annotator, document, 0, 3, labels["claim"])
    b = mark(annotator2, document, 4, 10, labels["evidence"])
    c = mark(annotator, other_doc, 0, 3, labels["evidence"])
    client = client_for(reviewer)
    url = reverse("review_queue", args=[project.pk])

    def listed(**params):
        body = client.get(url, params, **HTMX).content.decode()
        return {x.pk for x in (a, b, c) if f'id="review-{x.pk}"' in body}

    assert listed() == {a.pk, b.pk, c.pk}
    assert listed(document=document.pk) == {a.pk, b.pk}
    assert listed(label=labels["evidence"].pk) == {b.pk, c.pk}
    assert listed(author=annotator.pk) == {a.pk, c.pk}
    assert listed(author=annotator.pk, label=labels["evidence"].pk) == {c.pk}


def test_a_filter_naming_another_projects_document_is_ignored(project, document, annotator, reviewer, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    foreign = DocumentFactory(project=ProjectFactory(name="Other"))
    body = (
        client_for(reviewer).get(reverse("review_queue", args=[project.pk]), {"document": foreign.pk}).content.decode()
    )
    assert f'id="review-{a.pk}"' in body and foreign.title not in body


def test_the_queue_answers_htmx_with_the_list_only(document, annotator, reviewer, labels):
    mark(annotator, document, 0, 3, labels["claim"])
    response = client_for(reviewer).get(reverse("review_queue", args=[document.project_id]), **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="queue"') and "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_the_queue_is_for_reviewers_and_managers(document, annotator, reviewer, manager, outsider):
    url = reverse("review_queue", args=[document.project_id])
    assert client_for(reviewer).get(url).status_code == 200
    assert client_for(manager).get(url).status_code == 200
    response = client_for(annotator).get(url)
    assert response.status_code == 403 and "reviewers and managers may review" in response.content.decode()
    assert client_for(outsider).get(url).status_code == 404


def test_the_queue_takes_a_fixed_number_of_queries(project, document, annotator, annotator2, reviewer, labels):
    def count_queries():
        client = client_for(reviewer)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("review_queue", args=[project.pk])).status_code == 200
        return len(ctx.captured_queries)

    a = mark(annotator, document, 0, 3, labels["claim"])
    CitationFactory(annotation=a)
    few = count_queries()
    other_doc = DocumentFactory(project=project, title="Second")
    for i, (user, doc) in enumerate([(annotator2, document), (annotator, other_doc), (annotator2, other_doc)] * 3):
        m = mark(user, doc, i, i + 4, labels["evidence"])
        CitationFactory(annotation=m)
    assert count_queries() == few


# Reviewing from the queue ------------------------------------------------------------------------


def test_a_reviewer_accepts_a_mark_with_a_note_and_gets_its_entry_back(pending, reviewer):
    response = review(client_for(reviewer), pending, "accepted", note="Sound reading of Getty.")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="review-{pending.pk}"' in body and 'data-review-item="accepted"' in body
    assert "Accepted" in body and "Sound reading of Getty." in body
    assert events(response) == ["review-changed"]
    pending.refresh_from_db()
    assert (pending.status, pending.reviewed_by.username, pending.review_note) == (
        "accepted",
        "rev",
        "Sound reading of Getty.",
    )
    assert Document.objects.get(pk=pending.span.document_id).revision == 2


def test_a_manager_rejects_a_mark(pending, manager):
    response = review(client_for(manager), pending, "rejected")
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == "rejected" and pending.reviewed_by == manager


def test_an_annotator_cannot_review(pending, annotator2):
    response = review(client_for(annotator2), pending)
    assert response.status_code == 403
    body = response.content.decode()
    assert 'role="alert"' in body and "reviewers and managers may review" in body
    assert "<form" not in body
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.reviewed_by is None


def test_nobody_reviews_their_own_mark(document, reviewer, labels):
    own = mark(reviewer, document, 0, 3, labels["claim"])
    response = review(client_for(reviewer), own)
    assert response.status_code == 403 and "own mark" in response.content.decode()
    own.refresh_from_db()
    assert own.status == "pending"


def test_outsiders_get_404_and_anonymous_users_go_to_login(pending, outsider, client):
    assert review(client_for(outsider), pending).status_code == 404
    response = review(client, pending)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_reviewer_of_another_project_cannot_reach_this_projects_marks(pending):
    elsewhere = UserFactory(username="foreign-rev")
    MembershipFactory(user=elsewhere, project=ProjectFactory(name="Far away"), role="reviewer")
    assert review(client_for(elsewhere), pending).status_code == 404
    assert (
        client_for(elsewhere).get(reverse("review_queue", args=[pending.span.document.project_id])).status_code == 404
    )


@pytest.mark.parametrize(
    "data,message",
    [
        ({"status": "approved"}, "not a review decision"),
        ({"status": ""}, "Choose Accept or Reject"),
        ({"version": ""}, "version is missing"),
        ({"version": "x"}, "whole number"),
        ({"note": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(pending, reviewer, data, message):
    response = review(client_for(reviewer), pending, **{"version": pending.version, "status": "accepted", **data})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body and message in body
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.version == 1


def test_a_stale_version_is_a_conflict_with_the_mark_as_it_stands(pending, annotator, reviewer):
    services.update_annotation(user=annotator, annotation=pending, version=1, note="rewritten")
    response = review(client_for(reviewer), pending, version=1, note="typed <b>here</b>")
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed after you opened it" in body and "rewritten" in body and 'name="version" value="2"' in body
    assert ">typed &lt;b&gt;here&lt;/b&gt;</textarea>" in body  # what the reviewer typed is kept (issue 18, item 6)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_stale_review_from_the_panel_keeps_the_note_typed_beside_the_saved_version(pending, annotator, reviewer):
    services.update_annotation(user=annotator, annotation=pending, version=1, note="rewritten")
    response = review(client_for(reviewer), pending, version=1, note="typed <b>here</b>", origin="panel")
    assert response.status_code == 409
    body = response.content.decode()
    assert "ann changed this mark</strong> after you opened it (Changed the note), so your change was not saved" in body
    assert '<p class="note"><strong>Note:</strong> rewritten</p>' in body
    assert ">typed &lt;b&gt;here&lt;/b&gt;</textarea>" in body and 'name="version" value="2"' in body
    again = review(client_for(reviewer), pending, version=2, note="typed <b>here</b>", origin="panel")
    assert again.status_code == 200
    pending.refresh_from_db()
    assert (pending.status, pending.review_note) == ("accepted", "typed <b>here</b>")


@pytest.mark.parametrize("origin", ["panel", "queue"])
def test_a_review_of_a_mark_deleted_meanwhile_shows_the_note_typed(pending, annotator, reviewer, outsider, origin):
    services.delete_annotation(user=annotator, annotation=pending, version=1)
    response = review(client_for(reviewer), pending, note="typed <b>here</b>", origin=origin)
    assert response.status_code == 409
    body = response.content.decode()
    assert "deleted meanwhile" in body and "typed &lt;b&gt;here&lt;/b&gt;" in body
    assert review(client_for(outsider), pending, note="x", origin=origin).status_code == 404


def test_two_reviewers_on_the_same_mark_the_second_is_told(pending, reviewer, manager):
    assert review(client_for(reviewer), pending, "accepted", version=1).status_code == 200
    response = review(client_for(manager), pending, "rejected", version=1)
    assert response.status_code == 409
    assert 'data-review-item="accepted"' in response.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.reviewed_by.username) == ("accepted", "rev")


def test_review_refuses_get(pending, reviewer):
    assert client_for(reviewer).get(reverse("annotation_review", args=[pending.pk])).status_code == 405


def test_a_review_without_a_csrf_token_is_refused(pending, reviewer):
    client = client_for(reviewer, enforce_csrf_checks=True)
    assert review(client, pending).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_review_with_the_csrf_header_htmx_sends_is_accepted(pending, reviewer):
    client = client_for(reviewer, enforce_csrf_checks=True)
    client.get(reverse("review_queue", args=[pending.span.document.project_id]))
    response = review(client, pending, headers={"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value})
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == "accepted"


def test_a_plain_post_redirects_back_to_the_queue(pending, reviewer):
    response = client_for(reviewer).post(
        reverse("annotation_review", args=[pending.pk]), {"status": "accepted", "version": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("review_queue", args=[pending.span.document.project_id])


# Reviewing from the mark's panel -----------------------------------------------------------------


def test_the_panel_offers_review_to_reviewers_but_not_to_the_author_or_annotators(
    pending, annotator, annotator2, reviewer, labels
):
    url = reverse("annotation_detail", args=[pending.pk])
    assert 'class="mark-review"' in client_for(reviewer).get(url, **HTMX).content.decode()
    assert 'class="mark-review"' not in client_for(annotator2).get(url, **HTMX).content.decode()
    assert 'class="mark-review"' not in client_for(annotator).get(url, **HTMX).content.decode()
    own = mark(reviewer, pending.span.document, 4, 10, labels["claim"])
    body = client_for(reviewer).get(reverse("annotation_detail", args=[own.pk]), **HTMX).content.decode()
    assert 'class="mark-review"' not in body and "cannot review your own mark" in body


def test_reviewing_from_the_panel_redraws_the_panel_list_and_blocks(pending, reviewer):
    response = review(client_for(reviewer), pending, "rejected", note="Misreads the source.", origin="panel", since=1)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<section id="mark-detail"' in body and 'id="list-updates" hidden hx-swap-oob="true"' in body
    assert "Misreads the source." in body and "status-rejected" in body
    assert 'id="since" name="since" value="2"' in body
    assert events(response) == ["review-changed"]


def test_a_refused_review_from_the_panel_shows_the_message_in_the_panel(pending, annotator2):
    response = review(client_for(annotator2), pending, origin="panel")
    assert response.status_code == 403
    body = response.content.decode()
    assert '<section id="mark-detail"' in body and 'role="alert"' in body


def test_the_author_sees_the_outcome_and_the_note_on_the_mark(pending, annotator, reviewer):
    review(client_for(reviewer), pending, "rejected", note="Getty says the opposite on p. 120.")
    body = client_for(annotator).get(reverse("annotation_detail", args=[pending.pk])).content.decode()
    assert "status-rejected" in body and "Rejected</span> by rev" in body
    assert "Getty says the opposite on p. 120." in body


def test_a_review_note_is_escaped(pending, annotator, reviewer):
    review(client_for(reviewer), pending, "rejected", note="<script>alert(1)</script>")
    body = client_for(annotator).get(reverse("annotation_detail", args=[pending.pk])).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    queue_body = (
        client_for(reviewer)
        .post(
            reverse("annotation_review", args=[pending.pk]),
            {"status": "pending", "version": pending.version + 1, "note": "<b>x</b>"},
            **HTMX,
        )
        .content.decode()
    )
    assert "<b>x</b>" not in queue_body
