"""The idle poll: with the page's pass (annotator/poll_pass.py) a 204 in one query; without a valid pass, Django's
own login decides, as for any request, and the answer brings a fresh pass."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotator import poll_pass
from annotator.models import Document, Membership

from .conftest import client_for

pytestmark = pytest.mark.django_db


def poll(client, document, since=None, pass_=None):
    since = Document.objects.get(pk=document.pk).revision if since is None else since
    query = {"since": since} if pass_ is None else {"since": since, "pass": pass_}
    return client.get(reverse("document_changes", args=[document.pk]), query, HTTP_HX_REQUEST="true")


def logged_in(client, username, password="pw"):
    assert client.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    return client


def page_pass(client, document) -> str:
    """The pass the document page hands its poller."""
    import re

    html = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    return re.search(r'name="pass" value="([^"]+)"', html).group(1)


@pytest.fixture
def member(annotator):
    annotator.set_password("pw")
    annotator.save()
    return annotator


def test_a_member_polling_an_unchanged_document_with_the_page_pass_gets_204_in_one_query(document, member):
    client = logged_in(Client(), member.username)
    pass_ = page_pass(client, document)
    since = Document.objects.get(pk=document.pk).revision
    with CaptureQueriesContext(connection) as queries:
        response = poll(client, document, since=since, pass_=pass_)
    assert response.status_code == 204
    assert len(queries) == 1, "\n".join(q["sql"] for q in queries)  # no session, no user: the pass says who
    assert "no-store" in response["Cache-Control"]  # a proxy must not keep "nothing changed"


def test_without_a_pass_django_decides_and_the_answer_brings_a_fresh_pass(document, member):
    client = logged_in(Client(), member.username)
    response = poll(client, document)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="poll-pass"' in html and "hx-swap-oob" in html and 'id="block-' not in html  # only the pass, renewed
    fresh = html.split('name="pass" value="')[1].split('"')[0]
    assert poll_pass.holder(fresh, document.pk) == member.pk
    assert poll(client, document, pass_=fresh).status_code == 204


def test_a_pass_is_for_its_document_its_user_and_its_lifetime(document, member, project, settings):
    from .factories import DocumentFactory

    other = DocumentFactory(project=project)
    token = poll_pass.issue(member.pk, document.pk)
    assert poll_pass.holder(token, document.pk) == member.pk
    assert poll_pass.holder(token, other.pk) is None  # another document of the same project
    assert poll_pass.holder(token[:-1] + ("A" if token[-1] != "A" else "B"), document.pk) is None  # altered
    assert (
        poll_pass.holder(
            signing.TimestampSigner(key="not the server's secret", salt=poll_pass.SALT).sign(
                f"{member.pk}.{document.pk}"
            ),
            document.pk,
        )
        is None
    )  # forged
    assert poll_pass.holder("", document.pk) is None and poll_pass.holder(None, document.pk) is None
    settings.SECRET_KEY = "another secret key for this test, long enough to pass"
    assert poll_pass.holder(token, document.pk) is None  # signed with a secret the server no longer has


def test_an_expired_pass_goes_the_ordinary_way(document, member, monkeypatch):
    client = logged_in(Client(), member.username)
    pass_ = page_pass(client, document)
    later = time.time() + poll_pass.LIFETIME + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = poll(client, document, pass_=pass_)
    assert response.status_code == 200 and 'name="pass"' in response.content.decode()  # renewed through the login
    assert poll(Client(), document, pass_=pass_).status_code == 302  # and without a login: the login page


def test_a_pass_of_a_removed_member_or_a_deactivated_user_stops_at_once(document, member):
    client = logged_in(Client(), member.username)
    pass_ = page_pass(client, document)
    member.is_active = False
    member.save()
    assert poll(client, document, pass_=pass_).status_code == 302
    member.is_active = True
    member.save()
    client = logged_in(Client(), member.username)
    assert poll(client, document, pass_=pass_).status_code == 204
    Membership.objects.filter(user=member).delete()
    assert poll(client, document, pass_=pass_).status_code == 404


def test_a_pass_only_ever_says_nothing_changed(document, member, labels):
    """A pass is not a login: with a change to report, the request goes through Django's login."""
    client = logged_in(Client(), member.username)
    pass_ = page_pass(client, document)
    before = Document.objects.get(pk=document.pk).revision
    client_for(member).post(
        reverse("annotation_create", args=[document.pk]),
        {"start": 0, "end": 5, "exact": document.text[:5], "label": labels["claim"].pk, "since": before},
        HTTP_HX_REQUEST="true",
    )
    Session.objects.all().delete()  # logged out meanwhile
    assert poll(Client(), document, since=before, pass_=pass_).status_code == 302


def test_a_changed_document_answers_with_its_changes(document, member, labels):
    client = logged_in(Client(), member.username)
    before = Document.objects.get(pk=document.pk).revision
    client_for(member).post(
        reverse("annotation_create", args=[document.pk]),
        {"start": 0, "end": 5, "exact": document.text[:5], "label": labels["claim"].pk, "since": before},
        HTTP_HX_REQUEST="true",
    )
    response = poll(client, document, since=before)
    assert response.status_code == 200
    assert 'id="block-0"' in response.content.decode()


def test_an_outsider_gets_404_not_204(document, outsider):
    outsider.set_password("pw")
    outsider.save()
    client = logged_in(Client(), outsider.username)
    assert poll(client, document).status_code == 404


def test_no_login_is_sent_to_the_login_page(document, member):
    response = poll(Client(), document)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_session_ended_on_the_server_no_longer_polls(document, member):
    client = logged_in(Client(), member.username)
    Session.objects.all().delete()  # a logout elsewhere, or an admin ending sessions
    assert poll(client, document).status_code == 302


def test_an_expired_session_no_longer_polls(document, member):
    client = logged_in(Client(), member.username)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert poll(client, document).status_code == 302


def test_a_password_changed_since_the_login_ends_it(document, member):
    client = logged_in(Client(), member.username)
    member.set_password("a new password")
    member.save()
    assert poll(client, document).status_code == 302


def test_a_deactivated_user_no_longer_polls(document, member):
    client = logged_in(Client(), member.username)
    member.is_active = False
    member.save()
    assert poll(client, document).status_code == 302


def test_session_data_signed_with_another_secret_is_refused(document, member, outsider):
    client = logged_in(Client(), member.username)
    session = Session.objects.get()
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    # Another user's id in the stored data, signed with a secret that is not the server's.
    forged = signing.dumps(
        session.get_decoded() | {"_auth_user_id": str(outsider.pk)},
        key="not the server's secret",
        salt=store.key_salt,
        serializer=store.serializer,
        compress=True,
    )
    Session.objects.filter(pk=session.pk).update(session_data=forged)
    assert poll(client, document).status_code == 302


def test_a_cookie_naming_no_session_gets_the_login_page(document, member):
    client = Client()
    client.cookies["sessionid"] = "not-a-session-key"
    assert poll(client, document).status_code == 302


@pytest.mark.parametrize("document_id", [2**63, 10**20])
def test_an_id_past_64_bits_is_no_document_not_an_error(member, document_id):
    # SQLite refuses such a number outright (OverflowError); it names no row, so the answer is 404.
    client = logged_in(Client(), member.username)
    for name in ("document_changes", "document_detail", "document_map", "mark_count"):
        assert client.get(reverse(name, args=[document_id]), {"since": 0}).status_code == 404, name
