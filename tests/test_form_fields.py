"""Errors and help tied to their fields (issue 26, item 4): every id an aria-describedby names is on the page, and a
form's own error is tied to the fields it is about."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from annotator import services

from .conftest import client_for


class Ids(HTMLParser):
    """The ids of a page, and each aria-describedby with the element that carries it."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[dict, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described.append(({"tag": tag, **attrs}, attrs["aria-describedby"].split()))

    def missing(self) -> list[str]:
        return [
            f"{element.get('name') or element['tag']} → {ref}"
            for element, refs in self.described
            for ref in refs
            if ref not in self.ids
        ]

    def element(self, name: str) -> dict:
        return next(element for element, _ in self.described if element.get("name") == name)


def page_of(response) -> Ids:
    return Ids(response.content.decode())


@pytest.mark.parametrize("path", ["document_create", "source_create", "link_types"])
def test_every_help_a_field_is_described_by_is_on_the_page(project, manager, path):
    page = page_of(client_for(manager).get(reverse(path, args=[project.pk])))
    assert page.described, "no field with help on the page: the test would prove nothing"
    assert page.missing() == []


def test_the_new_documents_error_belongs_to_the_fields_it_is_about(project, manager):
    response = client_for(manager).post(reverse("document_create", args=[project.pk]), {"title": "Empty"})
    assert response.status_code == 422
    page = page_of(response)
    assert page.missing() == []
    error_id = "form_errors"
    assert error_id in page.ids
    for name in ("url", "file", "text"):
        field = page.element(name)
        assert error_id in field["aria-describedby"].split(), name
        assert field["aria-invalid"] == "true", name
    assert "aria-invalid" not in page.element("title")


def test_a_new_version_refused_is_tied_to_its_fields(document, manager):
    response = client_for(manager).post(reverse("document_versions", args=[document.pk]), {"note": "Nothing"})
    assert response.status_code == 422
    page = page_of(response)
    assert page.missing() == []
    assert page.element("text")["aria-invalid"] == "true"


def test_a_new_source_refused_on_the_marks_panel_is_described_by_its_error(document, annotator, labels):
    mark = services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["quotation"]
    )
    response = client_for(annotator).post(
        reverse("citation_create_new", args=[mark.pk]),
        {"new-type": "book", "new-title": " "},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    page = page_of(response)
    assert page.missing() == []
    title = page.element("new-title")
    assert title["aria-invalid"] == "true"
    assert "id_new-title_error" in title["aria-describedby"].split()
