"""Webhooks (annotator/services/webhooks.py, deliveries.py): what each write emits, how it is signed, sent, retried and refused,
against a receiver served in the test."""

from __future__ import annotations

import datetime
import http.server
import io
import json
import re
import threading
import types
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotator import services
from annotator.exchange.readers import ImportLink
from annotator.models import Annotation, LinkType, Webhook, WebhookAttempt, WebhookDelivery
from annotator.services import deliveries, imports, versions, webhooks
from annotator.services import links as link_services

from .factories import DocumentFactory
from .test_services_imports import row as import_row

ALL = list(Webhook.Event.values)


class Receiver:
    """A local HTTP server that records each POST (headers, body) and answers `fail` times 500 before 200s."""

    def __init__(self, fail: int = 0, status: int = 200, headers: dict | None = None, body: bytes = b"ok"):
        self.received: list[tuple[dict, bytes]] = []
        self.fail, self.status, self.extra, self.answer = fail, status, headers or {}, body
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                failing = len(receiver.received) <= receiver.fail
                self.send_response(500 if failing else receiver.status)
                for name, value in receiver.extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]


def _readme_check():
    """The receiver's check, as the README shows it (its snippet, run as it is)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    [snippet] = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verified" in block]
    scope: dict = {}
    exec(snippet, scope)
    return scope["verified"]


verified = _readme_check()


@pytest.fixture
def private_allowed(settings):
    settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES = True


@pytest.fixture
def receiver(private_allowed):
    with Receiver() as r:
        yield r


def mark(user, document, word, label, on_commit):
    start = document.text.index(word)
    with on_commit(execute=True):
        return services.annotate(
            user=user, document=document, start=start, end=start + len(word), exact=word, label=label
        )


def test_a_mark_made_is_delivered_signed_with_enough_to_act_on(
    receiver, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=["mark.created"])
    made = mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    [(headers, body)] = receiver.received
    assert verified(hook.secret, headers, body)
    assert headers["X-Annotator-Event"] == "mark.created" and headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    assert payload["event"] == "mark.created"
    assert payload["project"] == {"id": document.project_id, "name": "Purge project"}
    [item] = payload["items"]
    start = document.text.index("Stalin")
    assert item["id"] == made.pk and (item["start"], item["end"], item["text"]) == (start, start + 6, "Stalin")
    assert item["document"]["id"] == document.pk and item["document"]["title"] == "Sample"
    assert item["document"]["url"].endswith(f"/documents/{document.pk}/")
    assert item["label"] == {"key": "claim", "name": "Claim"} and item["author"] == "ann"
    assert item["state"] == "pending" and item["version"] == made.version
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.state == "delivered" and delivery.attempts == 1
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 200 and attempt.error == "" and attempt.response_excerpt == "ok"


def test_a_tampered_body_fails_the_check(
    receiver, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
    mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    [(headers, body)] = receiver.received
    assert not verified(hook.secret, headers, body.replace(b"Stalin", b"Stalen"))
    assert not verified("another secret", headers, body)


def test_a_failed_delivery_is_tried_again_later_and_each_attempt_logged(
    private_allowed, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    with Receiver(fail=2) as receiver:
        hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
        mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get(webhook=hook)
        assert delivery.state == "waiting" and delivery.attempts == 1
        first_wait = delivery.next_attempt_at - delivery.attempt_log.get().at
        assert deliveries.attempt_delivery(delivery.pk).state == "waiting"
        delivery.refresh_from_db()
        assert delivery.next_attempt_at - delivery.attempt_log.get(number=2).at > first_wait  # waits longer each time
        assert deliveries.attempt_delivery(delivery.pk).state == "delivered"
        assert deliveries.attempt_delivery(delivery.pk) is None  # delivered: nothing more is sent
    assert len(receiver.received) == 3
    assert all(verified(hook.secret, headers, body) for headers, body in receiver.received)
    assert len({body for _, body in receiver.received}) == 1  # the same delivery each time
    log = list(WebhookAttempt.objects.filter(delivery__webhook=hook).values_list("number", "status_code"))
    assert log == [(1, 500), (2, 500), (3, 200)]
    assert "HTTP 500" in WebhookAttempt.objects.get(delivery__webhook=hook, number=1).error


def test_the_log_keeps_a_hook_s_last_30_days(receiver, manager, project, django_capture_on_commit_callbacks):
    hook = webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=ALL)
    old = WebhookDelivery.objects.create(webhook=hook, event="ping", body="{}", state="delivered")
    stuck = WebhookDelivery.objects.create(
        webhook=hook,
        event="ping",
        body="{}",
        state="waiting",
        next_attempt_at=timezone.now() + datetime.timedelta(hours=1),
    )
    WebhookDelivery.objects.filter(pk__in=[old.pk, stuck.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        new = webhooks.send_test(user=manager, webhook=hook)
    assert set(WebhookDelivery.objects.values_list("pk", flat=True)) == {stuck.pk, new.pk}


def test_deliveries_a_stopped_worker_or_a_lost_task_left_are_taken_up_again(receiver, manager, project):
    hook = webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=ALL)
    now = timezone.now()

    def delivery(state, due, made=now):
        made_one = WebhookDelivery.objects.create(
            webhook=hook, event="ping", body="{}", state=state, next_attempt_at=due
        )
        WebhookDelivery.objects.filter(pk=made_one.pk).update(created_at=made)
        return made_one.pk

    minutes = datetime.timedelta(minutes=1)
    abandoned = delivery("sending", now - minutes)  # its worker stopped mid-send
    lost = delivery("waiting", None, made=now - 10 * minutes)  # its task never ran
    overdue = delivery("waiting", now - 10 * minutes)  # its retry's task was lost
    sending = delivery("sending", now + minutes)  # being sent now
    later = delivery("waiting", now + 10 * minutes)  # a retry not yet due
    fresh = delivery("waiting", None)  # just made: its task is on its way
    out = io.StringIO()
    call_command("resume_webhooks", stdout=out)
    assert out.getvalue() == "3 stalled deliveries queued again.\n"
    states = dict(WebhookDelivery.objects.values_list("pk", "state"))
    assert [states[pk] for pk in (abandoned, lost, overdue)] == ["delivered"] * 3
    assert [states[pk] for pk in (sending, later, fresh)] == ["sending", "waiting", "waiting"]
    assert len(receiver.received) == 3
    assert deliveries.resume_stalled() == []


def test_a_queue_that_refuses_the_task_fails_no_write_and_the_delivery_waits_to_be_taken_up(
    receiver, manager, annotator, document, labels, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=["mark.created"])

    def refused(*args, **kwargs):
        raise ConnectionError("the task backend is down")

    monkeypatch.setattr(deliveries, "deliver_webhooks", types.SimpleNamespace(enqueue=refused))
    made = mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    assert Annotation.objects.filter(pk=made.pk).exists() and receiver.received == []
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.state == "waiting" and "Could not queue webhook deliveries" in caplog.text
    monkeypatch.undo()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    assert deliveries.resume_stalled() == [delivery.pk]
    assert WebhookDelivery.objects.get(pk=delivery.pk).state == "delivered" and len(receiver.received) == 1


def test_the_attempts_are_bounded(
    private_allowed, settings, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    settings.ANNOTATOR_WEBHOOK_ATTEMPTS = 2
    with Receiver(fail=10) as receiver:
        hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
        mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get(webhook=hook)
        assert deliveries.attempt_delivery(delivery.pk).state == "failed"
        assert deliveries.attempt_delivery(delivery.pk) is None
    assert len(receiver.received) == 2


def test_a_rolled_back_write_sends_nothing(
    receiver, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
    start = document.text.index("Stalin")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.annotate(
                user=annotator, document=document, start=start, end=start + 6, exact="Stalin", label=labels["claim"]
            )
            raise RuntimeError("the request failed after the mark was made")
    assert callbacks == [] and receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_refused_write_sends_nothing(
    receiver, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ActionRefused):
        services.annotate(user=annotator, document=document, start=0, end=3, exact="nope", label=labels["claim"])
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_hook_gets_only_the_events_it_chose(
    receiver, manager, annotator, reviewer, document, labels, django_capture_on_commit_callbacks
):
    webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=["mark.reviewed"])
    made = mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    assert receiver.received == []
    with django_capture_on_commit_callbacks(execute=True):
        services.review_annotation(user=reviewer, annotation=made, status="accepted", note="Checked")
    [payload] = receiver.payloads()
    assert payload["event"] == "mark.reviewed"
    assert payload["items"][0]["state"] == "accepted" and payload["items"][0]["reviewed_by"] == "rev"


def test_a_disabled_hook_is_sent_nothing(
    receiver, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
    webhooks.update_webhook(user=manager, webhook=hook, url=receiver.url, events=ALL, active=False)
    mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def _hook_lookups(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"annotator_webhook"' in q["sql"]]


def test_a_write_where_no_hook_is_active_looks_up_none(
    receiver, manager, outsider, annotator, reviewer, document, labels, django_capture_on_commit_callbacks
):
    """The document's lock reads whether the project has an active hook: without one, a write makes no query for
    hooks (adding a mark is the hot write); a hook of another project does not count, and an active one is sent."""
    elsewhere = outsider.memberships.get().project
    webhooks.add_webhook(user=outsider, project=elsewhere, url=receiver.url, events=ALL)
    hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
    webhooks.update_webhook(user=manager, webhook=hook, url=receiver.url, events=ALL, active=False)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        first = mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
        first = services.update_annotation(user=annotator, annotation=first, version=first.version, note="Checked")
        services.review_annotation(user=reviewer, annotation=first, status="accepted")
    assert _hook_lookups(queries) == [] and not WebhookDelivery.objects.exists()
    webhooks.update_webhook(user=manager, webhook=hook, url=receiver.url, events=ALL, active=True)
    with CaptureQueriesContext(connection) as queries:
        made = mark(annotator, document, "Getty", labels["claim"], django_capture_on_commit_callbacks)
    assert len(_hook_lookups(queries)) >= 1
    [payload] = receiver.payloads()
    assert payload["project"]["id"] == document.project_id and payload["items"][0]["id"] == made.pk


def test_a_deleted_mark_is_delivered_with_its_last_state_and_its_links(
    receiver, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    first = mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    second = mark(annotator, document, "Getty", labels["evidence"], django_capture_on_commit_callbacks)
    supports = LinkType.objects.get(project=document.project, key="supports")
    webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        link = link_services.create_link(user=annotator, from_annotation=second, to_annotation=first, type=supports)
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_annotation(user=annotator, annotation=first, version=first.version, note="Their words")
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_annotation(user=annotator, annotation=first, version=first.version)
    events = [p["event"] for p in receiver.payloads()]
    assert events == ["link.created", "mark.updated", "mark.deleted", "link.deleted"]
    created, updated, deleted, unlinked = receiver.payloads()
    assert created["items"][0]["from"]["text"] == "Getty" and created["items"][0]["to"]["id"] == first.pk
    assert created["items"][0]["type"]["key"] == "supports"
    assert updated["items"][0]["note"] == "Their words"
    [gone] = deleted["items"]
    assert (gone["id"], gone["text"], gone["note"], gone["label"]["key"]) == (
        first.pk,
        "Stalin",
        "Their words",
        "claim",
    )
    assert gone["document"]["id"] == document.pk and gone["version"] == first.version
    assert unlinked["items"][0]["id"] == link.pk


def test_documents_and_versions_are_delivered(receiver, manager, project, document, django_capture_on_commit_callbacks):
    webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=ALL)
    with django_capture_on_commit_callbacks(execute=True):
        made = services.add_document(user=manager, project=project, title="Second", text="One line.\n")
    with django_capture_on_commit_callbacks(execute=True):
        versions.add_version(user=manager, document=made, text="One line, revised.\n", note="v2")
    added, revised = receiver.payloads()
    assert added["event"] == "document.created" and added["items"][0]["title"] == "Second"
    assert revised["event"] == "version.created"
    assert revised["items"][0]["number"] == 2 and revised["items"][0]["document"]["id"] == made.pk


def test_a_mark_re_attached_by_hand_is_delivered_as_updated(
    receiver, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    orphan = mark(annotator, document, "archives", labels["claim"], django_capture_on_commit_callbacks)
    versions.add_version(user=manager, document=document, text=document.text.replace("archives", "records"))
    document.refresh_from_db()
    webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=["mark.updated"])
    start = document.text.index("records")
    with django_capture_on_commit_callbacks(execute=True):
        versions.reattach_annotation(
            user=annotator, annotation=Annotation.objects.get(pk=orphan.pk), start=start, end=start + 7, exact="records"
        )
    [payload] = receiver.payloads()
    [item] = payload["items"]
    assert (item["id"], item["text"], item["start"], item["text_version"]) == (orphan.pk, "records", start, 2)


def _lines(count: int) -> str:
    return "".join(f"Line {i}: Did Stalin want it?\n" for i in range(count))


def test_a_bulk_write_is_sent_in_batches_saved_in_one_insert(
    private_allowed, settings, project, manager, annotator, labels, django_capture_on_commit_callbacks
):
    settings.ANNOTATOR_WEBHOOK_BATCH = 500
    document = DocumentFactory(project=project, text=_lines(1200))
    at = [m.start() for m in re.finditer("Stalin", document.text)]
    wanted = [services.NewMark(start=s, end=s + 6, exact="Stalin", label=labels["claim"]) for s in at]
    with Receiver() as one, Receiver() as two:
        for receiver in (one, two):
            webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=["mark.created"])
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            services.bulk_annotate(user=annotator, document=document, marks=wanted, cap=None)
        inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "annotator_webhookdelivery"')]
        assert len(inserts) == 1  # both hooks' deliveries, every batch: one statement
        for receiver in (one, two):
            sizes = [len(p["items"]) for p in receiver.payloads()]
            assert sizes == [500, 500, 200]
            assert {item["start"] for p in receiver.payloads() for item in p["items"]} == set(at)
    assert WebhookDelivery.objects.count() == 6 and set(WebhookDelivery.objects.values_list("state", flat=True)) == {
        "delivered"
    }


def test_an_imports_marks_and_links_are_sent_in_batches_each_saved_in_one_insert(
    private_allowed, settings, project, manager, annotator, django_capture_on_commit_callbacks
):
    """As a bulk write's: one look for the project's hooks and one INSERT of deliveries per event, however many
    links the file has, not one of each per link."""
    settings.ANNOTATOR_WEBHOOK_BATCH = 25
    document = DocumentFactory(project=project, text=_lines(61))
    at = [m.start() for m in re.finditer("Stalin", document.text)]
    rows = [
        replace(import_row(document, s, s + 6), line=i + 2, iri=f"mark:{i}", annotator="ann") for i, s in enumerate(at)
    ]
    chain = [
        ImportLink(
            line=i,
            type="same-as",
            from_iri=f"mark:{i}",
            to_iri=f"mark:{i + 1}",
            speaker="",
            note="",
            author="ann",
            status="pending",
        )
        for i in range(len(at) - 1)
    ]
    with Receiver() as receiver:
        webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=["mark.created", "link.created"])
        with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
            report = imports.import_marks(user=manager, rows=rows, links=chain)
        assert (report.created, report.links_created) == (61, 60)
        sqls = [q["sql"] for q in queries]
        inserts = [q for q in sqls if q.startswith('INSERT INTO "annotator_webhookdelivery"')]
        assert len(inserts) == 2  # the marks' deliveries, then the links'
        assert len([q for q in sqls if q.startswith("SELECT") and 'FROM "annotator_webhook" ' in q]) == 2
        sent = {}
        for payload in receiver.payloads():
            sent.setdefault(payload["event"], []).append(len(payload["items"]))
    assert sent == {"mark.created": [25, 25, 11], "link.created": [25, 25, 10]}
    assert WebhookDelivery.objects.filter(event="link.created", state="delivered").count() == 3


def test_a_bulk_write_is_sent_as_its_marks_are_when_sent(
    receiver, settings, project, manager, annotator, labels, django_capture_on_commit_callbacks
):
    """Its deliveries hold ids; the first attempt makes the body, leaving out a mark deleted meanwhile, and a retry
    sends those same bytes."""
    settings.ANNOTATOR_WEBHOOK_BATCH = 2
    document = DocumentFactory(project=project, text=_lines(3))
    at = [m.start() for m in re.finditer("Stalin", document.text)]
    wanted = [services.NewMark(start=s, end=s + 6, exact="Stalin", label=labels["claim"]) for s in at]
    hook = webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=["mark.created"])
    with django_capture_on_commit_callbacks() as callbacks:
        made = services.bulk_annotate(user=annotator, document=document, marks=wanted, cap=None)
    assert list(WebhookDelivery.objects.order_by("pk").values_list("refs", "body")) == [
        ({"mark": [made[0].pk, made[1].pk]}, ""),
        ({"mark": [made[2].pk]}, ""),
    ]
    services.delete_annotation(user=annotator, annotation=made[1])
    for callback in callbacks:
        callback()
    first, second = receiver.payloads()
    assert [item["id"] for item in first["items"]] == [made[0].pk] and first["items"][0]["text"] == "Stalin"
    assert [item["id"] for item in second["items"]] == [made[2].pk]
    assert first["project"] == {"id": project.pk, "name": "Purge project"}
    delivery = WebhookDelivery.objects.filter(webhook=hook).order_by("pk").first()
    assert delivery.body.encode() == receiver.received[0][1]


def test_a_private_address_is_refused_when_registered(manager, project):
    with pytest.raises(services.ActionRefused, match="not public"):
        webhooks.add_webhook(user=manager, project=project, url="http://127.0.0.1:9/hook", events=ALL)
    with pytest.raises(services.ActionRefused, match="link-local"):
        webhooks.add_webhook(user=manager, project=project, url="http://169.254.169.254/", events=ALL)
    with pytest.raises(services.ActionRefused, match="only http"):
        webhooks.add_webhook(user=manager, project=project, url="file:///etc/passwd", events=ALL)
    assert not Webhook.objects.exists()


def test_a_private_address_is_refused_when_sending(
    receiver, settings, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    """Allowed when it was registered, not any more when a delivery goes: checked again, nothing sent."""
    hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
    settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES = False
    mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    assert receiver.received == []
    attempt = WebhookAttempt.objects.get(delivery__webhook=hook)
    assert attempt.status_code is None and "not public" in attempt.error


def test_a_redirect_is_not_followed(
    private_allowed, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    with Receiver(status=302, headers={"Location": "http://169.254.169.254/latest"}) as receiver:
        hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
        mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.state == "waiting" and "HTTP 302" in delivery.attempt_log.get().error


def test_only_a_bounded_excerpt_of_the_answer_is_kept(
    private_allowed, manager, annotator, document, labels, django_capture_on_commit_callbacks
):
    with Receiver(body=b"<b>x</b>" * 10_000) as receiver:
        hook = webhooks.add_webhook(user=manager, project=document.project, url=receiver.url, events=ALL)
        mark(annotator, document, "Stalin", labels["claim"], django_capture_on_commit_callbacks)
    excerpt = WebhookAttempt.objects.get(delivery__webhook=hook).response_excerpt
    assert excerpt.startswith("<b>x</b>") and len(excerpt) == deliveries.EXCERPT


def test_a_test_is_sent_on_demand(receiver, manager, project, django_capture_on_commit_callbacks):
    hook = webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=["document.created"])
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.send_test(user=manager, webhook=hook)
    [(headers, body)] = receiver.received
    assert headers["X-Annotator-Event"] == "ping" and verified(hook.secret, headers, body)


def test_only_managers_manage_hooks(receiver, annotator, reviewer, manager, outsider, project):
    for user in (annotator, reviewer, outsider):
        with pytest.raises(services.Forbidden):
            webhooks.add_webhook(user=user, project=project, url=receiver.url, events=ALL)
    hook = webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=ALL)
    for user in (annotator, reviewer, outsider):
        with pytest.raises(services.Forbidden):
            webhooks.send_test(user=user, webhook=hook)
        with pytest.raises(services.Forbidden):
            webhooks.delete_webhook(user=user, webhook=hook)


def test_it_refuses_no_events_and_unknown_ones(receiver, manager, project):
    with pytest.raises(services.ActionRefused, match="at least one"):
        webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=[])
    with pytest.raises(services.ActionRefused, match="Unknown event"):
        webhooks.add_webhook(user=manager, project=project, url=receiver.url, events=["mark.eaten"])
