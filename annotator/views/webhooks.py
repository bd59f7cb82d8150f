"""A project's webhooks (managers): registering, changing, disabling and deleting them, their delivery log, and
"send a test". Everyone else meets 403 (members) or 404 (outsiders)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from .. import services
from ..forms import WebhookChangeForm, WebhookForm
from ..models import Role, Webhook, WebhookAttempt, WebhookDelivery
from ..permissions import project_for, webhook_for
from ..services import webhooks as webhook_services

LOG = 50  # deliveries shown, newest first


def _forbidden(request):
    message = "Only the project's managers may see its webhooks."
    return render(request, "annotator/forbidden.html", {"message": message}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request, project_id):
    """The project's hooks, and the form to add one."""
    project, membership = project_for(request.user, project_id)
    if membership.role != Role.MANAGER:
        return _forbidden(request)
    form, status = WebhookForm(), 200
    if request.method == "POST":
        form = WebhookForm(request.POST)
        status = 422  # the form's errors are shown with their fields
        if form.is_valid():
            try:
                hook = webhook_services.add_webhook(user=request.user, project=project, **form.cleaned_data)
            except services.ActionRefused as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(
                    request, "Added the webhook. Its secret is below: the receiver checks signatures with it."
                )
                return redirect("webhook_detail", webhook_id=hook.pk)
    hooks = Webhook.objects.filter(project=project)
    context = {"project": project, "membership": membership, "form": form, "hooks": hooks, "events": _names()}
    return render(request, "annotator/webhook_list.html", context, status=status)


def _names() -> dict[str, str]:
    return dict(Webhook.Event.choices)


@login_required
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def webhook_detail(request, webhook_id):
    """One hook: its secret, its settings (saved, disabled), its delivery log; "send a test"; deleting it.

    htmx asks for the log alone (refreshing it, or after a test)."""
    hook, membership = webhook_for(request.user, webhook_id)
    if membership.role != Role.MANAGER:
        return _forbidden(request)
    project = membership.project
    form = WebhookChangeForm(initial={"url": hook.url, "events": hook.events, "active": hook.active})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "test":
                webhook_services.send_test(user=request.user, webhook=hook)
                if not request.htmx:
                    messages.success(request, "A test is on its way: its attempt shows in the log.")
                    return redirect("webhook_detail", webhook_id=hook.pk)
            elif action == "delete":
                webhook_services.delete_webhook(user=request.user, webhook=hook)
                messages.success(request, "Deleted the webhook and its log.")
                return redirect("webhook_list", project_id=project.pk)
            elif action == "save":
                form = WebhookChangeForm(request.POST)
                if not form.is_valid():
                    raise services.ActionRefused(form.message())
                webhook_services.update_webhook(user=request.user, webhook=hook, **form.cleaned_data)
                messages.success(request, "Saved." if hook.active else "Saved: the webhook is disabled.")
                return redirect("webhook_detail", webhook_id=hook.pk)
            else:
                raise services.ActionRefused("Unknown action.")
        except services.ActionRefused as exc:
            if request.htmx:
                return render(request, "annotator/request_refused.html", {"message": exc.message}, status=exc.status)
            if action == "save":
                form.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
            status = exc.status
    deliveries = WebhookDelivery.objects.filter(webhook=hook).prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))
    )[:LOG]
    context = {
        "project": project,
        "membership": membership,
        "hook": hook,
        "form": form,
        "deliveries": deliveries,
        "events": _names(),
        "log_size": LOG,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "annotator/webhook_detail.html#log" if partial else "annotator/webhook_detail.html"
    return render(request, template, context, status=status)
