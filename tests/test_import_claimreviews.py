"""Importing ClaimReview JSON-LD as verdicts (issue 24): claims found by their text, a report of what was placed and
what was not with the reason, nothing half-saved."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from annotator.exchange import claimreview
from annotator.models import ClaimVerdict, Rating, Status
from annotator.services import verdicts as verdict_services

from .factories import AnnotationFactory, DocumentFactory, SpanFactory

TEXT = "Unemployment fell by half under the new government in two years"


@pytest.fixture
def claim(project, annotator):
    document = DocumentFactory(project=project, title="Speech", text=f"He said: {TEXT}. Then he left.\n")
    start = document.text.index(TEXT)
    return AnnotationFactory(
        span=SpanFactory(document=document, start=start, end=start + len(TEXT)), created_by=annotator
    )


def review(claim_reviewed, rating="Mostly false", **extra) -> dict:
    return {
        "@type": "ClaimReview",
        "url": "https://other.example/checks/1",
        "claimReviewed": claim_reviewed,
        "reviewRating": {
            "@type": "Rating",
            "alternateName": rating,
            "ratingValue": 2,
            "bestRating": 5,
            "worstRating": 1,
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A Minister"},
            "datePublished": "2024-02-03",
            "appearance": [{"@type": "CreativeWork", "url": "https://news.example/1"}],
        },
        **extra,
    }


def write(tmp_path, data, name="reviews.jsonld"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def run(path, project, user, *flags):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command(
            "import_claimreviews",
            path,
            "--project",
            project.name,
            "--user",
            user.username,
            *flags,
            stdout=out,
            stderr=err,
        )
    except CommandError as exc:
        return str(exc), out.getvalue(), err.getvalue()
    return "", out.getvalue(), err.getvalue()


def test_a_review_goes_to_the_claim_whose_text_holds_its_words(tmp_path, project, claim, reviewer):
    data = {"@context": "https://schema.org", **review("unemployment fell by half under the new government")}
    error, out, _ = run(write(tmp_path, data), project, reviewer)
    assert error == ""
    assert f"placed on claim {claim.pk}" in out and "imported 1 verdict(s)" in out
    verdict = ClaimVerdict.objects.get()
    assert (verdict.annotation_id, verdict.rating.name, verdict.status, verdict.claimant) == (
        claim.pk,
        "Mostly false",
        Status.PENDING,
        "A Minister",
    )
    assert verdict.claim_date.isoformat() == "2024-02-03" and verdict.appearances == ["https://news.example/1"]


def test_our_own_export_goes_back_to_its_claims(tmp_path, project, claim, reviewer, manager):
    rating = Rating.objects.get(project=project, name="False")
    verdict = verdict_services.give_verdict(user=reviewer, annotation=claim, rating=rating, summary="Jobless halved")
    verdict_services.review_verdict(user=manager, verdict=verdict, status=Status.ACCEPTED)
    exported = "".join(claimreview.stream(project.pk, verdict_services.scale_of(project.pk)))
    ClaimVerdict.objects.all().delete()
    # Our summary is not the claim's text: found by its words, alike enough.
    verdict_services.give_verdict(user=reviewer, annotation=claim, rating=rating, summary="Jobless halved")
    error, out, _ = run(write(tmp_path, exported), project, manager)
    assert error == "" and f"placed on claim {claim.pk}" in out


def test_a_review_of_a_claim_we_cannot_find_is_reported_and_nothing_is_saved(tmp_path, project, claim, reviewer):
    data = {
        "@context": "https://schema.org",
        "@graph": [review(TEXT), review("Bananas are blue and grow on the moon"), review(TEXT, rating="Pants on fire")],
    }
    error, _, err = run(write(tmp_path, data), project, reviewer)
    assert "2 review(s) could not be placed: nothing was imported." in error
    assert (
        "review 2 (“Bananas are blue and grow on the moon”): not placed: no claim of the project has this text" in err
    )
    assert "review 3" in err and "“Pants on fire” is not on the project's scale" in err
    assert not ClaimVerdict.objects.exists()
    error, out, _ = run(write(tmp_path, data), project, reviewer, "--partial")
    assert "2 review(s) were not imported" in error and "imported 1 verdict(s)" in out
    assert ClaimVerdict.objects.count() == 1


def test_a_dry_run_saves_nothing(tmp_path, project, claim, reviewer):
    error, out, _ = run(
        write(tmp_path, {"@context": "https://schema.org", **review(TEXT)}), project, reviewer, "--dry-run"
    )
    assert error == "" and "would import 1 verdict(s)" in out
    assert not ClaimVerdict.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json at all", "not JSON"),
        ('{"@type": "ClaimReview"}', "not JSON-LD: it has no @context"),
        ("[1, 2]", "not JSON-LD"),
    ],
)
def test_a_file_that_is_not_claimreview_json_ld_is_refused(tmp_path, project, reviewer, content, message):
    error, _, _ = run(write(tmp_path, content), project, reviewer)
    assert message in error
    assert not ClaimVerdict.objects.exists()


def test_items_that_are_not_claimreviews_and_a_rating_without_words_are_reported(tmp_path, project, claim, reviewer):
    data = {"@context": "https://schema.org", "@graph": [{"@type": "Article"}, review(TEXT, rating="")]}
    error, _, err = run(write(tmp_path, data), project, reviewer)
    assert "item 1: not a ClaimReview" in err
    assert "has a value but no name (alternateName)" in err
    assert not ClaimVerdict.objects.exists()


def test_only_reviewers_and_managers_import_verdicts(tmp_path, project, claim, annotator):
    error, _, _ = run(write(tmp_path, {"@context": "https://schema.org", **review(TEXT)}), project, annotator)
    assert "Only reviewers and managers give verdicts." in error
