"""Running a team (issue 20), part one: projects made, renamed, archived; members added, changed and removed; accounts
for newcomers and forgotten passwords through one-time links; one's own password."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Membership, Project, Role
from annotator.services import accounts, projects, sources

from .conftest import client_for
from .factories import MembershipFactory, ProjectFactory, UserFactory

User = get_user_model()


# Projects ------------------------------------------------------------------------------------------


def test_staff_create_a_project_and_become_its_manager(db):
    staff = UserFactory(username="chief", is_staff=True)
    response = client_for(staff).post(reverse("project_create"), {"name": "  Desk  ", "description": "Ours"})
    project = Project.objects.get(name="Desk")
    assert response.status_code == 302 and response["Location"] == reverse("project_members", args=[project.pk])
    assert Membership.objects.get(project=project, user=staff).role == Role.MANAGER
    assert [label.key for label in project.labels.all()] == ["claim", "evidence", "quotation"]
    assert project.history.first().history_user == staff


def test_who_may_create_projects_is_a_setting(db, settings):
    user = UserFactory(username="plain")
    client = client_for(user)
    response = client.post(reverse("project_create"), {"name": "Mine"})
    assert response.status_code == 403 and b"Only staff" in response.content
    assert not Project.objects.filter(name="Mine").exists()
    settings.ANNOTATOR_PROJECT_CREATORS = "everyone"
    assert client.post(reverse("project_create"), {"name": "Mine"}).status_code == 302
    assert Membership.objects.get(project__name="Mine").user == user


def test_a_project_name_taken_or_blank_is_refused_with_a_message(project, manager):
    client = client_for(manager, enforce_csrf_checks=False)
    ProjectFactory(name="Taken")
    response = client.post(reverse("project_settings", args=[project.pk]), {"action": "save", "name": "Taken"})
    assert response.status_code == 422 and "exists already" in response.content.decode()
    response = client.post(reverse("project_settings", args=[project.pk]), {"action": "save", "name": "  "})
    assert response.status_code == 422
    project.refresh_from_db()
    assert project.name == "Purge project"


def test_a_manager_renames_and_describes_the_project_and_history_says_who(project, manager):
    response = client_for(manager).post(
        reverse("project_settings", args=[project.pk]), {"action": "save", "name": "Terror desk", "description": "2024"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.description) == ("Terror desk", "2024")
    record = project.history.first()
    assert record.history_user == manager and record.name == "Terror desk"


def test_an_archived_project_is_read_only_hidden_and_still_exported(project, manager, annotator, document, labels):
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    projects.archive_project(user=manager, project=project)
    client = client_for(annotator)
    assert "Purge project" not in client.get(reverse("project_list")).content.decode()
    assert "Purge project" in client.get(reverse("project_list") + "?archived=1").content.decode()
    assert client.get(reverse("document_detail", args=[document.pk])).status_code == 200
    with pytest.raises(services.Forbidden, match="archived"):
        services.annotate(user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["claim"])
    with pytest.raises(services.Forbidden, match="archived"):
        services.update_annotation(user=annotator, annotation=mark, version=mark.version, note="late")
    with pytest.raises(services.Forbidden, match="archived"):
        sources.create_source(user=annotator, project=project, type="book", title="Late")
    with pytest.raises(services.Forbidden, match="archived"):
        projects.update_project(user=manager, project=project, name="Renamed")
    response = client.post(
        reverse("annotation_create", args=[document.pk]),
        {"start": 4, "end": 10, "exact": "Stalin", "label": labels["claim"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403 and "archived" in response.content.decode()
    export = client.get(reverse("project_export", args=[project.pk]) + "?format=csv")
    assert export.status_code == 200 and b"Did" in b"".join(export.streaming_content)
    projects.archive_project(user=manager, project=project, archived=False)
    services.annotate(user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["claim"])
    assert Annotation.objects.count() == 2
    assert [r.history_user for r in project.history.all()[:2]] == [manager, manager]


def test_only_managers_archive(project, annotator):
    with pytest.raises(services.Forbidden):
        projects.archive_project(user=annotator, project=project)
    assert (
        client_for(annotator).post(reverse("project_settings", args=[project.pk]), {"action": "archive"}).status_code
        == 403
    )
    project.refresh_from_db()
    assert not project.archived


# Members -------------------------------------------------------------------------------------------


def test_a_manager_adds_a_member_with_a_role_and_changes_it(project, manager):
    newcomer = UserFactory(username="nina")
    client = client_for(manager)
    url = reverse("project_members", args=[project.pk])
    assert client.post(url, {"action": "add", "username": "NINA", "role": "reviewer"}).status_code == 302
    membership = Membership.objects.get(project=project, user=newcomer)
    assert membership.role == Role.REVIEWER
    client.post(url, {"action": "role", "membership": membership.pk, "role": "annotator"})
    membership.refresh_from_db()
    assert membership.role == Role.ANNOTATOR
    assert [(r.role, r.history_user) for r in membership.history.all()] == [
        ("annotator", manager),
        ("reviewer", manager),
    ]


def test_adding_an_unknown_account_says_so(project, manager):
    response = client_for(manager).post(
        reverse("project_members", args=[project.pk]), {"action": "add", "username": "ghost", "role": "annotator"}
    )
    assert response.status_code == 422 and "No account is named" in response.content.decode()


def test_a_removed_member_keeps_their_marks_but_no_access(project, manager, annotator, document, labels):
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    membership = Membership.objects.get(project=project, user=annotator)
    client_for(manager).post(
        reverse("project_members", args=[project.pk]), {"action": "remove", "membership": membership.pk}
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Annotation.objects.get(pk=mark.pk).created_by == annotator
    assert membership.history.first().history_type == "-" and membership.history.first().history_user == manager
    assert client_for(annotator).get(reverse("project_detail", args=[project.pk])).status_code == 404
    with pytest.raises(services.Forbidden):
        services.update_annotation(user=annotator, annotation=mark, version=mark.version, note="mine still?")
    page = client_for(manager).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "ann" in page


def test_the_last_manager_is_neither_removed_nor_demoted(project, manager):
    membership = Membership.objects.get(project=project, user=manager)
    client = client_for(manager)
    url = reverse("project_members", args=[project.pk])
    response = client.post(url, {"action": "remove", "membership": membership.pk})
    assert response.status_code == 422 and "last manager" in response.content.decode()
    response = client.post(url, {"action": "role", "membership": membership.pk, "role": "annotator"})
    assert response.status_code == 422
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER
    second = UserFactory(username="deputy")
    projects.add_member(user=manager, project=project, member=second, role=Role.MANAGER)
    projects.remove_member(user=second, membership=membership)
    assert list(project.memberships.values_list("user__username", flat=True)) == ["deputy"]


def test_only_managers_change_members(project, annotator, reviewer):
    membership = Membership.objects.get(project=project, user=reviewer)
    response = client_for(annotator).post(
        reverse("project_members", args=[project.pk]), {"action": "remove", "membership": membership.pk}
    )
    assert response.status_code == 403
    with pytest.raises(services.Forbidden):
        projects.add_member(user=annotator, project=project, member=annotator, role=Role.MANAGER)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_project_is_not_found(project, manager, outsider):
    other = Membership.objects.get(user=outsider)
    response = client_for(manager).post(
        reverse("project_members", args=[project.pk]), {"action": "remove", "membership": other.pk}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


# One-time links ------------------------------------------------------------------------------------


def _logs_in(username: str, password: str) -> bool:
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def _choose_password(link_url: str, password: str) -> Client:
    browser = Client()
    response = browser.get(link_url)
    if response.status_code != 302:
        return response
    return browser.post(response["Location"], {"new_password1": password, "new_password2": password})


def _link_url(page: str) -> str:
    import re

    return re.search(r'id="one-time-link" class="wide" readonly value="http://testserver([^"]+)"', page)[1]


def test_a_newcomer_gets_an_account_through_a_one_time_link(project, manager):
    page = client_for(manager).post(
        reverse("project_members", args=[project.pk]), {"action": "create", "username": "newbie", "role": "annotator"}
    )
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    account = User.objects.get(username="newbie")
    assert not account.has_usable_password()
    assert Membership.objects.get(user=account, project=project).role == Role.ANNOTATOR
    url = _link_url(page.content.decode())
    done = _choose_password(url, "a-long-new-passphrase")
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert _logs_in("newbie", "a-long-new-passphrase")
    again = _choose_password(url, "another-passphrase-1")
    assert again.status_code == 200 and "does not work" in again.content.decode()  # single use
    assert _logs_in("newbie", "a-long-new-passphrase")


def test_a_taken_user_name_is_refused(project, manager, annotator):
    with pytest.raises(services.ActionRefused, match="taken"):
        accounts.create_account(user=manager, project=project, username="ANN", role="annotator")
    with pytest.raises(services.ActionRefused):
        accounts.create_account(user=manager, project=project, username="no spaces!", role="annotator")


def test_a_forgotten_password_link_expires(project, manager, annotator, settings):
    link = accounts.password_link(user=manager, member=annotator)
    url = reverse("password_reset_confirm", kwargs={"uidb64": link.uidb64, "token": link.token})
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = _choose_password(url, "a-long-new-passphrase")
    assert "does not work" in response.content.decode()
    annotator.refresh_from_db()
    assert annotator.check_password("pw-for-tests")


def test_a_password_change_voids_the_link(project, manager, annotator):
    link = accounts.password_link(user=manager, member=annotator)
    url = reverse("password_reset_confirm", kwargs={"uidb64": link.uidb64, "token": link.token})
    client = client_for(annotator)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-for-tests",
            "new_password1": "mine-and-only-mine",
            "new_password2": "mine-and-only-mine",
        },
    )
    assert response.status_code == 302
    assert "does not work" in _choose_password(url, "takeover-attempt-1").content.decode()
    annotator.refresh_from_db()
    assert annotator.check_password("mine-and-only-mine")


def test_a_manager_gets_no_link_for_staff_themselves_or_members_of_other_projects(project, manager, annotator):
    staff = UserFactory(username="root", is_staff=True)
    MembershipFactory(user=staff, project=project, role=Role.ANNOTATOR)
    with pytest.raises(services.Forbidden, match="Staff"):
        accounts.password_link(user=manager, member=staff)
    with pytest.raises(services.ActionRefused):
        accounts.password_link(user=manager, member=manager)
    MembershipFactory(user=annotator, project=ProjectFactory(name="Elsewhere"), role=Role.ANNOTATOR)
    with pytest.raises(services.Forbidden, match="projects you do not manage"):
        accounts.password_link(user=manager, member=annotator)
    reviewer = UserFactory(username="rev-only")
    with pytest.raises(services.Forbidden):
        accounts.password_link(user=annotator, member=reviewer)


def test_the_members_page_shows_a_link_for_a_member(project, manager, annotator2):
    membership = Membership.objects.get(user=annotator2)
    page = (
        client_for(manager)
        .post(reverse("project_members", args=[project.pk]), {"action": "link", "membership": membership.pk})
        .content.decode()
    )
    url = _link_url(page)
    assert _choose_password(url, "fresh-pass-phrase-9").status_code == 302
    assert _logs_in("ann2", "fresh-pass-phrase-9")


def test_everyone_changes_their_own_password(annotator):
    client = client_for(annotator)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "new-pass-phrase-1", "new_password2": "new-pass-phrase-1"},
    )
    assert response.status_code == 200
    annotator.refresh_from_db()
    assert annotator.check_password("pw-for-tests")


def test_guidelines_are_written_by_managers_and_read_by_members(project, manager, annotator):
    client_for(manager).post(
        reverse("project_guidelines", args=[project.pk]),
        {"guidelines": "# Claims\n\n<script>alert(1)</script> [ok](https://example.org)"},
    )
    page = client_for(annotator).get(reverse("project_guidelines", args=[project.pk])).content.decode()
    assert "<h1>Claims</h1>" in page and "&lt;script&gt;" in page and "<script>alert" not in page
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">ok</a>' in page
    assert (
        client_for(annotator).post(reverse("project_guidelines", args=[project.pk]), {"guidelines": "x"}).status_code
        == 403
    )
