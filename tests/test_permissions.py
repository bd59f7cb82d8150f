"""A user outside a project sees nothing of it: every URL of its objects answers 404."""
import pytest
from django.urls import reverse

from annotator import services

from .conftest import client_for


@pytest.fixture
def annotation(document, annotator, labels):
    return services.annotate(user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"])


def link_of(annotation):
    from annotator.models import Link, LinkType

    claim = annotation
    other = services.annotate(
        user=claim.created_by, document=claim.span.document, start=4, end=10, exact=claim.span.document.text[4:10],
        label=claim.label,
    )
    return Link.objects.create(
        project=claim.span.document.project, type=LinkType.objects.get(project=claim.span.document.project, key="same-as"),
        from_annotation=claim, to_annotation=other, created_by=claim.created_by,
    )


def project_urls(project, document, annotation):
    link = link_of(annotation)
    return [
        ("get", reverse("project_detail", args=[project.pk])),
        ("get", reverse("label_css", args=[project.pk])),
        ("get", reverse("document_create", args=[project.pk])),
        ("post", reverse("document_create", args=[project.pk])),
        ("get", reverse("document_detail", args=[document.pk])),
        ("get", reverse("mark_list", args=[document.pk])),
        ("get", reverse("document_changes", args=[document.pk]) + "?since=0"),
        ("post", reverse("annotation_create", args=[document.pk])),
        ("get", reverse("annotation_detail", args=[annotation.pk])),
        ("post", reverse("annotation_update", args=[annotation.pk])),
        ("post", reverse("annotation_delete", args=[annotation.pk])),
        ("get", reverse("review_queue", args=[project.pk])),
        ("post", reverse("annotation_review", args=[annotation.pk])),
        ("get", reverse("agreement_index", args=[project.pk])),
        ("get", reverse("document_agreement", args=[document.pk])),
        # Links and the argument map (issue 8)
        ("get", reverse("mark_links", args=[annotation.pk])),
        ("post", reverse("link_create", args=[annotation.pk])),
        ("get", reverse("link_targets", args=[annotation.pk]) + "?q=Did"),
        ("post", reverse("link_update", args=[link.pk])),
        ("post", reverse("link_delete", args=[link.pk])),
        ("post", reverse("link_review", args=[link.pk])),
        ("get", reverse("link_types", args=[project.pk])),
        ("post", reverse("link_types", args=[project.pk])),
        ("get", reverse("document_map", args=[document.pk])),
        ("get", reverse("project_map", args=[project.pk])),
    ]


def test_outsiders_get_404_everywhere(project, document, annotation, outsider):
    client = client_for(outsider)
    for method, url in project_urls(project, document, annotation):
        response = getattr(client, method)(url, {"text": "x", "start": 0, "end": 3, "exact": "Did", "label": 1})
        assert response.status_code == 404, (method, url, response.status_code)
    assert annotation.__class__.objects.count() == 2
    assert annotation.links_from.get().version == 1  # untouched


def test_anonymous_users_are_sent_to_login_everywhere(client, project, document, annotation):
    for method, url in project_urls(project, document, annotation):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_unknown_ids_are_404_too(annotator):
    client = client_for(annotator)
    for url in ["/projects/99999/", "/documents/99999/", "/annotations/99999/"]:
        assert client.get(url).status_code == 404
