"""Webhook deliveries: the write services emit events; a background task sends them, signed (hooks: webhooks.py).

`emit` is what a service calls, once per write, inside its transaction: when a hook of the project wants the event,
it saves the deliveries (one INSERT, the items in batches of ANNOTATOR_WEBHOOK_BATCH) and queues their sending for
when the transaction commits, so a write that is rolled back sends nothing. With no hook wanting the event it costs
one query (none when the write's document lock read that the project has no hook) and builds nothing. A write of a
few things fixes the body then: a delivery says what the write did, even if the mark changes or goes before it is
sent (a deleted mark's last state). A bulk write (`Later`) saves only the ids, in batches, and the first attempt
makes the body from the marks or links as they are then: no per-mark work in the write (bench/webhooks.py measures
it); one deleted meanwhile is left out. `deliver_webhooks` (the task) makes one attempt per delivery; a failed one
is tried again later, waiting longer each time, ANNOTATOR_WEBHOOK_ATTEMPTS times at most. Every attempt is logged.

Each request carries `X-Annotator-Timestamp` (Unix seconds) and `X-Annotator-Signature: sha256=<hex>`, the
HMAC-SHA256 of "<timestamp>.<body>" keyed with the hook's secret (README: Webhooks, with how to check it).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from ..ingest import fetch
from ..models import Annotation, Document, DocumentVersion, Link, Project, Webhook, WebhookAttempt
from ..models import WebhookDelivery as Delivery

logger = logging.getLogger(__name__)

Event = Webhook.Event
PING = "ping"  # "send a test": what a hook gets whatever events it chose
EXCERPT = 500  # characters of a receiver's answer kept in the log
KEPT = datetime.timedelta(days=30)  # a hook's deliveries older than this leave its log (the worker prunes it)


# Emitting (the write services) --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Later:
    """The marks or links of a bulk write, by id: their items are made when the delivery is first sent."""

    kind: str  # "mark" or "link"
    ids: list[int]


def later_marks(annotations: Iterable[Annotation]) -> Later:
    return Later("mark", [annotation.pk for annotation in annotations])


def later_links(rows: Iterable[Link]) -> Later:
    return Later("link", [link.pk for link in rows])


def emit(project_id: int, event: str, items: Callable[[], list[dict]] | Later, *, hooked: bool = True) -> None:
    """Queue `event` for the project's hooks that want it, carrying what `items()` makes (called only then), or the
    things `Later` names.

    Call it inside the write's transaction: the deliveries are saved with the write and sent once it commits.
    `hooked=False`: the write's document lock read that the project has no active hook (spans.Lock.hooked), so
    there is nothing to look up."""
    if not hooked:
        return
    hooks = [
        hook
        for hook in Webhook.objects.filter(project_id=project_id, active=True).select_related("project")
        if event in hook.events
    ]
    if not hooks:
        return
    size = max(1, settings.ANNOTATOR_WEBHOOK_BATCH)
    if isinstance(items, Later):
        batches = [
            {"body": "", "refs": {items.kind: items.ids[i : i + size]}, "items": len(items.ids[i : i + size])}
            for i in range(0, len(items.ids), size)
        ]
    else:
        made = items()
        project = {"id": project_id, "name": hooks[0].project.name}
        batches = [
            {"body": body_of(event, project, made[i : i + size]), "items": len(made[i : i + size])}
            for i in range(0, len(made), size)
        ]
    if not batches:
        return
    deliveries = Delivery.objects.bulk_create(
        [Delivery(webhook=hook, event=event, **batch) for hook in hooks for batch in batches]
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: queue(ids))


def body_of(event: str, project: dict, items: list[dict]) -> str:
    return json.dumps({"event": event, "project": project, "items": items}, ensure_ascii=False)


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


class Documents:
    """The `document` part of items, made once per document (a bulk write's 10,000 marks share one)."""

    def __init__(self):
        self.made: dict[int, dict] = {}

    def __call__(self, document: Document) -> dict:
        if document.pk not in self.made:
            self.made[document.pk] = {
                "id": document.pk,
                "title": document.title,
                "url": settings.ANNOTATOR_BASE_URL + reverse("document_detail", args=[document.pk]),
                "version": document.version,
            }
        return self.made[document.pk]


def mark_item(annotation: Annotation, document: Document, documents: Documents | None = None) -> dict:
    """What a delivery says of a mark: where it is (document, version of the text, offsets in code points, text),
    its label, author, note, review state and version (the one an update must send)."""
    span = annotation.span
    return {
        "id": annotation.pk,
        "document": (documents or Documents())(document),
        "text_version": span.version,
        "start": span.start,
        "end": span.end,
        "text": span.exact,
        "label": {"key": annotation.label.key, "name": annotation.label.name},
        "note": annotation.note,
        "author": annotation.created_by.get_username(),
        "state": annotation.status,
        "reviewed_by": _username(annotation.reviewed_by),
        "review_note": annotation.review_note,
        "version": annotation.version,
        "created_at": _when(annotation.created_at),
        "updated_at": _when(annotation.updated_at),
    }


def marks(annotations: Iterable[Annotation], document: Document | None = None) -> Callable[[], list[dict]]:
    """The items of an event on marks (of `document`, or each of its own span's document)."""

    def make() -> list[dict]:
        documents = Documents()
        return [mark_item(a, document or a.span.document, documents) for a in annotations]

    return make


def _mark_end(annotation: Annotation | None) -> dict | None:
    if annotation is None:
        return None
    span = annotation.span
    return {"id": annotation.pk, "document": span.document_id, "start": span.start, "end": span.end, "text": span.exact}


def link_item(link: Link) -> dict:
    """What a delivery says of a link: its type, both ends (a mark with its place and text; a source; a speaker)."""
    return {
        "id": link.pk,
        "type": {"key": link.type.key, "name": link.type.name},
        "from": _mark_end(link.from_annotation),
        "to": _mark_end(link.to_annotation),
        "to_source": link.to_source_id,
        "speaker": link.speaker,
        "note": link.note,
        "author": _username(link.created_by),
        "state": link.status,
        "reviewed_by": _username(link.reviewed_by),
        "version": link.version,
    }


def links(rows: Iterable[Link]) -> Callable[[], list[dict]]:
    return lambda: [link_item(link) for link in rows]


def document_item(document: Document) -> dict:
    return {
        **Documents()(document),
        "origin": document.origin,
        "length": len(document.text),
        "created_by": _username(document.created_by),
        "created_at": _when(document.created_at),
    }


def version_item(document: Document, version: DocumentVersion) -> dict:
    return {
        "document": Documents()(document),
        "number": version.number,
        "note": version.note,
        "length": len(version.text),
        "created_by": _username(version.created_by),
        "created_at": _when(version.created_at),
    }


# Sending (the background task) ------------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature of a delivery: HMAC-SHA256 of "<timestamp>.<body>" keyed with the hook's secret, in hex."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the attempts made so far: 30 s, 2 min, 8 min, 32 min, about 2 h..."""
    return datetime.timedelta(seconds=30 * 4 ** (attempts - 1))


def queue(ids: list[int], run_after: datetime.datetime | None = None) -> None:
    try:
        if run_after is None:
            deliver_webhooks.enqueue(ids)
        elif deliver_webhooks.get_backend().supports_defer:
            deliver_webhooks.using(run_after=run_after).enqueue(ids)
        # else: a backend that runs tasks at once (the tests') cannot wait; the delivery waits with its due time.
    except Exception:
        # Any error of the task backend: the write is committed already (this runs on commit), so the request is not
        # failed for it. The deliveries stay waiting, the error is logged, and resume_stalled queues them again later.
        logger.exception("Could not queue webhook deliveries %s", ids)


@task()
def deliver_webhooks(delivery_ids: list[int]) -> None:
    """The background task (`manage.py db_worker` runs it): one attempt at each of the deliveries; then any that a
    stopped worker or a lost task left behind are taken up again (resume_stalled)."""
    for delivery_id in delivery_ids:
        attempt_delivery(delivery_id)
    resume_stalled()


# A delivery being sent longer than its timeout and this is taken for abandoned (its worker stopped mid-send); one
# waiting this long past its due time lost its task (the queue refused it after the write committed, say).
STALLED = datetime.timedelta(minutes=2)
RESUMED = 500  # at most, per call


def resume_stalled() -> list[int]:
    """Put the deliveries that stalled back to waiting and queue them again; their ids. A delivery queued twice is
    still sent once: an attempt begins by taking it from waiting to sending (attempt_delivery). `manage.py
    resume_webhooks` does the same at any time."""
    now = timezone.now()
    stalled = Delivery.objects.filter(
        Q(state=Delivery.State.SENDING, next_attempt_at__lt=now)
        | Q(state=Delivery.State.WAITING, next_attempt_at__lt=now - STALLED)
        | Q(state=Delivery.State.WAITING, next_attempt_at=None, created_at__lt=now - STALLED)
    )
    ids = list(stalled.order_by("pk").values_list("pk", flat=True)[:RESUMED])
    if ids:
        Delivery.objects.filter(pk__in=ids, state=Delivery.State.SENDING).update(state=Delivery.State.WAITING)
        queue(ids)
    return ids


def _made_body(delivery: Delivery) -> str:
    """The body of a delivery saved by ids (a bulk write's): its marks or links as they are now."""
    project = Project.objects.only("name").get(pk=delivery.webhook.project_id)
    [(kind, ids)] = (delivery.refs or {}).items()
    if kind == "mark":
        found = Annotation.objects.with_context().filter(pk__in=ids).order_by("pk")
        items = [mark_item(a, a.span.document, documents) for documents in [Documents()] for a in found]
    else:
        found = (
            Link.objects.filter(pk__in=ids)
            .select_related("type", "created_by", "reviewed_by", "from_annotation__span", "to_annotation__span")
            .order_by("pk")
        )
        items = [link_item(link) for link in found]
    return body_of(delivery.event, {"id": project.pk, "name": project.name}, items)


def attempt_delivery(delivery_id: int) -> Delivery | None:
    """Send a waiting delivery once and log the attempt; a failure waits for the next (or is final). None when the
    delivery is not waiting (sent already, or being sent by another worker)."""
    # While sending, next_attempt_at says when the sending counts as abandoned (resume_stalled).
    abandoned = timezone.now() + datetime.timedelta(seconds=settings.ANNOTATOR_WEBHOOK_TIMEOUT) + STALLED
    taken = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.WAITING)
    if not taken.update(state=Delivery.State.SENDING, next_attempt_at=abandoned):
        return None
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    hook = delivery.webhook
    number = delivery.attempts + 1
    if not delivery.body:  # made once, at the first attempt: every retry sends the same bytes
        delivery.body = _made_body(delivery)
        delivery.save(update_fields=["body"])
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    started, at = time.monotonic(), timezone.now()
    status_code, error, excerpt = None, "", ""
    if not hook.active and delivery.event != PING:
        error = "Not sent: the hook is disabled."
    else:
        try:
            posted = fetch.post(
                hook.url,
                body=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "X-Annotator-Event": delivery.event,
                    "X-Annotator-Delivery": str(delivery.pk),
                    "X-Annotator-Timestamp": timestamp,
                    "X-Annotator-Signature": "sha256=" + sign(hook.secret, timestamp, body),
                },
                timeout=settings.ANNOTATOR_WEBHOOK_TIMEOUT,
                allow_private=settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES,
                max_excerpt=EXCERPT * 4,
            )
        except fetch.FetchError as exc:
            error = str(exc)
        else:
            status_code = posted.status
            excerpt = posted.excerpt.decode("utf-8", "replace").replace("\x00", "")[:EXCERPT]
            if not 200 <= posted.status < 300:
                error = f"The receiver answered HTTP {posted.status} ({posted.reason})."
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        at=at,
        status_code=status_code,
        error=error[:500],
        duration_ms=round((time.monotonic() - started) * 1000),
        response_excerpt=excerpt,
    )
    delivery.attempts = number
    if not error:
        delivery.state, delivery.next_attempt_at = Delivery.State.DELIVERED, None
    elif number >= settings.ANNOTATOR_WEBHOOK_ATTEMPTS or not hook.active and delivery.event != PING:
        delivery.state, delivery.next_attempt_at = Delivery.State.FAILED, None
    else:
        delivery.state, delivery.next_attempt_at = Delivery.State.WAITING, at + backoff(number)
    delivery.save(update_fields=["attempts", "state", "next_attempt_at"])
    # The log stays bounded: the worker, not the write, drops what is old (waiting ones are kept while they wait).
    Delivery.objects.filter(webhook=hook, created_at__lt=at - KEPT).exclude(state=Delivery.State.WAITING).delete()
    if delivery.state == Delivery.State.WAITING:
        queue([delivery.pk], run_after=delivery.next_attempt_at)
    return delivery
