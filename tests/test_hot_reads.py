"""The plain-SQL reads on the path of every write (annotator/hot_reads.py) give what the ORM gives."""
import pytest
from django.http import Http404

from annotator import hot_reads
from annotator.models import Document, Membership
from annotator.permissions import document_for

pytestmark = pytest.mark.django_db


def _fields(obj):
    return {k: v for k, v in obj.__dict__.items() if not k.startswith("_")}


@pytest.mark.parametrize("text", [True, False])
def test_the_document_and_membership_are_those_the_orm_reads(document, manager, text):
    found, membership = hot_reads.document_with_membership(manager, document.pk, text=text)
    expected = Document.objects.select_related("project").get(pk=document.pk)
    if not text:
        assert "text" not in found.__dict__  # deferred: read when first used
        assert found.text == expected.text
    assert _fields(found) == _fields(expected)
    assert _fields(found.project) == _fields(expected.project)
    assert _fields(membership) == _fields(Membership.objects.get(user=manager, project=document.project))
    assert membership.user is manager and membership.project is found.project
    assert found.created_at.tzinfo is not None  # converted from SQLite's text, as the ORM does
    # Equal values can hide a wrong type (1 == True): the types are the ORM's too.
    for obj, like in [(found, expected), (found.project, expected.project)]:
        assert {k: type(v) for k, v in _fields(obj).items()} == {k: type(v) for k, v in _fields(like).items()}


def test_outsiders_and_unknown_documents_get_nothing(document, outsider, manager):
    assert hot_reads.document_with_membership(outsider, document.pk, text=False) is None
    assert hot_reads.document_with_membership(manager, document.pk + 1000, text=False) is None
    for wrong in [document.pk + 1000, "x", None]:
        with pytest.raises(Http404):
            document_for(manager, wrong)
    with pytest.raises(Http404):
        document_for(outsider, document.pk)


def test_the_backend_reads_the_user_the_orm_reads_and_refuses_the_inactive(manager):
    from django.contrib.auth import get_user_model

    from annotator.auth import ModelBackend

    backend = ModelBackend()
    user = backend.get_user(str(manager.pk))  # as the session holds it
    expected = get_user_model().objects.get(pk=manager.pk)
    assert _fields(user) == _fields(expected)
    assert {k: type(v) for k, v in _fields(user).items()} == {k: type(v) for k, v in _fields(expected).items()}
    assert user.is_active is True and user.is_superuser is False  # booleans, not SQLite's 1 and 0
    assert user.last_login is None or user.last_login.tzinfo is not None
    assert backend.get_user(manager.pk + 1000) is None and backend.get_user("not a number") is None
    get_user_model().objects.filter(pk=manager.pk).update(is_active=False)
    assert backend.get_user(manager.pk) is None


def test_the_session_store_reads_live_sessions_only():
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from annotator.sessions import SessionStore

    store = SessionStore()
    store["answer"] = 42
    store.save()
    assert SessionStore(session_key=store.session_key).load() == {"answer": 42}
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(session_key=store.session_key)
    assert expired.load() == {} and expired.session_key is None
