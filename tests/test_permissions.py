"""A user outside a project sees nothing of it: every URL of the app, built from the URLconf, answers 404.

A new URL whose parameters this test cannot fill fails it: add the parameter to OBJECT_IDS.
"""
import pytest
from django.urls import URLPattern, get_resolver, reverse

from annotator import services
from annotator.models import Annotation, Link, LinkType, Source
from annotator.services import links, versions

from .conftest import client_for
from .factories import CitationFactory

PUBLIC = {"project_list"}  # lists only the user's own projects


@pytest.fixture
def world(document, annotator, manager, labels):
    """One of each object of `project`, every version page included."""
    annotation = services.annotate(
        user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"]
    )
    citation = CitationFactory(annotation=annotation)
    other = services.annotate(
        user=annotator, document=document, start=4, end=10, exact=document.text[4:10], label=labels["claim"]
    )
    link = links.create_link(
        user=annotator, from_annotation=annotation, to_annotation=other,
        type=LinkType.objects.get(project=document.project, key="same-as"),
    )
    versions.add_version(membership=manager.memberships.get(project=document.project), document=document,
                         text=document.text + "More.\n", user=manager)
    return {
        "project_id": document.project_id,
        "document_id": document.pk,
        "annotation_id": annotation.pk,
        "source_id": citation.source_id,
        "citation_id": citation.pk,
        "link_id": link.pk,
        "number": 1,
    }


def app_urls(ids):
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "app_name", None) == "admin" or not hasattr(pattern, "url_patterns"):
            continue
        for inner in pattern.url_patterns:
            if not isinstance(inner, URLPattern) or not inner.name or inner.name in PUBLIC:
                continue
            if inner.callback.__module__.startswith("django.contrib"):
                continue
            params = list(inner.pattern.converters)
            missing = [p for p in params if p not in ids]
            assert not missing, f"{inner.name}: no object id for {missing}; add it to the world fixture"
            yield inner.name, reverse(inner.name, kwargs={p: ids[p] for p in params})


def test_the_url_list_covers_every_part_of_the_app(world):
    names = {name for name, _ in app_urls(world)}
    assert {"document_detail", "annotation_update", "version_report", "review_queue", "source_detail", "citation_delete"} <= names
    assert {"link_create", "link_delete", "link_review", "link_types", "document_map", "project_map"} <= names


def test_outsiders_get_404_for_every_url_and_method(world, outsider):
    client = client_for(outsider)
    data = {"text": "x", "start": 0, "end": 3, "exact": "Did", "label": 1, "version": 1, "status": "accepted", "title": "t"}
    for name, url in app_urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url, data)
            assert response.status_code in (404, 405), (name, method, response.status_code)
        assert 404 in (client.get(url).status_code, client.post(url, data).status_code), name
    assert Annotation.objects.count() == 2 and Source.objects.count() == 1
    assert Link.objects.get().version == 1  # untouched


def test_anonymous_users_are_sent_to_login_everywhere(client, world):
    for name, url in app_urls(world):
        response = client.get(url)
        assert response.status_code in (302, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), name


def test_unknown_ids_are_404_too(annotator):
    client = client_for(annotator)
    for url in ["/projects/99999/", "/documents/99999/", "/annotations/99999/", "/sources/99999/", "/annotations/99999/links/", "/documents/99999/map/"]:
        assert client.get(url).status_code == 404
