"""Django admin and review: staff only, bulk accept / reject through the review service, history shown."""

from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Role

from .conftest import client_for
from .factories import MembershipFactory, UserFactory


def mark(user, document, start, end, label):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label
    )


def staff(username, project=None, role=None, superuser=True):
    user = UserFactory(username=username, is_staff=True, is_superuser=superuser)
    if project is not None:
        MembershipFactory(user=user, project=project, role=role)
    return user


def bulk(client, action, annotations):
    return client.post(
        reverse("admin:annotator_annotation_changelist"),
        {"action": action, "_selected_action": [a.pk for a in annotations]},
        follow=True,
    )


def test_the_admin_is_for_staff_only(annotator, manager):
    for user in (annotator, manager):
        response = client_for(user).get(reverse("admin:annotator_annotation_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_staff_reviewer_bulk_accepts_and_each_step_is_in_the_history(
    project, document, annotator, annotator2, labels
):
    editor = staff("staffrev", project, Role.REVIEWER)
    marks = [mark(annotator, document, 0, 3, labels["claim"]), mark(annotator2, document, 4, 10, labels["evidence"])]
    response = bulk(client_for(editor), "accept_selected", marks)
    assert "Accepted: 2 marks." in response.content.decode()
    for a in marks:
        a.refresh_from_db()
        assert (a.status, a.reviewed_by, a.version) == ("accepted", editor, 2)
        assert [(h.history_type, h.status, h.history_user) for h in a.history.order_by("history_date")] == [
            ("+", "pending", a.created_by),
            ("~", "accepted", editor),
        ]
    history_page = client_for(editor).get(reverse("admin:annotator_annotation_history", args=[marks[0].pk]))
    assert history_page.status_code == 200 and "staffrev" in history_page.content.decode()


def test_bulk_reject_refuses_own_marks_and_says_so(project, document, annotator, labels):
    editor = staff("staffrev", project, Role.MANAGER)
    own = mark(editor, document, 0, 3, labels["claim"])
    other = mark(annotator, document, 4, 10, labels["claim"])
    body = bulk(client_for(editor), "reject_selected", [own, other]).content.decode()
    assert "Rejected: 1 mark." in body and f"Mark {own.pk} not reviewed: Nobody reviews their own mark." in body
    assert Annotation.objects.get(pk=own.pk).status == "pending"
    assert Annotation.objects.get(pk=other.pk).status == "rejected"


def test_staff_who_are_not_reviewers_of_the_project_cannot_review_in_admin(project, document, annotator, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    for user in (staff("root"), staff("staffann", project, Role.ANNOTATOR)):
        body = bulk(client_for(user), "accept_selected", [a]).content.decode()
        assert "not reviewed" in body
        assert Annotation.objects.get(pk=a.pk).status == "pending"


def test_the_review_fields_are_read_only_in_the_change_form(project, document, annotator, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    client = client_for(staff("root"))
    body = client.get(reverse("admin:annotator_annotation_change", args=[a.pk])).content.decode()
    # Marks change only through the services: the change form shows them, it does not edit them.
    for field in ["status", "review_note", "note", "label", "span", "created_by"]:
        assert f'name="{field}"' not in body, field
