"""Regressions found in review: stale documents, orphans in figures, admin writes, odd input."""

import pytest
from django.urls import reverse

from annotator import services
from annotator.history import history_of
from annotator.models import Annotation, Citation, Document, Span
from annotator.services import versions

from .conftest import client_for
from .factories import ProjectFactory, SourceFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def revise(manager, document, text):
    return versions.add_version(user=manager, document=document, text=text)


def test_a_mark_made_from_a_stale_document_lands_on_the_current_version(document, annotator, manager, labels):
    stale = Document.objects.get(pk=document.pk)
    revise(manager, document, document.text + "An appended line.\n")
    mark = services.annotate(
        user=annotator, document=stale, start=0, end=3, exact=document.text[:3], label=labels["claim"]
    )
    assert mark.span.version == 2


def test_a_mark_made_from_a_stale_document_whose_offsets_moved_is_refused(document, annotator, manager, labels):
    stale = Document.objects.get(pk=document.pk)
    revise(manager, document, "A new first line.\n" + document.text)
    with pytest.raises(services.ActionRefused, match="does not match"):
        services.annotate(
            user=annotator, document=stale, start=0, end=3, exact=document.text[:3], label=labels["claim"]
        )
    assert not Span.objects.filter(version=1).exists()


@pytest.fixture
def orphaned(document, annotator, annotator2, manager, labels):
    orphan = services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["claim"]
    )
    kept = document.text.index("Getty argues")
    services.annotate(
        user=annotator2, document=document, start=kept, end=kept + 12, exact="Getty argues", label=labels["claim"]
    )
    revise(manager, document, "Quite different words now.\n" + document.text[10:])
    orphan.refresh_from_db()
    assert orphan.placement == "orphaned"
    return orphan


def test_orphans_stay_out_of_counts_agreement_and_the_review_queue(document, orphaned, reviewer, annotator):
    client = client_for(reviewer)
    rows = client.get(reverse("project_detail", args=[document.project_id])).context["rows"]
    assert [r["total"] for r in rows if r["document"].pk == document.pk] == [1]
    queue = client.get(reverse("review_queue", args=[document.project_id])).content.decode()
    kept = Annotation.objects.exclude(pk=orphaned.pk).get()
    assert f"/annotations/{kept.pk}/" in queue
    assert f"/annotations/{orphaned.pk}/" not in queue
    page = client_for(annotator).get(reverse("document_agreement", args=[document.pk])).content.decode()
    assert "Quite diff" not in page


def test_the_history_says_how_a_mark_was_carried(orphaned):
    whats = [e.what for e in history_of(orphaned.pk, orphaned.label.project_id)]
    assert "Carried to version 2: orphaned" in whats
    assert "Saved without visible change" not in whats


def test_a_delete_without_the_marks_version_is_refused(document, annotator, labels):
    mark = services.annotate(
        user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"]
    )
    response = client_for(annotator).post(reverse("annotation_delete", args=[mark.pk]), {}, **HTMX)
    assert response.status_code == 422 and "version is missing" in response.content.decode()
    assert Annotation.objects.filter(pk=mark.pk).exists()


@pytest.mark.parametrize("query", ["?from=999999999999999999999999999&to=2", "?from=1&to=-4", "?from=x"])
def test_the_diff_page_answers_404_to_odd_version_numbers(document, manager, annotator, query):
    revise(manager, document, document.text + "More.\n")
    assert client_for(annotator).get(reverse("version_diff", args=[document.pk]) + query).status_code == 404


def test_pasted_source_text_keeps_to_the_upload_limit(project, annotator, settings):
    settings.ANNOTATOR_MAX_UPLOAD_BYTES = 100
    response = client_for(annotator).post(
        reverse("source_create", args=[project.pk]), {"type": "book", "title": "Long", "full_text": "x" * 500}
    )
    assert response.status_code == 422 and "over the limit" in response.content.decode()


@pytest.fixture
def staff(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_admin_cannot_rewrite_a_documents_text_or_move_it(document, staff):
    other = ProjectFactory(name="Other")
    client = client_for(staff)
    page = client.get(reverse("admin:annotator_document_change", args=[document.pk])).content.decode()
    assert 'name="text"' not in page and 'name="project"' not in page
    client.post(
        reverse("admin:annotator_document_change", args=[document.pk]),
        {"title": "Renamed", "text": "new", "project": other.pk, "origin": ""},
    )
    document.refresh_from_db()
    assert (document.title, document.project.name) == ("Renamed", "Purge project")
    assert document.text.startswith("Did Stalin")


def test_admin_adds_no_spans_marks_or_citations(document, staff, annotator, labels):
    client = client_for(staff)
    for model in ["span", "annotation", "citation", "document"]:
        assert client.get(reverse(f"admin:annotator_{model}_add")).status_code == 403, model
    mark = services.annotate(
        user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"]
    )
    foreign = SourceFactory(project=ProjectFactory(name="Other"))
    client.post(
        reverse("admin:annotator_citation_add"), {"annotation": mark.pk, "source": foreign.pk, "locator": "p. 1"}
    )
    assert not Citation.objects.exists()
