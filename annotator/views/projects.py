"""Running a project from the app: creating one, its settings (name, description, archive), its guidelines, its
members (added with a role, a newcomer's account and a forgotten password through one-time links)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from .. import services
from .. import text as textlib
from ..forms import GuidelinesForm, MemberForm, MembershipChoiceForm, ProjectForm
from ..guidelines import render as render_guidelines
from ..models import Membership, Role
from ..permissions import project_for
from ..services import accounts
from ..services import projects as project_services


def _forbidden(request, message: str):
    return render(request, "annotator/forbidden.html", {"message": message}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    if not project_services.may_create_projects(request.user):
        return _forbidden(request, "Only staff may create projects here.")
    form = ProjectForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                project = project_services.create_project(user=request.user, **form.cleaned_data)
            except services.ActionRefused as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, f"Created the project “{textlib.isolated(project.name)}”. Add its members.")
                return redirect("project_members", project_id=project.pk)
    return render(request, "annotator/project_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_settings(request, project_id):
    """Name, description and archiving (managers)."""
    project, membership = project_for(request.user, project_id)
    if membership.role != Role.MANAGER:
        return _forbidden(request, "Only the project's managers may change its settings.")
    form = ProjectForm(initial={"name": project.name, "description": project.description})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("archive", "unarchive"):
                project_services.archive_project(user=request.user, project=project, archived=action == "archive")
                messages.success(
                    request,
                    "Archived: the project is read-only and hidden from the list of projects."
                    if action == "archive"
                    else "The project is open again.",
                )
                return redirect("project_settings", project_id=project.pk)
            form = ProjectForm(request.POST)
            if not form.is_valid():
                raise services.ActionRefused(form.message())
            project_services.update_project(user=request.user, project=project, **form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect("project_settings", project_id=project.pk)
        except services.ActionRefused as exc:
            form.add_error(None, exc.message)
            status = exc.status
    context = {"project": project, "membership": membership, "form": form}
    return render(request, "annotator/project_settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_guidelines(request, project_id):
    """The guidelines, for every member; managers write them (Markdown)."""
    project, membership = project_for(request.user, project_id)
    is_manager = membership.role == Role.MANAGER
    form = GuidelinesForm(initial={"guidelines": project.guidelines})
    status = 200
    if request.method == "POST":
        if not is_manager:
            return _forbidden(request, "Only the project's managers may write its guidelines.")
        form = GuidelinesForm(request.POST)
        try:
            if not form.is_valid():
                raise services.ActionRefused(form.message())
            project_services.update_project(user=request.user, project=project, **form.cleaned_data)
        except services.ActionRefused as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, "Saved the guidelines.")
            return redirect("project_guidelines", project_id=project.pk)
    context = {
        "project": project,
        "membership": membership,
        "is_manager": is_manager,
        "form": form,
        "guidelines": render_guidelines(project.guidelines),
    }
    return render(request, "annotator/project_guidelines.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_members(request, project_id):
    """Who is in the project, with their roles; managers add, change and remove members and make one-time links."""
    project, membership = project_for(request.user, project_id)
    is_manager = membership.role == Role.MANAGER
    form, status, link = MemberForm(), 200, None
    if request.method == "POST":
        if not is_manager:
            return _forbidden(request, "Only the project's managers may change its members.")
        action = request.POST.get("action", "add")
        try:
            if action in ("add", "create"):
                form = MemberForm(request.POST)
                if not form.is_valid():
                    raise services.ActionRefused(form.message())
                username, role = form.cleaned_data["username"], form.cleaned_data["role"]
                if action == "create":
                    link = accounts.create_account(user=request.user, project=project, username=username, role=role)
                    form = MemberForm()
                else:
                    member = _account(username)
                    project_services.add_member(user=request.user, project=project, member=member, role=role)
                    messages.success(request, f"Added “{textlib.isolated(member.get_username())}” as {role}.")
                    return redirect("project_members", project_id=project.pk)
            elif action in ("role", "remove", "link"):
                choice = MembershipChoiceForm(request.POST)
                if not choice.is_valid():
                    raise services.ActionRefused(choice.message())
                other = get_object_or_404(
                    Membership.objects.select_related("user"), pk=choice.cleaned_data["membership"], project=project
                )
                name = textlib.isolated(other.user.get_username())
                if action == "role":
                    role = choice.cleaned_data["role"] or ""
                    project_services.add_member(user=request.user, project=project, member=other.user, role=role)
                    messages.success(request, f"“{name}” is now {role}.")
                elif action == "remove":
                    project_services.remove_member(user=request.user, membership=other)
                    messages.success(request, f"Removed “{name}” from the project; their marks and reviews stay.")
                else:
                    link = accounts.password_link(user=request.user, member=other.user)
                if link is None:
                    return redirect("project_members", project_id=project.pk)
            else:
                raise services.ActionRefused("Unknown action.")
        except services.ActionRefused as exc:
            messages.error(request, exc.message)
            status = exc.status
    context = {
        "project": project,
        "membership": membership,
        "is_manager": is_manager,
        "form": form,
        "members": Membership.objects.filter(project=project).select_related("user").order_by("user__username"),
        "roles": Role.choices,
        "link": link
        and {
            "user": link.user,
            "url": request.build_absolute_uri(
                reverse("password_reset_confirm", kwargs={"uidb64": link.uidb64, "token": link.token})
            ),
        },
    }
    response = render(request, "annotator/project_members.html", context, status=status)
    if link is not None:
        response["Cache-Control"] = "no-store"  # the link is a secret: shown once, kept by no cache
    return response


def _account(username: str):
    User = get_user_model()
    found = User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username.strip()}).first()
    if found is None:
        raise services.ActionRefused(
            f"No account is named “{textlib.isolated(username.strip())}”. To make one for a newcomer, use "
            "“Make an account”."
        )
    return found
