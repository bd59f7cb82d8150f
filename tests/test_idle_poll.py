"""The idle poll's fast answer (annotator/idle_poll.py): a 204 in two plain queries for a member's live login,
and for anything else the ordinary path, where Django's authentication decides."""
from datetime import timedelta

import pytest
from annotator.sessions import SessionStore
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotator import idle_poll
from annotator.models import Document

from .conftest import client_for

pytestmark = pytest.mark.django_db


def poll(client, document, since=None):
    since = Document.objects.get(pk=document.pk).revision if since is None else since
    return client.get(reverse("document_changes", args=[document.pk]), {"since": since}, HTTP_HX_REQUEST="true")


def logged_in(client, username, password="pw"):
    assert client.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    return client


@pytest.fixture
def member(annotator):
    annotator.set_password("pw")
    annotator.save()
    return annotator


def test_a_member_polling_an_unchanged_document_gets_204_in_two_queries(document, member):
    client = logged_in(Client(), member.username)
    revision = Document.objects.get(pk=document.pk).revision
    with CaptureQueriesContext(connection) as queries:
        response = poll(client, document, since=revision)
    assert response.status_code == 204
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert "no-store" in response["Cache-Control"]  # a proxy must not keep "nothing changed"


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
    store = SessionStore()
    # Another user's id in the stored data, signed with a secret that is not the server's.
    forged = signing.dumps(session.get_decoded() | {"_auth_user_id": str(outsider.pk)}, key="not the server's secret",
                           salt=store.key_salt, serializer=store.serializer, compress=True)
    Session.objects.filter(pk=session.pk).update(session_data=forged)
    assert poll(client, document).status_code == 302


def test_a_cookie_naming_no_session_gets_the_login_page(document, member):
    client = Client()
    client.cookies["sessionid"] = "not-a-session-key"
    assert poll(client, document).status_code == 302


class FakeRequest:
    def __init__(self, cookies):
        self.COOKIES = cookies


def test_member_revision_says_none_for_another_backend(document, member, settings):
    client = logged_in(Client(), member.username)
    key = client.cookies["sessionid"].value
    assert idle_poll.member_revision(FakeRequest({"sessionid": key}), document.pk) == Document.objects.get(pk=document.pk).revision
    store = SessionStore(session_key=key)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"  # not the backend it stands in for
    store.save()
    assert idle_poll.member_revision(FakeRequest({"sessionid": key}), document.pk) is None


def test_member_revision_says_none_for_another_document_or_none_at_all(document, member, project):
    from .factories import DocumentFactory, ProjectFactory

    client = logged_in(Client(), member.username)
    key = client.cookies["sessionid"].value
    elsewhere = DocumentFactory(project=ProjectFactory(name="Not theirs"))
    assert idle_poll.member_revision(FakeRequest({"sessionid": key}), elsewhere.pk) is None
    assert idle_poll.member_revision(FakeRequest({"sessionid": key}), 10**9) is None
    assert idle_poll.member_revision(FakeRequest({}), document.pk) is None


@pytest.mark.parametrize("document_id", [2**63, 10**20])
def test_an_id_past_64_bits_is_no_document_not_an_error(member, document_id):
    # SQLite refuses such a number outright (OverflowError); it names no row, so the answer is 404.
    client = logged_in(Client(), member.username)
    for name in ("document_changes", "document_detail", "document_map", "mark_count"):
        assert client.get(reverse(name, args=[document_id]), {"since": 0}).status_code == 404, name
