"""Running a team (issue 20), part two: a project's labels managed in the app."""

import re

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Label
from annotator.services import labels as label_services

from .conftest import client_for


def test_a_manager_adds_a_label_at_the_end_and_history_says_who(project, manager):
    response = client_for(manager).post(
        reverse("label_list", args=[project.pk]),
        {"name": "Counterclaim", "key": "counterclaim", "colour": "#123456", "shortcut": "4"},
    )
    assert response.status_code == 302
    label = Label.objects.get(project=project, key="counterclaim")
    assert (label.name, label.colour, label.shortcut, label.order) == ("Counterclaim", "#123456", "4", 3)
    assert label.history.first().history_user == manager


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "Claim", "key": "other", "colour": "#123456", "shortcut": ""}, "named"),
        ({"name": "Other", "key": "claim", "colour": "#123456", "shortcut": ""}, "key “claim” already"),
        ({"name": "Other", "key": "other", "colour": "#123456", "shortcut": "1"}, "key of the label"),
        ({"name": "Other", "key": "other", "colour": "#123456", "shortcut": "l"}, "taken by the page"),
        ({"name": "Other", "key": "other", "colour": "#123456", "shortcut": "?"}, "taken by the page"),
        ({"name": "Other", "key": "other", "colour": "#123456", "shortcut": "X"}, "lower-case"),
        ({"name": "Oth\u202eer", "key": "other", "colour": "#123456", "shortcut": ""}, "bidi"),
        ({"name": "Other", "key": "Not a slug", "colour": "#123456", "shortcut": ""}, "lower-case letters"),
        ({"name": "Other", "key": "other", "colour": "red", "shortcut": ""}, "#rrggbb"),
    ],
)
def test_a_label_that_breaks_a_rule_is_refused_with_its_reason(project, manager, data, message):
    response = client_for(manager).post(reverse("label_list", args=[project.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert project.labels.count() == 3


def test_a_manager_renames_recolours_and_rekeys_a_label(project, manager, labels):
    client = client_for(manager)
    client.post(
        reverse("label_update", args=[labels["claim"].pk]),
        {"action": "save", "name": "Assertion", "colour": "#000000", "shortcut": "a"},
    )
    label = Label.objects.get(pk=labels["claim"].pk)
    assert (label.key, label.name, label.colour, label.shortcut) == ("claim", "Assertion", "#000000", "a")


def test_labels_are_reordered(project, manager, labels):
    client = client_for(manager)
    client.post(reverse("label_update", args=[labels["quotation"].pk]), {"action": "up"})
    assert [label.key for label in project.labels.all()] == ["claim", "quotation", "evidence"]
    client.post(reverse("label_update", args=[labels["claim"].pk]), {"action": "up"})  # first already: nothing moves
    assert [label.key for label in project.labels.all()] == ["claim", "quotation", "evidence"]


def test_a_retired_label_leaves_the_toolbar_but_stays_on_its_marks_and_in_exports(
    project, manager, annotator, document, labels
):
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    client = client_for(manager)
    response = client.post(
        reverse("label_update", args=[labels["claim"].pk]), {"action": "delete"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and "retire it instead" in response.content.decode()
    client.post(reverse("label_update", args=[labels["claim"].pk]), {"action": "retire"})
    page = client_for(annotator).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert f'data-label="{labels["claim"].pk}"' not in page and f'data-label="{labels["evidence"].pk}"' in page
    assert "Claim" in page  # on its mark
    labels["claim"].refresh_from_db()  # as the form reads it
    with pytest.raises(services.ActionRefused, match="retired"):
        services.annotate(user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["claim"])
    with pytest.raises(services.ActionRefused, match="retired"):
        services.update_annotation(
            user=annotator,
            annotation=services.annotate(
                user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["evidence"]
            ),
            version=1,
            label=labels["claim"],
        )
    export = client.get(reverse("project_export", args=[project.pk]) + "?format=csv")
    assert b",claim," in b"".join(export.streaming_content)
    mark.refresh_from_db()
    assert mark.label_id == labels["claim"].pk
    client.post(reverse("label_update", args=[labels["claim"].pk]), {"action": "restore"})
    assert not Label.objects.get(pk=labels["claim"].pk).retired


def test_a_mark_panel_offers_a_retired_label_only_on_the_marks_that_have_it(
    project, manager, annotator, document, labels
):
    claimed = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    other = services.annotate(
        user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["evidence"]
    )
    client_for(manager).post(reverse("label_update", args=[labels["claim"].pk]), {"action": "retire"})
    editor = client_for(annotator)
    option = f'<option value="{labels["claim"].pk}"'

    def panel(mark):  # the label menu of the mark's edit form
        page = editor.get(reverse("annotation_detail", args=[mark.pk]), HTTP_HX_REQUEST="true").content.decode()
        return re.search(r'<select name="label".*?</select>', page, re.S).group()

    assert option in panel(claimed)  # its own label, shown as it is
    assert option not in panel(other) and f'<option value="{labels["quotation"].pk}"' in panel(other)


def test_an_unused_label_is_deleted(project, manager):
    label = label_services.add_label(user=manager, project=project, key="spare", name="Spare", colour="#aaaaaa")
    client_for(manager).post(reverse("label_update", args=[label.pk]), {"action": "delete"})
    assert not Label.objects.filter(pk=label.pk).exists()


def test_only_managers_change_labels(project, annotator, labels):
    client = client_for(annotator)
    assert client.post(reverse("label_update", args=[labels["claim"].pk]), {"action": "retire"}).status_code == 403
    assert (
        client.post(
            reverse("label_list", args=[project.pk]), {"name": "X", "key": "x", "colour": "#000000"}
        ).status_code
        == 403
    )
    with pytest.raises(services.Forbidden):
        label_services.retire_label(user=annotator, label=labels["claim"])
    assert not Label.objects.get(pk=labels["claim"].pk).retired
