"""JSON-LD exports against the W3C Web Annotation Data Model, checked with the W3C test suite's schemas.

The checker (tests/w3c_model.py) is first shown to tell right from wrong on the specification's own
examples and on its working group's negative examples; then every export must pass it.
"""

import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import services
from annotator.exchange import writers
from annotator.exchange.records import Addresses, CitationRecord, MarkRecord, SourceRecord, as_row

from . import w3c_model
from .conftest import client_for
from .factories import CitationFactory, SourceFactory

EXAMPLES = w3c_model.DATA / "spec-examples"
# anno15 is labelled "bad language" but its fault is a misspelt key ("langauage"), which the model
# does not forbid: an annotation may carry keys of other vocabularies. No schema can reject it.
NOT_A_MUST = {"anno15.json"}


def _files(folder):
    return sorted(folder.glob("*.json"), key=lambda p: p.name)


@pytest.mark.parametrize(
    "path",
    _files(EXAMPLES / "rec-2017") + _files(EXAMPLES / "wd2-correct") + _files(w3c_model.DATA / "crafted" / "positive"),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_the_checker_accepts_the_specifications_examples(path):
    assert w3c_model.problems(json.loads(path.read_text())) == []


@pytest.mark.parametrize(
    "path",
    [p for p in _files(EXAMPLES / "wd2-incorrect-repaired") if p.name not in NOT_A_MUST]
    + _files(w3c_model.DATA / "crafted" / "negative"),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_the_checker_rejects_the_working_groups_negative_examples(path):
    assert w3c_model.problems(json.loads(path.read_text())) != []


ADDRESSES = Addresses("https://annotator.example.org")
texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
sources = st.builds(
    SourceRecord,
    id=st.integers(1, 10**6),
    type=st.sampled_from(["book", "speech", "manuscript", "post"]),
    title=texts.filter(str.strip),
    authors=st.lists(st.fixed_dictionaries({"family": texts, "given": texts}), max_size=2),
    issued=st.sampled_from(["", "1937", "1937-03", "1937-03-05"]),
    doi=st.sampled_from(["", "10.1017/x", "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0"]),
    url=st.sampled_from(["", "https://example.org/a?b=c"]),
)
times = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@st.composite
def marks(draw):
    start = draw(st.integers(0, 10**6))
    return MarkRecord(
        annotation_id=draw(st.integers(1, 10**9)),
        project=draw(texts),
        document_id=draw(st.integers(1, 10**6)),
        document_title=draw(texts),
        start=start,
        end=start + draw(st.integers(1, 500)),
        exact=draw(texts.filter(bool)),
        prefix=draw(texts),
        suffix=draw(texts),
        label=draw(st.sampled_from(["claim", "evidence", "quotation"])),
        note=draw(texts),
        annotator=draw(texts.filter(bool)),
        status=draw(st.sampled_from(["pending", "accepted", "rejected"])),
        reviewer=draw(texts),
        reviewed_at=draw(st.none() | times),
        review_note=draw(texts),
        citations=tuple(draw(st.lists(st.builds(CitationRecord, sources, texts, texts), max_size=3))),
        created_at=draw(times),
        updated_at=draw(times),
        version=draw(st.integers(1, 50)),
    )


@settings(max_examples=150, deadline=None)
@given(marks())
def test_every_mark_the_writer_can_be_given_makes_a_valid_annotation(mark):
    [item] = writers.jsonld_marks([as_row(mark)], ADDRESSES)
    assert w3c_model.problems(json.loads(item)) == []


@settings(max_examples=25, deadline=None)
@given(st.lists(marks(), max_size=4))
def test_every_collection_the_writer_makes_is_valid(batch):
    text = "".join(
        writers.jsonld(
            map(as_row, batch),
            total=len(batch),
            collection_id="https://annotator.example.org/export/x",
            label="Marks",
            addresses=ADDRESSES,
        )
    )
    assert w3c_model.problems(json.loads(text)) == []


def _mark_the_document(document, annotator, reviewer, labels):
    quote = services.annotate(
        user=annotator,
        document=document,
        start=0,
        end=10,
        exact=document.text[:10],
        label=labels["quotation"],
        note="=cmd|' /C calc'!A0",
    )
    claim = services.annotate(
        user=annotator, document=document, start=31, end=32, exact=document.text[31:32], label=labels["claim"]
    )
    services.review_annotation(user=reviewer, annotation=claim, status="rejected", note="not a claim")
    CitationFactory(annotation=quote, source=SourceFactory(project=document.project, doi="10.1/abc"), locator="p. 5")
    CitationFactory(annotation=quote, source=SourceFactory(project=document.project, url=""), locator="")


def test_the_apps_jsonld_download_passes_the_checker(document, annotator, reviewer, labels):
    _mark_the_document(document, annotator, reviewer, labels)
    response = client_for(annotator).get(reverse("project_export", args=[document.project_id]), {"format": "jsonld"})
    collection = json.loads(b"".join(response.streaming_content))
    assert collection["total"] == 2 and len(collection["first"]["items"]) == 2
    assert w3c_model.problems(collection) == []
    for item in collection["first"]["items"]:
        assert w3c_model.problems(item) == []  # each one stands alone too, with its own @context


def test_the_commands_jsonld_passes_the_checker(document, annotator, reviewer, labels, tmp_path):
    _mark_the_document(document, annotator, reviewer, labels)
    out = tmp_path / "marks.jsonld"
    call_command("export_annotations", format="jsonld", output=str(out), base_url="https://annotator.example.org")
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert collection["total"] == 2
    assert w3c_model.problems(collection) == []
