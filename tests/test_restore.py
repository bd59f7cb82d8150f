"""Undoing a delete (issue 20): a deleted mark restored by its author or a manager, with its label, note, review,
sources, links and history, while its text is in the current version."""

import pytest
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Citation, Link, LinkType
from annotator.services import links, sources, versions

from .conftest import client_for


@pytest.fixture
def deleted(project, annotator, annotator2, reviewer, document, labels):
    """A mark with a note, a review, a citation and two links (one each way), then deleted by its author."""
    mark = services.annotate(
        user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["claim"], note="the man"
    )
    other = services.annotate(user=annotator2, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    services.review_annotation(user=reviewer, annotation=mark, status="accepted", note="fine")
    source = sources.create_source(user=annotator, project=project, type="book", title="Getty 1993")
    sources.cite_source(user=annotator, annotation=Annotation.objects.get(pk=mark.pk), source=source, locator="p. 5")
    same = LinkType.objects.get(project=project, key="same-as")
    links.create_link(user=annotator, from_annotation=mark, to_annotation=other, type=same)
    links.create_link(user=annotator2, from_annotation=other, to_annotation=mark, type=same, note="back")
    mark = Annotation.objects.get(pk=mark.pk)
    services.delete_annotation(user=annotator, annotation=mark, version=mark.version)
    assert not Annotation.objects.filter(pk=mark.pk).exists() and not Link.objects.exists()
    return mark


def test_the_author_restores_a_mark_with_everything_it_had(deleted, annotator, document):
    restored = services.restore_annotation(user=annotator, annotation_id=deleted.pk)
    assert (restored.pk, restored.span.start, restored.span.end, restored.span.exact) == (deleted.pk, 4, 10, "Stalin")
    restored = Annotation.objects.get(pk=deleted.pk)
    assert (restored.label_id, restored.note, restored.status, restored.review_note) == (
        deleted.label_id,
        "the man",
        "accepted",
        "fine",
    )
    assert Citation.objects.get(annotation=restored).locator == "p. 5"
    assert Link.objects.filter(from_annotation=restored).count() == 1
    assert Link.objects.get(to_annotation=restored).note == "back"
    kinds = [(r.history_type, r.history_change_reason, r.history_user) for r in restored.history.all()[:2]]
    assert kinds[0] == ("+", "restored", annotator) and kinds[1][0] == "-"
    assert restored.history.count() >= 4  # made, reviewed, deleted, restored: its history goes on
    document.refresh_from_db()
    assert document.revision > 0


def test_a_manager_restores_too_and_others_may_not(deleted, annotator2, reviewer, manager):
    for user in (annotator2, reviewer):
        with pytest.raises(services.Forbidden):
            services.restore_annotation(user=user, annotation_id=deleted.pk)
    assert services.restore_annotation(user=manager, annotation_id=deleted.pk).created_by_id == deleted.created_by_id


def test_a_mark_is_restored_once(deleted, annotator):
    services.restore_annotation(user=annotator, annotation_id=deleted.pk)
    with pytest.raises(services.Conflict):
        services.restore_annotation(user=annotator, annotation_id=deleted.pk)


def test_a_new_version_keeps_a_mark_restorable_while_its_words_are_there_once(deleted, annotator, manager, document):
    versions.add_version(user=manager, document=document, text="Intro. " + document.text)
    restored = services.restore_annotation(user=annotator, annotation_id=deleted.pk)
    assert (restored.span.start, restored.span.version) == (11, 2)


def test_a_mark_whose_words_are_gone_is_not_restored(deleted, annotator, manager, document):
    versions.add_version(user=manager, document=document, text=document.text.replace("Stalin", "Lenin"))
    with pytest.raises(services.ActionRefused, match="not in the current version"):
        services.restore_annotation(user=annotator, annotation_id=deleted.pk)
    assert not Annotation.objects.filter(pk=deleted.pk).exists()


def test_the_same_mark_made_again_meanwhile_blocks_the_restore(deleted, annotator, document, labels):
    services.annotate(user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["claim"])
    with pytest.raises(services.ActionRefused, match="already marked"):
        services.restore_annotation(user=annotator, annotation_id=deleted.pk)


def test_the_deleted_marks_list_and_the_restore_button(deleted, annotator, annotator2, document):
    page = client_for(annotator).get(reverse("deleted_marks", args=[document.pk])).content.decode()
    assert "Stalin" in page and reverse("annotation_restore", args=[deleted.pk]) in page
    page = client_for(annotator2).get(reverse("deleted_marks", args=[document.pk])).content.decode()
    assert "Stalin" in page and reverse("annotation_restore", args=[deleted.pk]) not in page
    response = client_for(annotator).post(reverse("annotation_restore", args=[deleted.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("annotation_detail", args=[deleted.pk])
    assert "Stalin" not in client_for(annotator).get(reverse("deleted_marks", args=[document.pk])).content.decode()


def test_outsiders_learn_nothing(deleted, outsider):
    assert client_for(outsider).post(reverse("annotation_restore", args=[deleted.pk])).status_code == 404
    assert not Annotation.objects.filter(pk=deleted.pk).exists()
