"""Webhooks: a project's managers register, change, disable, test and delete them (deliveries.py sends them)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from ..ingest import fetch
from ..models import Project, Role, Webhook
from ..models import WebhookDelivery as Delivery
from . import deliveries
from .errors import ActionRefused, Forbidden
from .projects import check_member

# Managing hooks (managers) ----------------------------------------------------------------------------------------


def _check_manager(user, project_id: int) -> None:
    if check_member(user, project_id).role != Role.MANAGER:
        raise Forbidden("Only the project's managers may manage its webhooks.")


def _checked_url(url: str) -> str:
    url = url.strip()
    if not url:
        raise ActionRefused("Give the address deliveries are sent to.")
    if len(url) > 2000:
        raise ActionRefused("This address is too long (over 2,000 characters).")
    try:
        fetch.check_url(
            url, timeout=settings.ANNOTATOR_WEBHOOK_TIMEOUT, allow_private=settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES
        )
    except fetch.FetchError as exc:
        raise ActionRefused(str(exc)) from None
    return url


def _checked_events(events: Iterable[str]) -> list[str]:
    chosen = set(events)
    unknown = chosen - set(Webhook.Event.values)
    if unknown:
        raise ActionRefused(f"Unknown event: {sorted(unknown)[0]}.")
    if not chosen:
        raise ActionRefused("Choose at least one event.")
    return [value for value in Webhook.Event.values if value in chosen]


def add_webhook(*, user, project: Project, url: str, events: Iterable[str]) -> Webhook:
    """Register an address for some of the project's events (managers). Its secret is made here; the manager reads
    it on the hook's page. The address must be public (after DNS), as for a fetch."""
    _check_manager(user, project.pk)
    return Webhook.objects.create(
        project=project,
        url=_checked_url(url),
        events=_checked_events(events),
        secret=secrets.token_hex(32),
        created_by=user,
    )


def update_webhook(*, user, webhook: Webhook, url: str, events: Iterable[str], active: bool) -> Webhook:
    """Change a hook's address or events, or disable it (a disabled hook is sent nothing, tests apart)."""
    _check_manager(user, webhook.project_id)
    webhook.url = _checked_url(url)
    webhook.events = _checked_events(events)
    webhook.active = active
    webhook.save(update_fields=["url", "events", "active"])
    return webhook


def delete_webhook(*, user, webhook: Webhook) -> None:
    """Delete a hook with its deliveries and their log."""
    _check_manager(user, webhook.project_id)
    webhook.delete()


def send_test(*, user, webhook: Webhook) -> Delivery:
    """Send the hook a `ping` now (it shows in the log like any delivery)."""
    _check_manager(user, webhook.project_id)
    project = Project.objects.only("name").get(pk=webhook.project_id)
    body = deliveries.body_of(
        deliveries.PING, {"id": webhook.project_id, "name": project.name}, [{"hook": webhook.pk, "url": webhook.url}]
    )
    delivery = Delivery.objects.create(webhook=webhook, event=deliveries.PING, body=body, items=1)
    transaction.on_commit(lambda: deliveries.queue([delivery.pk]))
    return delivery
