"""The document page and its mark endpoints, driven as htmx drives them, bad input included."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Document, Span

from .conftest import client_for, events
from .factories import DocumentFactory, ProjectFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def create(client, document, start, end, label, exact=None, since=0):
    exact = document.text[start:end] if exact is None else exact
    return client.post(
        reverse("annotation_create", args=[document.pk]),
        {"start": start, "end": end, "exact": exact, "label": label.pk, "since": since},
        **HTMX,
    )


def test_the_document_page_shows_the_text_in_pieces_with_offsets(document, annotator):
    body = client_for(annotator).get(reverse("document_detail", args=[document.pk])).content.decode()
    starts = [int(s) for s in re.findall(r'data-start="(\d+)"', body)]
    assert 0 in starts
    assert 'aria-label="Text of the document"' in body
    for name in ["Claim", "Evidence", "Quotation"]:
        assert f">{name}<kbd" in body


def test_creating_a_mark_redraws_its_block_the_list_and_the_poller(document, annotator, labels):
    response = create(client_for(annotator), document, 0, 10, labels["claim"])
    assert response.status_code == 200
    body = response.content.decode()
    annotation = Annotation.objects.get()
    assert f'data-marks="{annotation.pk}"' in body
    assert 'id="block-0" class="block" hx-swap-oob="true"' in body
    assert 'id="list-updates" hidden hx-swap-oob="true"' in body
    assert 'id="since" name="since" value="1"' in body
    assert events(response) == ["annotation-saved"]


def test_a_plain_post_redirects_to_the_mark(document, annotator, labels):
    response = client_for(annotator).post(
        reverse("annotation_create", args=[document.pk]),
        {"start": 0, "end": 3, "exact": document.text[:3], "label": labels["claim"].pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("annotation_detail", args=[Annotation.objects.get().pk])


def test_a_mark_takes_exactly_the_characters_sent(document, annotator, labels):
    # Snapping a selection to words is the page's (annotator.js); the server neither trims nor widens what it gets.
    start, end = document.text.index(" The arch"), document.text.index("archives") + 4
    assert create(client_for(annotator), document, start, end, labels["claim"]).status_code == 200
    assert Annotation.objects.get().span.exact == " The arch"
    start, end = document.text.index("thing"), document.text.index("Getty")
    assert create(client_for(annotator), document, start, end, labels["claim"]).status_code == 200
    assert Annotation.objects.get(span__start=start).span.exact == "thing.\n\u00a0\n"


@pytest.mark.parametrize(
    "data,message",
    [
        ({"start": 0, "end": 99999, "exact": "x"}, "outside the text"),
        ({"start": -1, "end": 3, "exact": "Did"}, "greater than or equal to 0"),
        ({"start": 5, "end": 5, "exact": " "}, "empty"),
        ({"start": 0, "end": 3, "exact": "Dud"}, "does not match"),
        ({"start": "a", "end": 3, "exact": "Did"}, "whole number"),
        ({"start": 0, "end": 3}, "required"),
    ],
)
def test_bad_offsets_get_a_message_and_save_nothing(document, annotator, labels, data, message):
    response = client_for(annotator).post(
        reverse("annotation_create", args=[document.pk]), {**data, "label": labels["claim"].pk}, **HTMX
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body and message in body
    assert not Span.objects.exists() and not Annotation.objects.exists()
    assert Document.objects.get(pk=document.pk).revision == 0


def test_a_label_of_another_project_is_refused(document, annotator):
    foreign = ProjectFactory(name="Other").labels.get(key="claim")
    response = create(client_for(annotator), document, 0, 3, foreign)
    assert response.status_code == 422
    assert "not one of this project" in response.content.decode()
    assert not Annotation.objects.exists()


def test_posts_without_a_csrf_token_are_refused(document, annotator, labels):
    client = client_for(annotator, enforce_csrf_checks=True)
    response = create(client, document, 0, 3, labels["claim"])
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_posts_with_the_csrf_header_htmx_sends_are_accepted(document, annotator, labels):
    client = client_for(annotator, enforce_csrf_checks=True)
    client.get(reverse("document_detail", args=[document.pk]))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("annotation_create", args=[document.pk]),
        {"start": 0, "end": 3, "exact": document.text[:3], "label": labels["claim"].pk},
        HTTP_X_CSRFTOKEN=token,
        **HTMX,
    )
    assert response.status_code == 200 and Annotation.objects.count() == 1


def test_the_poll_answers_204_when_nothing_changed(document, annotator):
    from annotator import poll_pass

    query = {"since": 0, "pass": poll_pass.issue(annotator.pk, document.pk)}
    response = client_for(annotator).get(reverse("document_changes", args=[document.pk]), query, **HTMX)
    assert response.status_code == 204 and response.content == b""


def test_the_poll_sends_another_editors_mark(document, annotator, annotator2, labels):
    create(client_for(annotator), document, 0, 10, labels["claim"])
    response = client_for(annotator2).get(reverse("document_changes", args=[document.pk]), {"since": 0}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "ann" in body and 'value="1"' in body
    assert f'data-marks="{Annotation.objects.get().pk}"' in body


def test_the_poll_redraws_only_the_blocks_that_changed(document, annotator, annotator2, labels):
    create(client_for(annotator), document, 0, 10, labels["claim"])
    second_block = document.text.index("Getty")
    create(client_for(annotator), document, second_block, second_block + 5, labels["claim"])
    body = (
        client_for(annotator2)
        .get(reverse("document_changes", args=[document.pk]), {"since": 1}, **HTMX)
        .content.decode()
    )
    assert 'id="block-1"' in body and 'id="block-0"' not in body


def test_the_author_edits_label_and_note(document, annotator, labels):
    client = client_for(annotator)
    create(client, document, 0, 3, labels["claim"])
    a = Annotation.objects.get()
    response = client.post(
        reverse("annotation_update", args=[a.pk]),
        {"label": labels["evidence"].pk, "note": "<b>bold</b>", "version": 1, "since": 1},
        **HTMX,
    )
    assert response.status_code == 200
    a.refresh_from_db()
    assert (a.label.key, a.note, a.version) == ("evidence", "<b>bold</b>", 2)
    assert "&lt;b&gt;bold&lt;/b&gt;" in response.content.decode()


def test_a_stale_edit_gets_a_conflict_message_not_an_overwrite(document, annotator, labels):
    client = client_for(annotator)
    create(client, document, 0, 3, labels["claim"])
    a = Annotation.objects.get()
    services.update_annotation(user=annotator, annotation=a, version=1, note="first")
    response = client.post(
        reverse("annotation_update", args=[a.pk]), {"label": labels["claim"].pk, "note": "second", "version": 1}, **HTMX
    )
    assert response.status_code == 409
    assert "changed this mark</strong> after you opened it" in response.content.decode()
    assert Annotation.objects.get().note == "first"


def test_a_stale_edit_keeps_what_was_typed_beside_the_saved_version_and_saves_on_the_second_try(
    document, annotator, reviewer, labels
):
    # A reviewer's decision raised the version under the author's open panel; the author's save used to come back
    # with the saved note in the form and the typed one gone (issue 18, item 6).
    client = client_for(annotator)
    create(client, document, 0, 3, labels["claim"])
    a = Annotation.objects.get()
    services.update_annotation(user=annotator, annotation=a, version=1, note="saved <i>note</i>")
    services.review_annotation(user=reviewer, annotation=a, status="accepted", note="fine", version=2)
    url = reverse("annotation_update", args=[a.pk])
    response = client.post(url, {"label": labels["evidence"].pk, "note": "typed <b>note</b>", "version": 1}, **HTMX)
    assert response.status_code == 409
    body = response.content.decode()
    notice = body[body.index('class="mark-changed"') : body.index("</div>", body.index('class="mark-changed"'))]
    assert "rev changed this mark</strong> after you opened it (Accepted), so your change was not saved" in notice
    assert "saved &lt;i&gt;note&lt;/i&gt;" in notice and "Accepted</span> by rev" in notice and "fine" in notice
    # The form: what was typed, at the version saved now.
    assert '<textarea name="note" cols="40" rows="3" id="id_note">\ntyped &lt;b&gt;note&lt;/b&gt;</textarea>' in body
    assert f'<option value="{labels["evidence"].pk}" selected>' in body
    assert 'name="version" value="3"' in body
    assert Annotation.objects.get().note == "saved <i>note</i>"
    again = client.post(
        url, {"label": labels["evidence"].pk, "note": "typed <b>note</b>", "version": 3, "since": 0}, **HTMX
    )
    assert again.status_code == 200
    a.refresh_from_db()
    assert (a.note, a.label.key, a.status, a.version) == ("typed <b>note</b>", "evidence", "pending", 4)


def test_an_edit_of_a_mark_deleted_meanwhile_shows_the_note_that_was_typed(document, annotator, labels, outsider):
    client = client_for(annotator)
    create(client, document, 0, 3, labels["claim"])
    a = Annotation.objects.get()
    services.delete_annotation(user=annotator, annotation=a, version=1)
    data = {"label": labels["claim"].pk, "note": "typed <b>this</b>", "version": 1}
    response = client.post(reverse("annotation_update", args=[a.pk]), data, **HTMX)
    assert response.status_code == 409
    body = response.content.decode()
    assert "This mark was deleted meanwhile; nothing was saved." in body and "typed &lt;b&gt;this&lt;/b&gt;" in body
    # To anyone outside its project, it is any unknown id.
    assert client_for(outsider).post(reverse("annotation_update", args=[a.pk]), data, **HTMX).status_code == 404


def _poll(user, document, since, open_mark):
    return client_for(user).get(
        reverse("document_changes", args=[document.pk]), {"since": since, "open_mark": open_mark}, **HTMX
    )


def test_the_poll_brings_the_open_marks_panel_anew_when_it_changed(document, annotator, annotator2, labels):
    a = services.annotate(
        user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"]
    )
    services.update_annotation(
        user=annotator, annotation=a, version=1, label=labels["evidence"], note="now <b>this</b>"
    )
    body = _poll(annotator2, document, 1, f"{a.pk}.1").content.decode()
    update = body[body.index('<template id="mark-update"') :]
    assert f'hx-swap-oob="true" data-mark="{a.pk}"' in update
    assert "Updated: ann changed this mark (Label Claim → Evidence; Changed the note)." in update
    assert "now &lt;b&gt;this&lt;/b&gt;" in update and f'id="open-mark" name="open_mark" value="{a.pk}.2"' in update
    assert 'class="mark-changed" role="alert" data-version="2"' in update
    # Unchanged, or another change to the document: no panel.
    for open_mark in (f"{a.pk}.2", "", "x", f"{a.pk}", f"{a.pk}.x", "1" * 30 + ".1", "-1.1", f"{a.pk}.-2"):
        assert "mark-update" not in _poll(annotator2, document, 1, open_mark).content.decode()


def test_the_poll_says_when_the_open_mark_is_gone_and_tells_nothing_of_other_projects_marks(
    document, annotator, annotator2, labels, outsider
):
    a = services.annotate(
        user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"]
    )
    services.delete_annotation(user=annotator, annotation=a, version=1)
    body = _poll(annotator2, document, 1, f"{a.pk}.1").content.decode()
    assert "This mark was deleted meanwhile." in body and 'data-version=""' in body
    elsewhere = outsider.memberships.get().project
    theirs = services.annotate(
        user=outsider,
        document=DocumentFactory(project=elsewhere, title="Theirs"),
        start=0,
        end=3,
        exact=document.text[:3],
        label=elsewhere.labels.get(key="claim"),
        note="secret",
    )
    body = _poll(annotator2, document, 1, f"{theirs.pk}.0").content.decode()
    assert "secret" not in body and "This mark was deleted meanwhile." in body


def test_the_idle_poll_stays_one_query_with_a_mark_open(document, annotator, labels):
    from annotator import poll_pass

    a = services.annotate(
        user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"]
    )
    client = client_for(annotator)
    query = {"since": 1, "open_mark": f"{a.pk}.1", "pass": poll_pass.issue(annotator.pk, document.pk)}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("document_changes", args=[document.pk]), query, **HTMX)
    assert response.status_code == 204 and len(captured) == 1


def test_another_users_mark_is_read_only_and_forged_posts_are_refused(document, annotator, annotator2, labels):
    create(client_for(annotator), document, 0, 3, labels["claim"])
    a = Annotation.objects.get()
    other = client_for(annotator2)
    page = other.get(reverse("annotation_detail", args=[a.pk]), **HTMX).content.decode()
    assert "Only ann can change this mark" in page and "Delete mark" not in page
    edit = other.post(
        reverse("annotation_update", args=[a.pk]), {"label": labels["evidence"].pk, "note": "x", "version": 1}, **HTMX
    )
    delete = other.post(reverse("annotation_delete", args=[a.pk]), {"version": 1}, **HTMX)
    assert edit.status_code == 403 and delete.status_code == 403
    assert "Only the author" in delete.content.decode()
    a.refresh_from_db()
    assert (a.label.key, a.note) == ("claim", "")


def test_the_author_deletes_a_mark(document, annotator, labels):
    client = client_for(annotator)
    create(client, document, 0, 3, labels["claim"])
    a = Annotation.objects.get()
    response = client.post(reverse("annotation_delete", args=[a.pk]), {"version": 1, "since": 1}, **HTMX)
    assert response.status_code == 200 and "Mark deleted" in response.content.decode()
    assert not Annotation.objects.exists()


def test_the_mark_list_filters_by_label_author_and_status(document, annotator, annotator2, labels):
    create(client_for(annotator), document, 0, 3, labels["claim"])
    create(client_for(annotator2), document, 4, 10, labels["evidence"])
    client = client_for(annotator)
    url = reverse("mark_list", args=[document.pk])

    def listed(**params):
        body = client.get(url, params, **HTMX).content.decode()
        return re.findall(r'<span class="badge">(\w+)</span>', body)

    assert listed() == ["Claim", "Evidence"]
    assert listed(f_label=labels["evidence"].pk) == ["Evidence"]
    assert listed(f_author=annotator2.pk) == ["Evidence"]
    assert listed(f_status="accepted") == []


def test_user_text_is_escaped_everywhere(project, manager, labels):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    doc = services.add_document(user=manager, project=project, title=evil, text=f"Text {evil} more")
    start = doc.text.index("<script>")
    services.annotate(
        user=manager, document=doc, start=start, end=start + 8, exact="<script>", label=labels["claim"], note=evil
    )
    body = client_for(manager).get(reverse("document_detail", args=[doc.pk])).content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def _mark_many(document, users, labels, n):
    step = max(1, (len(document.text) - 4) // n)
    for i in range(n):
        start = (i * step) % (len(document.text) - 4)
        user = users[i % len(users)]
        label = list(labels.values())[i % 3]
        if not Annotation.objects.filter(
            span__document=document, span__start=start, span__end=start + 3, created_by=user, label=label
        ).exists():
            services.annotate(
                user=user,
                document=document,
                start=start,
                end=start + 3,
                exact=document.text[start : start + 3],
                label=label,
            )


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code in (200, 204)
    return len(ctx.captured_queries)


def test_the_document_page_runs_a_fixed_number_of_queries(document, annotator, annotator2, labels):
    client = client_for(annotator)
    url = reverse("document_detail", args=[document.pk])
    _mark_many(document, [annotator], labels, 2)
    # Warm up: a document's layout is kept per process after its first use (one query then), as its text is.
    _queries(client, url)
    few = _queries(client, url)
    _mark_many(document, [annotator, annotator2], labels, 40)
    assert Annotation.objects.count() > 30
    assert _queries(client, url) == few


def _statements(queries) -> list[str]:
    """Each statement as its verb and table ("INSERT annotator_span"), transaction control left out."""
    said = []
    for query in queries:
        words = query["sql"].replace('"', "").split()
        verb = words[0].upper()
        if verb in ("SELECT", "UPDATE", "INSERT", "DELETE"):
            table = (
                words[words.index("FROM") + 1] if verb in ("SELECT", "DELETE") else words[1 if verb == "UPDATE" else 2]
            )
            said.append(f"{verb} {table}")
    return said


def test_adding_a_mark_from_the_page_takes_these_statements(document, annotator, labels):
    """The hot write, statement by statement: who is asking (session, user), the document with the membership, the
    label, the lock (which also checks the membership, reads the version and whether the project has an active
    hook: none here, so no hooks are looked up), the span, the mark and its history, its search entry, the Change
    row, and the marks of the blocks the answer redraws."""
    client = client_for(annotator)
    create(client, document, 0, 3, labels["claim"], since=0)  # warm up: the layout and the text are kept per process
    with CaptureQueriesContext(connection) as ctx:
        response = create(client, document, 4, 10, labels["claim"], since=1)
    assert response.status_code == 200
    assert _statements(ctx.captured_queries) == [
        "SELECT django_session",
        "SELECT auth_user",
        "SELECT annotator_document",
        "SELECT annotator_label",
        "UPDATE annotator_document",
        "INSERT annotator_span",
        "INSERT annotator_annotation",
        "INSERT annotator_historicalannotation",
        "INSERT annotator_searchentry",
        "INSERT annotator_change",
        "SELECT annotator_annotation",
    ]


def test_the_poll_and_the_list_run_a_fixed_number_of_queries(document, annotator, annotator2, labels):
    client = client_for(annotator)
    poll = reverse("document_changes", args=[document.pk])
    _mark_many(document, [annotator], labels, 2)
    # Warm up: a document's layout is kept per process after its first use (one query then), as its text is.
    _queries(client, poll + "?since=1", **HTMX)
    few = (_queries(client, poll + "?since=1", **HTMX), _queries(client, reverse("mark_list", args=[document.pk])))
    _mark_many(document, [annotator, annotator2], labels, 40)
    many = (_queries(client, poll + "?since=1", **HTMX), _queries(client, reverse("mark_list", args=[document.pk])))
    assert many == few
    document.refresh_from_db()
    assert _queries(client, poll + f"?since={document.revision}", **HTMX) <= 3


def test_a_mark_made_on_a_page_two_changes_behind_redraws_every_change_since(document, annotator, annotator2, labels):
    """The answer to a write skips reading the changes only when the page was current; a page behind gets them all."""
    create(client_for(annotator2), document, 0, 5, labels["claim"], since=0)
    create(client_for(annotator2), document, 20, 25, labels["claim"], since=1)
    response = create(client_for(annotator), document, 40, 45, labels["evidence"], since=0)
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'data-regions="([^"]*)"', body).group(1).split() == ["0-5", "20-25", "40-45"]
    assert 'value="3"' in body  # the poller asks from the revision the three marks made
