"""The live poll's pass: a short-lived signed token in an open page's poll URL.

Every open document page asks every few seconds whether its marks changed, and almost always nothing has. Through
Django's login that question costs a session read and a user read before the one that matters (about 0.7 ms of a
1.5 ms answer on SQLite). The page is given a pass instead: the user's and the document's ids signed with the
server's secret (django.core.signing), valid for LIFETIME seconds. A poll holding a valid pass for its document
gets its 204 ("nothing changed") after one query that also checks the user is still an active member of the
project. Everything else (no pass, an expired or forged one, another document, a change to report) goes through
Django's authentication like any request, and the answer carries a fresh pass.

What a pass grants is only that 204. A logout or a password change ends it within LIFETIME; a removed member or a
deactivated user loses it at once.
"""

from __future__ import annotations

from django.core import signing

from .models import Document

SALT = "annotator.poll-pass"
LIFETIME = 120  # seconds


def issue(user_id: int, document_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{user_id}.{document_id}")


def holder(token: str | None, document_id: int) -> int | None:
    """The id of the user the pass was issued to for this document, while it is valid; None otherwise."""
    if not token:
        return None
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=LIFETIME)
    except signing.BadSignature:  # forged, altered or expired (SignatureExpired is a BadSignature)
        return None
    user_id, _, signed_document = value.partition(".")
    if signed_document != str(document_id):
        return None
    return int(user_id)


def unchanged(token: str | None, document_id: int, since: int) -> bool:
    """Whether the pass is valid for the document, its holder still an active member, and the revision `since`."""
    user_id = holder(token, document_id)
    if user_id is None:
        return False
    try:
        revision = Document.objects.values_list("revision", flat=True).get(
            pk=document_id, project__memberships__user_id=user_id, project__memberships__user__is_active=True
        )
    except Document.DoesNotExist:
        return False
    return revision == since
