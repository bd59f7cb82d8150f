"""Two gunicorn processes on one PostgreSQL database: nothing a user relies on lives in one process's memory.

Sessions, login failures and the documents' revision counters are in the database, so it does not matter
which server a request reaches (a load balancer without sticky sessions). The browser version, two editors
marking one document through two servers, is tests/browser/test_scaleout.py.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session

from annotator.models import Annotation, Document

from .servers import Visitor

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests"


def test_a_login_on_one_server_holds_on_the_other_and_a_logout_ends_it_on_both(servers, annotator):
    one, two = (server.url for server in servers)
    visitor = Visitor()
    assert visitor.log_in(one, "ann", PASSWORD) == 302
    assert Session.objects.count() == 1

    status, _, page = visitor.get(two, "/")
    assert status == 200 and "Signed in as <strong>ann</strong>" in page

    assert visitor.post(two, "/accounts/logout/", {})[0] == 302
    assert Session.objects.count() == 0
    status, headers, _ = visitor.get(one, "/")
    assert status == 302 and headers["Location"].startswith("/accounts/login/")


def test_failed_logins_on_both_servers_add_up_to_one_lockout(servers, annotator, settings):
    one, two = (server.url for server in servers)
    limit = settings.AXES_FAILURE_LIMIT  # the servers run with the same default
    attempts = [one if n % 2 else two for n in range(limit)]
    statuses = [Visitor().log_in(url, "ann", "wrong") for url in attempts]
    assert statuses[:-1] == [200] * (limit - 1)  # the form again, with its message
    assert statuses[-1] == 429  # the attempt that reached the limit, on whichever server it landed
    assert AccessAttempt.objects.get(username="ann").failures_since_start == limit
    # Locked out on both servers, even with the right password.
    for url in (one, two):
        assert Visitor().log_in(url, "ann", PASSWORD) == 429


def test_a_mark_saved_on_one_server_is_what_the_other_polls(servers, document, annotator, labels):
    one, two = (server.url for server in servers)
    writer, reader = Visitor(), Visitor()
    assert writer.log_in(one, "ann", PASSWORD) == 302
    assert reader.log_in(two, "ann", PASSWORD) == 302
    poll = f"/documents/{document.pk}/changes/?since={document.revision}"
    assert reader.get(two, poll, headers={"HX-Request": "true"})[0] == 204

    exact = document.text[:10]
    status, headers, _ = writer.post(
        one,
        f"/documents/{document.pk}/annotations/",
        {"start": 0, "end": 10, "exact": exact, "label": labels["claim"].pk},
    )
    assert status == 302, headers
    mark = Annotation.objects.get()
    assert headers["Location"] == f"/annotations/{mark.pk}/"

    revision = Document.objects.get(pk=document.pk).revision
    assert revision == document.revision + 1
    status, _, fragment = reader.get(two, poll, headers={"HX-Request": "true"})
    assert status == 200 and f'data-marks="{mark.pk}"' in fragment and f'value="{revision}"' in fragment
    assert (
        reader.get(two, f"/documents/{document.pk}/changes/?since={revision}", headers={"HX-Request": "true"})[0] == 204
    )
