"""Our JSON-LD read by a JSON-LD processor (issue 25, item 8): every export expanded with pyld, against a local copy of
the W3C context (tests/w3c_context.py), loses none of what we wrote: each term is one the contexts define, our own
terms expand to IRIs, and a source's CSL-JSON comes through whole as a JSON literal."""

import json

import pytest
from django.urls import reverse

from annotator import exchange
from annotator.exchange.query import EarlierVersion, ExportFilter, marks
from annotator.exchange.records import EXTENSION_CONTEXT
from annotator.services import sources

from . import w3c_context
from .conftest import client_for
from .hostile import hostile_project

KEYWORDS = {"@context", "@id", "@type", "@value", "@list", "@language", "@json"}
W3C_TERMS = set(w3c_context.ANNO_JSONLD["@context"])
OURS = {key for key in EXTENSION_CONTEXT if not key.startswith("@") and key != "ed"}
ED = EXTENSION_CONTEXT["ed"]


def _terms(node, found: set, csl: list) -> None:
    """Every key of the compact document (but inside CSL-JSON, which is a literal), and every CSL item."""
    if isinstance(node, list):
        for item in node:
            _terms(item, found, csl)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            found.add(key)
            if key == "csl":
                csl.append(value)
            else:
                _terms(value, found, csl)


def _expanded_values(node, iri: str, out: list) -> list:
    if isinstance(node, list):
        for item in node:
            _expanded_values(item, iri, out)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == iri:
                out.extend(value)
            elif key != "@value":
                _expanded_values(value, iri, out)
    return out


def _check(document: dict) -> list:
    """The expanded document, once checked that nothing of `document` was dropped by the expansion."""
    found, csl = set(), []
    _terms(document, found, csl)
    assert found - W3C_TERMS - OURS - KEYWORDS == set()  # a term no context defines would be dropped
    expanded = w3c_context.expand(document)
    text = json.dumps(expanded)
    for term in found & OURS:
        assert f'"{ED}{term}"' in text, term
    literals = _expanded_values(expanded, f"{ED}csl", [])
    assert [value["@type"] for value in literals] == ["@json"] * len(csl)
    assert [value["@value"] for value in literals] == csl
    return expanded


@pytest.fixture
def hostile(db):
    built = hostile_project()
    # A source as CSL has it, cited: names in several roles, a range, an ancient date, other variables.
    ancient = sources.create_source(
        user=built.people["ann"],
        project=built.project,
        type="legal_case",
        title="Rex v. Nobody",
        authors=[{"family": "Fulton", "given": "James E.", "suffix": "Jr."}, {"literal": "Supreme Court"}],
        contributors={"editor": [{"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}]},
        issued={"date-parts": [[-334], [-330]], "circa": True},
        other_fields={"authority": "Areopagus", "accessed": {"date-parts": [[2024, 1, 5]]}},
    )
    sources.cite_source(user=built.people["ann"], annotation=built.claim, source=ancient, locator="p. 3", note="")
    return built


def test_the_projects_jsonld_expands_with_every_term_and_each_csl_item_whole(hostile):
    response = client_for(hostile.people["boss"]).get(
        reverse("project_export", args=[hostile.project.pk]), {"format": "jsonld"}
    )
    collection = json.loads(b"".join(response.streaming_content))
    expanded = _check(collection)
    assert len(_expanded_values(expanded, "http://www.w3.org/ns/activitystreams#items", [])[0]["@list"]) == len(
        collection["first"]["items"]
    )
    items = collection["first"]["items"]
    assert {item["motivation"] for item in items} == {"tagging", "linking"}
    for item in items:
        _check(item)  # each item stands alone too, with its own @context
    [legal] = [
        value["@value"]
        for value in _expanded_values(expanded, f"{ED}csl", [])
        if value["@value"]["type"] == "legal_case"
    ]
    assert legal["issued"] == {"date-parts": [[-334], [-330]], "circa": True}
    assert legal["editor"] == [{"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}]


def test_every_export_entry_points_jsonld_expands(hostile):
    selections = [
        marks(ExportFilter(project_id=hostile.project.pk)),
        marks(ExportFilter(project_id=hostile.project.pk, label="claim")),
        EarlierVersion.of(hostile.document, 1),
    ]
    for selection in selections:
        written = "".join(
            exchange.export(
                selection,
                "jsonld",
                base_url="https://annotator.example.org",
                collection_id="https://annotator.example.org/export/x",
                label="Marks",
            )
        )
        _check(json.loads(written))


def test_a_term_no_context_defines_is_caught():
    # The check above would see a term of ours that the context forgot: pyld drops it without a word.
    document = {
        "@context": [w3c_context.URL, EXTENSION_CONTEXT],
        "id": "https://x.example/1",
        "type": "Annotation",
        "certainty": "true",
    }
    assert "certainty" not in json.dumps(w3c_context.expand(document))
    with pytest.raises(AssertionError):
        _check(document)


def test_without_json_the_csl_item_would_be_lost():
    context = {**EXTENSION_CONTEXT, "csl": "ed:csl"}  # as it was declared before issue 25
    document = {
        "@context": [w3c_context.URL, context],
        "id": "https://x.example/1",
        "type": "Annotation",
        "csl": {"id": "1", "type": "book", "title": "Politics", "issued": {"date-parts": [[-350]]}},
    }
    assert "Politics" not in json.dumps(w3c_context.expand(document))
