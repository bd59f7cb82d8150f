"""ClaimReview (issue 24): one claim's and a project's accepted verdicts as schema.org JSON-LD, validated against
Google's required and recommended fields and expanded by pyld; the snippet to paste; the fact-check page."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator

from annotator.exchange import claimreview
from annotator.models import ClaimVerdict, LinkType, Rating, Status
from annotator.services import verdicts as verdict_services
from annotator.services.links import create_link
from annotator.services.sources import cite_source

from . import claimreview_schema
from .conftest import client_for
from .factories import AnnotationFactory, DocumentFactory, SourceFactory, SpanFactory

VALIDATOR = Draft202012Validator(claimreview_schema.CLAIM_REVIEW, format_checker=Draft202012Validator.FORMAT_CHECKER)
PROJECT_VALIDATOR = Draft202012Validator(claimreview_schema.PROJECT, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture
def ratings(project):
    return {r.name: r for r in Rating.objects.filter(project=project)}


@pytest.fixture
def claim(project, annotator):
    document = DocumentFactory(project=project, title="Speech", origin="https://news.example/speech")
    start = document.text.index("Getty")
    return AnnotationFactory(span=SpanFactory(document=document, start=start, end=start + 30), created_by=annotator)


def _verdict(claim, reviewer, rating, *, accept_by=None, **fields):
    verdict = verdict_services.give_verdict(
        user=reviewer,
        annotation=claim,
        rating=rating,
        summary=fields.pop("summary", "The centre restrained local zeal"),
        **{"explanation": "The regional archives show the opposite.", "claimant": "J. Arch Getty", **fields},
    )
    if accept_by is not None:
        verdict = verdict_services.review_verdict(user=accept_by, verdict=verdict, status=Status.ACCEPTED)
    return verdict


def test_an_accepted_verdict_is_a_valid_claim_review(settings, claim, reviewer, manager, ratings):
    settings.ANNOTATOR_DESK_URL = "https://factcheck.example.org"
    settings.ANNOTATOR_DESK_NAME = "Example Fact Check"
    _verdict(
        claim,
        reviewer,
        ratings["Mostly false"],
        accept_by=manager,
        claim_date=datetime.date(1985, 3, 1),
        appearances=["https://other.example/repeat"],
    )
    response = client_for(manager).get(reverse("claim_review", args=[claim.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    data = json.loads(response.content)
    VALIDATOR.validate(data)
    assert data["url"] == f"https://factcheck.example.org/fact-checks/{claim.pk}"
    assert data["author"] == {
        "@type": "Organization",
        "name": "Example Fact Check",
        "url": "https://factcheck.example.org",
    }
    assert data["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Mostly false",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
        "ratingExplanation": "The regional archives show the opposite.",
    }
    assert data["itemReviewed"] == {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "J. Arch Getty"},
        "datePublished": "1985-03-01",
        "firstAppearance": {"@type": "CreativeWork", "url": "https://news.example/speech"},
        "appearance": [
            {"@type": "CreativeWork", "url": "https://news.example/speech"},
            {"@type": "CreativeWork", "url": "https://other.example/repeat"},
        ],
    }


def test_a_rating_off_the_scale_has_no_value_and_a_source_as_claimant_is_an_organisation(
    project, claim, reviewer, manager, ratings
):
    source = SourceFactory(project=project, title="Pravda")
    _verdict(claim, reviewer, ratings["Unproven"], accept_by=manager, claimant="", claimant_source=source)
    data = json.loads(client_for(manager).get(reverse("claim_review", args=[claim.pk])).content)
    VALIDATOR.validate(data)
    assert "ratingValue" not in data["reviewRating"]
    assert data["itemReviewed"]["author"] == {"@type": "Organization", "name": "Pravda"}


def test_a_verdict_not_accepted_is_not_published(claim, reviewer, manager, ratings):
    url = reverse("claim_review", args=[claim.pk])
    assert client_for(manager).get(url).status_code == 404  # no verdict at all
    _verdict(claim, reviewer, ratings["False"])
    response = client_for(manager).get(url)
    assert response.status_code == 409 and b"not accepted yet" in response.content


def test_the_projects_reviews_stream_only_accepted_verdicts_each_valid(project, annotator, reviewer, manager, ratings):
    document = DocumentFactory(project=project)
    claims = [
        AnnotationFactory(span=SpanFactory(document=document, start=i * 5, end=i * 5 + 4), created_by=annotator)
        for i in range(5)
    ]
    for i, claim in enumerate(claims):
        _verdict(claim, reviewer, ratings["False"], summary=f"Claim number {i}", accept_by=manager if i % 2 else None)
    response = client_for(annotator).get(reverse("project_claim_reviews", args=[project.pk]))
    assert response.streaming
    data = json.loads(b"".join(response.streaming_content))
    PROJECT_VALIDATOR.validate(data)
    assert [r["claimReviewed"] for r in data["@graph"]] == ["Claim number 1", "Claim number 3"]


def test_an_empty_project_streams_an_empty_graph(project, annotator):
    response = client_for(annotator).get(reverse("project_claim_reviews", args=[project.pk]))
    assert json.loads(b"".join(response.streaming_content)) == {"@context": "https://schema.org", "@graph": []}


def test_the_claim_review_expands_with_every_term_known(claim, reviewer, manager, ratings):
    verdict = _verdict(claim, reviewer, ratings["True"], accept_by=manager, claim_date=datetime.date(2001, 1, 2))
    data = claimreview.document(verdict_services.verdict_of(claim), verdict_services.scale_of(claim.label.project_id))
    expanded = claimreview_schema.expand(data)
    assert len(expanded) == 1
    node = expanded[0]
    assert node["@type"] == ["http://schema.org/ClaimReview"]
    assert node["http://schema.org/url"] == [{"@id": data["url"]}]
    assert node["http://schema.org/claimReviewed"] == [{"@value": verdict.summary}]
    rating = node["http://schema.org/reviewRating"][0]
    assert rating["http://schema.org/alternateName"] == [{"@value": "True"}]
    item = node["http://schema.org/itemReviewed"][0]
    assert item["http://schema.org/datePublished"] == [{"@type": "http://schema.org/Date", "@value": "2001-01-02"}]


def test_the_snippet_cannot_end_its_script_early(claim, reviewer, manager, ratings):
    hostile = "Ends here </script><script>alert(1)</script> <!-- & more"
    verdict = _verdict(claim, reviewer, ratings["False"], accept_by=manager, explanation=hostile)
    data = claimreview.document(verdict, verdict_services.scale_of(claim.label.project_id))
    block = claimreview.snippet(data)
    assert block.startswith('<script type="application/ld+json">\n') and block.endswith("\n</script>")
    inner = block.removeprefix('<script type="application/ld+json">\n').removesuffix("\n</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == data  # the escapes read back as the text


def test_the_fact_check_page_shows_the_claim_verdict_evidence_and_the_snippet(
    project, claim, annotator, reviewer, manager, ratings, labels
):
    document = claim.span.document
    evidence = AnnotationFactory(
        span=SpanFactory(document=document, start=0, end=15), label=labels["evidence"], created_by=annotator
    )
    cite_source(
        user=annotator,
        annotation=evidence,
        source=SourceFactory(project=project, title="Smolensk files"),
        locator="f. 12",
    )
    refutes = LinkType.objects.get(project=project, key="refutes")
    create_link(user=annotator, from_annotation=evidence, type=refutes, to_annotation=claim)
    _verdict(claim, reviewer, ratings["Mostly false"], explanation="<b>Archives</b> say otherwise.")
    url = reverse("fact_check", args=[claim.pk])
    pending = client_for(annotator).get(url).content.decode()
    assert "it is published once a second reviewer accepts it" in pending
    assert "application/ld+json" not in pending
    verdict_services.review_verdict(user=manager, verdict=verdict_services.verdict_of(claim), status=Status.ACCEPTED)
    html = client_for(annotator).get(url).content.decode()
    assert "<mark>Getty argues the centre restra</mark>" in html
    assert "Refutes:" in html and "Smolensk files, f. 12" in html
    assert "&lt;b&gt;Archives&lt;/b&gt;" in html and "<b>Archives</b>" not in html
    assert "accepted by boss" in html and "Verdict given by rev" in html
    snippet = re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert snippet.startswith("&lt;script type=&quot;application/ld+json&quot;&gt;")


def test_a_claim_without_a_verdict_has_no_fact_check_page(claim, annotator):
    assert client_for(annotator).get(reverse("fact_check", args=[claim.pk])).status_code == 404


# The marks exports carry a claim's verdict ---------------------------------------------------------------------


def test_the_marks_exports_carry_each_claims_own_or_shared_verdict(project, claim, annotator, reviewer, ratings):
    import csv
    import io

    from . import w3c_context

    other = AnnotationFactory(span=SpanFactory(document=claim.span.document, start=0, end=10), created_by=annotator)
    plain = AnnotationFactory(span=SpanFactory(document=claim.span.document, start=12, end=20), created_by=annotator)
    create_link(
        user=annotator,
        from_annotation=other,
        type=LinkType.objects.get(project=project, key="same-as"),
        to_annotation=claim,
    )
    _verdict(claim, reviewer, ratings["Mostly false"], summary="Zeal was restrained")
    client = client_for(annotator)
    url = reverse("project_export", args=[project.pk])
    response = client.get(url, {"format": "csv"})
    rows = {r["annotation_id"]: r for r in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))}
    for pk in (claim.pk, other.pk):
        row = rows[str(pk)]
        assert (row["verdict"], row["verdict_value"], row["verdict_summary"], row["verdict_status"]) == (
            "Mostly false",
            "2",
            "Zeal was restrained",
            "pending",
        )
    assert rows[str(plain.pk)]["verdict"] == rows[str(plain.pk)]["verdict_value"] == ""
    # A verdict the other claim had before they were joined gives way to the one they share, as in the panel.
    ClaimVerdict.objects.create(
        annotation=other, rating=ratings["True"], summary="Given before the link", created_by=reviewer
    )
    response = client.get(url, {"format": "csv"})
    rows = {r["annotation_id"]: r for r in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))}
    assert rows[str(other.pk)]["verdict"] == "Mostly false"
    data = json.loads(b"".join(client.get(url, {"format": "jsonld"}).streaming_content))
    items = {
        item["id"].rstrip("/").rsplit("/", 1)[1]: item
        for item in data["first"]["items"]
        if "/annotations/" in item["id"]
    }
    assert items[str(other.pk)]["verdict"] == "Mostly false" and items[str(other.pk)]["verdictValue"] == 2
    assert "verdict" not in items[str(plain.pk)]
    expanded = json.dumps(w3c_context.expand(items[str(claim.pk)]))
    assert "urn:editorial-annotator:verdictSummary" in expanded and "Zeal was restrained" in expanded
