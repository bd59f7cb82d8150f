"""The idle poll's question, asked in two plain SQL queries: is this request a live login of a member of
the document's project, and what is the document's revision?

Every open page asks every few seconds, and almost always nothing has changed, so the answer "nothing"
(204) must cost next to nothing. Through the ORM it took three queries and about 2 ms of building them;
here it is two prepared statements. It only ever says yes to a plain case: a database session signed by
this server, of an active user authenticated by the model backend, whose password has not changed since
the login (Django's session hash, current secret). Anything else (no cookie, an expired or forged session,
another backend, an old secret, an outsider) gets None and the view takes the ordinary path, where
Django's own authentication decides and the usual redirect, 404 or redraw follows.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.crypto import constant_time_compare

from .models import Document, Membership
from .sessions import SessionStore
from .text import row_id

# The backend whose get_user() this module stands in for: it loads the user by id and wants it active.
MODEL_BACKEND = "annotator.auth.ModelBackend"
DATABASE_SESSIONS = "annotator.sessions"


def _sql():
    quote = connection.ops.quote_name
    User = get_user_model()
    member = (
        f"SELECT u.{quote(User._meta.get_field('password').column)}, u.{quote('is_active')}, d.{quote('revision')}"
        f" FROM {quote(Document._meta.db_table)} d"
        f" JOIN {quote(Membership._meta.db_table)} m ON m.{quote('project_id')} = d.{quote('project_id')}"
        f" JOIN {quote(User._meta.db_table)} u ON u.{quote(User._meta.pk.column)} = m.{quote('user_id')}"
        f" WHERE d.{quote('id')} = %s AND m.{quote('user_id')} = %s"
    )
    return member


def member_revision(request, document_id: int) -> int | None:
    """The document's revision when the request comes from a member's live login; None when that is not
    plainly so (the caller then asks Django)."""
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key or settings.SESSION_ENGINE != DATABASE_SESSIONS or row_id(document_id) is None:
        return None
    data = SessionStore(session_key=key).load()  # one statement; {} for no live session or forged data
    if data.get(BACKEND_SESSION_KEY) != MODEL_BACKEND or MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return None
    User = get_user_model()
    try:
        user_id = User._meta.pk.to_python(data.get(SESSION_KEY))
    except ValidationError:  # a value the key field cannot read: not a plain case
        return None
    session_hash = data.get(HASH_SESSION_KEY)
    if user_id is None or not session_hash:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [document_id, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    password, is_active, revision = row
    if not is_active:
        return None
    # The hash Django stores at login from the password: a password changed since ends the login.
    if not constant_time_compare(session_hash, User(pk=user_id, password=password).get_session_auth_hash()):
        return None
    return revision
