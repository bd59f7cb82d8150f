"""The admin reads history; it never restores an old record over the services' rules."""

import re

from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Citation

from .conftest import client_for
from .factories import CitationFactory, SourceFactory, UserFactory


def test_reverting_a_mark_to_an_accepted_record_in_admin_is_refused(document, annotator, reviewer, labels):
    # Staff rights are not review rights: a revert would bring the acceptance back without any reviewer.
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    services.review_annotation(user=reviewer, annotation=mark, status="accepted", version=1)
    services.update_annotation(user=annotator, annotation=mark, version=2, note="Changed after review.")
    accepted = mark.history.filter(status="accepted").first()
    url = reverse("admin:annotator_annotation_simple_history", args=[mark.pk, accepted.history_id])
    client = client_for(staff)
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {}).status_code == 403
    mark.refresh_from_db()
    assert (mark.status, mark.note, mark.version) == ("pending", "Changed after review.", 3)


def test_reverting_a_citation_in_admin_is_refused(document, annotator, labels):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    citation = CitationFactory(annotation__span__document=document, annotation__created_by=annotator, locator="p. 1")
    record = citation.history.first()
    citation.source = SourceFactory(project=document.project)
    citation.save()
    url = reverse("admin:annotator_citation_simple_history", args=[citation.pk, record.history_id])
    assert client_for(staff).post(url, {}).status_code == 403
    assert Citation.objects.get().source_id == citation.source_id
    assert Annotation.objects.count() == 1


def test_the_history_shows_an_emptied_reviewer_as_empty_not_as_a_deleted_user(document, annotator, reviewer, labels):
    # Back to pending, a mark has no reviewer: simple-history showed "Reviewed by: rev → Deleted user (pk=None)".
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    services.review_annotation(user=reviewer, annotation=mark, status="accepted", version=1)
    services.update_annotation(user=annotator, annotation=mark, version=2, note="Changed after review.")
    page = client_for(staff).get(reverse("admin:annotator_annotation_history", args=[mark.pk])).content.decode()
    assert "<strong>Reviewed by:</strong>" in page
    assert "Deleted user" not in page and "pk=None" not in page
    assert "<bdi>rev</bdi> &nbsp;&rarr;&nbsp;&nbsp;<bdi>-</bdi>" in re.sub(r"\s+", " ", page)
