"""Running a team (issue 20), part three: assignments, My work and the progress dashboard."""

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Assignment, Membership
from annotator.services import assignments, projects

from .conftest import client_for
from .factories import DocumentFactory, ProjectFactory


def _assign(manager, document, member, task="annotate"):
    return assignments.assign(user=manager, document=document, member=member, task=task)


def test_a_manager_assigns_a_document_and_history_says_who(project, manager, annotator, document):
    response = client_for(manager).post(
        reverse("assignment_list", args=[project.pk]),
        {"document": document.pk, "user": annotator.pk, "task": "annotate"},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.user, assignment.progress, assignment.assigned_by) == (annotator, "not_started", manager)
    assert assignment.history.first().history_user == manager


def test_assigning_twice_or_a_review_to_an_annotator_is_refused(project, manager, annotator, document):
    _assign(manager, document, annotator)
    with pytest.raises(services.ActionRefused, match="already"):
        _assign(manager, document, annotator)
    with pytest.raises(services.ActionRefused, match="only reviewers and managers review"):
        _assign(manager, document, annotator, "review")


def test_a_document_or_person_of_another_project_is_refused(project, manager, annotator, outsider):
    elsewhere = DocumentFactory(project=ProjectFactory(name="Other"))
    client = client_for(manager)
    for data in [
        {"document": elsewhere.pk, "user": annotator.pk},
        {"document": DocumentFactory(project=project).pk, "user": outsider.pk},
    ]:
        response = client.post(reverse("assignment_list", args=[project.pk]), {**data, "task": "annotate"})
        assert response.status_code == 422 and "Choose one of the project" in response.content.decode()
    assert not Assignment.objects.exists()


def test_only_managers_assign(project, annotator, document):
    with pytest.raises(services.Forbidden):
        _assign(annotator, document, annotator)
    assert client_for(annotator).get(reverse("assignment_list", args=[project.pk])).status_code == 403


def test_the_assignee_sets_the_state_and_nobody_else(project, manager, annotator, annotator2, document):
    assignment = _assign(manager, document, annotator)
    url = reverse("assignment_update", args=[assignment.pk])
    assert client_for(annotator2).post(url, {"action": "progress", "progress": "done"}).status_code == 403
    assert client_for(manager).post(url, {"action": "progress", "progress": "done"}).status_code == 403
    assert client_for(annotator).post(url, {"action": "progress", "progress": "in_progress"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.progress == "in_progress"
    assert client_for(annotator).post(url, {"action": "remove"}).status_code == 403
    assert client_for(manager).post(url, {"action": "remove"}).status_code == 302
    assert not Assignment.objects.exists()
    assert [r.history_type for r in Assignment.history.all()] == ["-", "~", "+"]


def test_my_work_lists_my_documents_and_the_marks_waiting_for_my_review(
    project, manager, annotator, reviewer, document, labels
):
    _assign(manager, document, annotator)
    _assign(manager, document, reviewer, "review")
    services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    services.annotate(user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["claim"])
    page = client_for(annotator).get(reverse("my_work")).content.decode()
    assert "Sample" in page and "<td>2</td>" in page and "Waiting for your review" not in page
    page = client_for(reviewer).get(reverse("my_work")).content.decode()
    assert "Waiting for your review" in page and "2 pending marks by others" in page


def test_my_work_leaves_out_archived_projects_and_projects_i_left(project, manager, annotator, document):
    _assign(manager, document, annotator)
    projects.archive_project(user=manager, project=project)
    assert "Sample" not in client_for(annotator).get(reverse("my_work")).content.decode()
    projects.archive_project(user=manager, project=project, archived=False)
    projects.remove_member(user=manager, membership=Membership.objects.get(user=annotator))
    assert "Sample" not in client_for(annotator).get(reverse("my_work")).content.decode()


def test_the_dashboard_counts_per_document_and_editor_and_says_what_is_done(
    project, manager, annotator, annotator2, reviewer, document, labels
):
    other = DocumentFactory(project=project, title="Second")
    a = _assign(manager, document, annotator)
    _assign(manager, other, annotator2)
    m1 = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    services.annotate(user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["evidence"])
    services.annotate(user=annotator2, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    services.review_annotation(user=reviewer, annotation=m1, status="accepted")
    assignments.set_progress(user=annotator, assignment=a, progress="done")
    response = client_for(reviewer).get(reverse("project_progress", args=[project.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "3 marks on the current texts: 1 accepted, 0 rejected, 2 pending. 1 of 2 documents done." in page
    assert 'aria-label="1 accepted, 0 rejected, 2 pending"' in page  # the Sample bar, told in words
    assert 'aria-label="1 accepted, 0 rejected, 1 pending"' in page  # ann's bar
    assert "ann (annotate: done)" in page and "ann2 (annotate: not started)" in page
    assert "<title>" in page and "Marks per day as a table" in page
    assert client_for(annotator).get(reverse("project_progress", args=[project.pk])).status_code == 403


def test_the_dashboards_kept_counts_follow_every_change(project, manager, annotator, document, labels):
    url = reverse("project_progress", args=[project.pk])
    client = client_for(manager)
    assert "0 marks on the current texts" in client.get(url).content.decode()
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    assert "1 mark on the current texts: 0 accepted, 0 rejected, 1 pending" in client.get(url).content.decode()
    services.review_annotation(user=manager, annotation=mark, status="rejected")
    assert "1 mark on the current texts: 0 accepted, 1 rejected, 0 pending" in client.get(url).content.decode()
    services.delete_annotation(user=annotator, annotation=Annotation.objects.get(pk=mark.pk))
    assert "0 marks on the current texts" in client.get(url).content.decode()
    DocumentFactory(project=project, title="Another")
    assert "of 2 documents done" in client.get(url).content.decode()
