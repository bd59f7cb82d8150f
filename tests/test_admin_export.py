"""The Annotation admin's export actions: the selected rows, as CSV or JSON-LD, for staff only."""

import csv
import io
import json

from django.urls import reverse

from annotator import services
from annotator.models import Annotation

from . import w3c_model
from .conftest import client_for
from .factories import UserFactory


def _marks(document, annotator, labels):
    for start in (0, 4, 11):
        services.annotate(
            user=annotator,
            document=document,
            start=start,
            end=start + 3,
            exact=document.text[start : start + 3],
            label=labels["claim"],
            note="@risky",
        )
    return list(Annotation.objects.order_by("pk"))


def _run(client, action, selected):
    return client.post(
        reverse("admin:annotator_annotation_changelist"),
        {"action": action, "_selected_action": [a.pk for a in selected]},
    )


def test_staff_export_exactly_the_selected_marks_as_spreadsheet_safe_csv(document, annotator, labels):
    marks = _marks(document, annotator, labels)
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    response = _run(client_for(staff), "export_selected_csv", [marks[0], marks[2]])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="marks-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))
    assert [int(r["annotation_id"]) for r in rows] == [marks[0].pk, marks[2].pk]
    assert rows[0]["note"] == "'@risky"


def test_staff_export_the_selection_as_valid_jsonld(document, annotator, labels):
    marks = _marks(document, annotator, labels)
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    response = _run(client_for(staff), "export_selected_jsonld", marks[1:])
    collection = json.loads(b"".join(response.streaming_content))
    assert collection["total"] == 2 and len(collection["first"]["items"]) == 2
    assert w3c_model.problems(collection) == []


def test_members_who_are_not_staff_cannot_use_the_admin_export(document, annotator, labels):
    marks = _marks(document, annotator, labels)
    response = _run(client_for(annotator), "export_selected_csv", marks)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
