"""The webhooks pages: a manager adds, changes, disables, tests and deletes hooks and reads their delivery log."""

import pytest

from annotator.models import Webhook, WebhookAttempt, WebhookDelivery
from annotator.services import webhooks

from .conftest import client_for

PUBLIC = "https://93.184.216.34/hook"  # a public address literal: checked without DNS


@pytest.fixture
def hook(manager, project):
    return webhooks.add_webhook(user=manager, project=project, url=PUBLIC, events=["mark.created"])


def test_a_manager_adds_a_hook_and_reads_its_secret(manager, project):
    client = client_for(manager)
    response = client.post(
        f"/projects/{project.pk}/webhooks/", {"url": PUBLIC, "events": ["mark.created", "mark.deleted"]}
    )
    hook = Webhook.objects.get(project=project)
    assert response.status_code == 302 and response.url == f"/webhooks/{hook.pk}/"
    assert hook.events == ["mark.created", "mark.deleted"] and len(hook.secret) == 64
    page = client.get(response.url).content.decode()
    assert hook.secret in page and "Nothing sent yet" in page
    assert PUBLIC in client.get(f"/projects/{project.pk}/webhooks/").content.decode()


def test_it_refuses_a_private_address_with_the_reason(manager, project):
    response = client_for(manager).post(
        f"/projects/{project.pk}/webhooks/", {"url": "http://10.0.0.7/hook", "events": ["mark.created"]}
    )
    assert response.status_code == 422
    assert "not public" in response.content.decode() and not Webhook.objects.exists()


def test_it_refuses_a_hook_without_events(manager, project):
    response = client_for(manager).post(f"/projects/{project.pk}/webhooks/", {"url": PUBLIC})
    assert response.status_code == 422 and response.content.decode().count("Choose at least one event") == 1


def test_a_manager_changes_and_disables_a_hook(manager, hook):
    response = client_for(manager).post(
        f"/webhooks/{hook.pk}/", {"action": "save", "url": PUBLIC + "2", "events": ["link.created"]}
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.url, hook.events, hook.active) == (PUBLIC + "2", ["link.created"], False)


def test_a_manager_deletes_a_hook(manager, hook, project):
    response = client_for(manager).post(f"/webhooks/{hook.pk}/", {"action": "delete"})
    assert response.status_code == 302 and response.url == f"/projects/{project.pk}/webhooks/"
    assert not Webhook.objects.exists()


def test_send_a_test_answers_htmx_with_the_log(manager, hook, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(manager).post(f"/webhooks/{hook.pk}/", {"action": "test"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and len(callbacks) == 1  # sent once the request's writes commit
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="delivery-log"') and "ping" in body
    assert response.headers["Vary"] == "HX-Request" or "HX-Request" in response.headers["Vary"]
    assert WebhookDelivery.objects.get(webhook=hook).event == "ping"


def test_the_log_shows_each_attempt_and_escapes_what_the_receiver_said(manager, hook):
    delivery = WebhookDelivery.objects.create(webhook=hook, event="mark.created", body="{}", state="failed", attempts=1)
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=1,
        at=delivery.created_at,
        status_code=500,
        error="The receiver answered HTTP 500 (Internal Server Error).",
        duration_ms=12,
        response_excerpt="<script>alert(1)</script>",
    )
    page = client_for(manager).get(f"/webhooks/{hook.pk}/").content.decode()
    assert "1: HTTP 500, 12 ms" in page and "Internal Server Error" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_members_who_are_not_managers_are_refused_and_outsiders_see_nothing(annotator, reviewer, outsider, hook):
    for user in (annotator, reviewer):
        assert client_for(user).get(f"/webhooks/{hook.pk}/").status_code == 403
        assert client_for(user).post(f"/webhooks/{hook.pk}/", {"action": "delete"}).status_code == 403
    assert client_for(outsider).get(f"/webhooks/{hook.pk}/").status_code == 404
    assert client_for(outsider).get(f"/projects/{hook.project_id}/webhooks/").status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_an_unknown_action_is_refused(manager, hook):
    response = client_for(manager).post(f"/webhooks/{hook.pk}/", {"action": "explode"})
    assert response.status_code == 422 and "Unknown action" in response.content.decode()


def test_the_log_alone_answers_htmx_and_a_history_restore_gets_the_page(manager, hook):
    client = client_for(manager)
    part = client.get(f"/webhooks/{hook.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<section id="delivery-log"') and hook.secret not in part
    restored = client.get(
        f"/webhooks/{hook.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    ).content.decode()
    assert "<html" in restored and hook.secret in restored
