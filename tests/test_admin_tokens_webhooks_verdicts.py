"""The admin's pages for API tokens (listed and revoked, never a secret or its digest), webhooks and their delivery
log (read only), rating scales, ratings and verdicts (read, with history)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from annotator import services
from annotator.models import AccessToken, Webhook, WebhookAttempt, WebhookDelivery
from annotator.services import tokens
from annotator.services import verdicts as verdict_services
from annotator.services.errors import ActionRefused

from .conftest import client_for
from .factories import UserFactory


@pytest.fixture
def staff(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def hook(project):
    webhook = Webhook.objects.create(
        project=project, url="https://93.184.216.34/hook", events=["mark.created"], secret="hush" * 16
    )
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="mark.created", body='{"event": "mark.created"}', state="failed", attempts=1
    )
    WebhookAttempt.objects.create(delivery=delivery, number=1, at=timezone.now(), status_code=502, duration_ms=12)
    return webhook


@pytest.fixture
def verdict(project, document, annotator, reviewer, labels):
    claim = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    return verdict_services.give_verdict(
        user=reviewer, annotation=claim, rating=project.ratings.get(name="False"), summary="Stalin wanted terror"
    )


def test_every_new_admin_page_loads_for_a_superuser(staff, annotator, project, hook, verdict):
    token = tokens.create_token(user=annotator, name="CMS import", scope="write").token
    delivery = WebhookAttempt.objects.get().delivery
    client = client_for(staff)
    pages = {
        "accesstoken": token,
        "webhook": hook,
        "webhookdelivery": delivery,
        "ratingscale": project.rating_scale,
        "rating": verdict.rating,
        "claimverdict": verdict,
    }
    for model, obj in pages.items():
        for page, args in (("changelist", []), ("change", [obj.pk]), ("history", [obj.pk])):
            response = client.get(reverse(f"admin:annotator_{model}_{page}", args=args))
            assert response.status_code == 200, (model, page, response.status_code)
        assert client.get(reverse(f"admin:annotator_{model}_add")).status_code == 403, model
    listing = client.get(reverse("admin:annotator_accesstoken_changelist")).content.decode()
    assert all(text in listing for text in ("CMS import", token.prefix, "Read and write", annotator.username))
    for model in ("accesstoken", "webhook"):
        shown = client.get(reverse(f"admin:annotator_{model}_change", args=[pages[model].pk])).content.decode()
        assert token.digest not in shown and "hush" not in shown
    log = client.get(reverse("admin:annotator_webhookdelivery_change", args=[delivery.pk])).content.decode()
    assert "502" in log and "mark.created" in log
    verdicts = client.get(reverse("admin:annotator_claimverdict_changelist")).content.decode()
    assert "Stalin wanted terror" in verdicts and "False" in verdicts


def test_the_admin_cannot_set_or_change_a_token_or_a_hooks_secret(staff, annotator, hook):
    token = tokens.create_token(user=annotator, name="CMS", scope="read").token
    client = client_for(staff)
    forged = {"name": "CMS", "digest": "0" * 64, "scope": "write", "user": annotator.pk}
    assert client.post(reverse("admin:annotator_accesstoken_add"), forged).status_code == 403
    assert client.post(reverse("admin:annotator_accesstoken_change", args=[token.pk]), forged).status_code == 403
    changed = {"url": "https://example.com/", "secret": "x", "events": "[]", "project": hook.project_id}
    assert client.post(reverse("admin:annotator_webhook_change", args=[hook.pk]), changed).status_code == 403
    token.refresh_from_db()
    hook.refresh_from_db()
    assert (token.scope, token.digest != "0" * 64) == ("read", True)
    assert hook.url == "https://93.184.216.34/hook" and hook.secret == "hush" * 16


def test_the_revoke_action_revokes_the_selected_tokens_only(staff, annotator, annotator2):
    chosen = tokens.create_token(user=annotator, name="leaked", scope="write")
    kept = tokens.create_token(user=annotator2, name="kept", scope="read")
    response = client_for(staff).post(
        reverse("admin:annotator_accesstoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [chosen.token.pk]},
        follow=True,
    )
    assert response.status_code == 200 and "Revoked: 1 token." in response.content.decode()
    assert AccessToken.objects.get(pk=chosen.token.pk).revoked_at is not None
    assert AccessToken.objects.get(pk=kept.token.pk).revoked_at is None
    assert tokens.token_in_use(chosen.secret) is None and tokens.token_in_use(kept.secret) is not None


def test_staff_who_may_only_view_tokens_are_offered_no_revoke(annotator):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_accesstoken"))
    token = tokens.create_token(user=annotator, name="CMS", scope="read").token
    client = client_for(viewer)
    listing = client.get(reverse("admin:annotator_accesstoken_changelist"))
    assert listing.status_code == 200 and "revoke_selected" not in listing.content.decode()
    client.post(
        reverse("admin:annotator_accesstoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    assert AccessToken.objects.get(pk=token.pk).revoked_at is None
    with pytest.raises(ActionRefused):
        tokens.revoke_token(user=viewer, token=token)
