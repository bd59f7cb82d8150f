"""Verdicts on the pages (issue 24): the rating scale page, and a claim's verdict in its mark's panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotator.models import ClaimVerdict, LinkType, Rating, RatingScale, Status
from annotator.services import verdicts as verdict_services
from annotator.services.links import create_link

from .conftest import client_for
from .factories import AnnotationFactory, DocumentFactory, SpanFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ratings(project):
    return {r.name: r for r in Rating.objects.filter(project=project)}


@pytest.fixture
def claim(document, annotator):
    start = document.text.index("Getty")
    return AnnotationFactory(span=SpanFactory(document=document, start=start, end=start + 30), created_by=annotator)


def _give(client, claim, rating, **extra):
    data = {"rating": rating.pk, "summary": "The centre restrained local zeal", "explanation": "Archives.", **extra}
    return client.post(reverse("verdict_save", args=[claim.pk]), data, **HTMX)


# The rating scale page -----------------------------------------------------------------------------


def test_members_read_the_scale_and_managers_change_it(project, annotator, manager):
    page = client_for(annotator).get(reverse("rating_list", args=[project.pk]))
    assert page.status_code == 200
    assert "Mostly false" in page.content.decode()
    assert "Add a rating" not in page.content.decode()
    url = reverse("rating_list", args=[project.pk])
    client = client_for(manager)
    assert client.post(url, {"action": "add", "name": "Pants on fire", "value": "1"}).status_code == 302
    rating = Rating.objects.get(project=project, name="Pants on fire")
    client.post(url, {"action": "save", "rating": rating.pk, "name": "Absurd", "value": ""})
    assert Rating.objects.get(pk=rating.pk).value is None
    client.post(url, {"action": "scale", "worst": "0", "best": "10"})
    scale = RatingScale.objects.get(project=project)
    assert (scale.worst, scale.best) == (0, 10)
    client.post(url, {"action": "delete", "rating": rating.pk})
    assert not Rating.objects.filter(pk=rating.pk).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "add", "name": "", "value": "3"}, "needs a name"),
        ({"action": "add", "name": "Fal\u202ese", "value": "1"}, "bidi control"),
        ({"action": "add", "name": "Big", "value": "x"}, "whole number"),
        ({"action": "scale", "worst": "3", "best": "2"}, "below its best"),
        ({"action": "save", "rating": "999999", "name": "X"}, "Choose a rating"),
        ({"action": "delete", "rating": "not-a-number"}, "Choose a rating"),
        ({"action": "delete", "rating": "99999999999999999999999"}, "Choose a rating"),
    ],
)
def test_a_bad_rating_is_refused_with_its_reason(project, manager, data, message):
    client = client_for(manager)
    response = client.post(reverse("rating_list", args=[project.pk]), data, follow=True)
    assert message in response.content.decode()
    assert Rating.objects.filter(project=project).count() == 6


# The verdict in the panel -------------------------------------------------------------------------


def test_a_claims_panel_offers_reviewers_a_verdict_and_tells_annotators_who_gives_it(claim, reviewer, annotator):
    url = reverse("annotation_detail", args=[claim.pk])
    mine = client_for(annotator).get(url, **HTMX).content.decode()
    assert "No verdict yet. Reviewers and managers give verdicts." in mine
    assert "Save the verdict" not in mine
    theirs = client_for(reviewer).get(url, **HTMX).content.decode()
    assert "Give a verdict" in theirs and "Mostly false" in theirs


def test_a_verdict_given_in_the_panel_is_shown_and_accepted_by_a_second_reviewer(claim, reviewer, manager, ratings):
    response = _give(client_for(reviewer), claim, ratings["Mostly false"], appearances="https://example.org/a\n")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Mostly false</strong>" in html and "The centre restrained local zeal" in html
    assert "another reviewer will review it" in html
    verdict = ClaimVerdict.objects.get()
    assert verdict.appearances == ["https://example.org/a"]
    review = client_for(manager).post(
        reverse("verdict_review", args=[verdict.pk]),
        {"status": "accepted", "note": "Sound", "version": verdict.version, "open": claim.pk},
        **HTMX,
    )
    assert review.status_code == 200
    assert "Accepted</span> by boss" in review.content.decode()
    assert ClaimVerdict.objects.get().status == Status.ACCEPTED


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"rating": ""}, "needs a rating"),
        ({"summary": "x" * 80}, "under 75 characters"),
        ({"summary": "It is mostly false that zeal was local"}, "without the rating"),
        ({"claim_date": "yesterday"}, "YYYY-MM-DD"),
        ({"appearances": "not-a-url"}, "not a web address"),
        ({"rating": "99999999999999999999999"}, "needs a rating"),
        ({"claimant_source": "99999999999999999999999"}, "not found in this project"),
    ],
)
def test_a_bad_verdict_is_refused_in_the_panel_with_what_was_typed_kept(claim, reviewer, ratings, extra, message):
    extra = {"rating": ratings["Mostly false"].pk, **extra}
    response = client_for(reviewer).post(
        reverse("verdict_save", args=[claim.pk]),
        {"summary": "Zeal was local", "explanation": "Archives.", **extra},
        **HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert "Archives." in html  # the explanation typed is still in the form
    assert not ClaimVerdict.objects.exists()


def test_an_annotator_may_not_give_a_verdict(claim, annotator, ratings):
    response = _give(client_for(annotator), claim, ratings["False"])
    assert response.status_code == 403
    assert not ClaimVerdict.objects.exists()


def test_a_reviewer_does_not_review_their_own_verdict(claim, reviewer, ratings):
    _give(client_for(reviewer), claim, ratings["False"])
    verdict = ClaimVerdict.objects.get()
    response = client_for(reviewer).post(
        reverse("verdict_review", args=[verdict.pk]), {"status": "accepted", "version": verdict.version}, **HTMX
    )
    assert response.status_code == 403
    assert ClaimVerdict.objects.get().status == Status.PENDING


def test_a_plain_post_saves_and_goes_back_to_the_mark(claim, reviewer, ratings):
    response = client_for(reviewer).post(
        reverse("verdict_save", args=[claim.pk]), {"rating": ratings["True"].pk, "summary": "Zeal was local"}
    )
    assert response.status_code == 302
    assert response.url == reverse("annotation_detail", args=[claim.pk])


def test_the_same_claim_elsewhere_shows_the_shared_verdict_and_the_other_appearances(
    project, claim, annotator, reviewer, ratings
):
    other_document = DocumentFactory(project=project, title="Another paper")
    other = AnnotationFactory(span=SpanFactory(document=other_document, start=0, end=10), created_by=annotator)
    same_as = LinkType.objects.get(project=project, key="same-as")
    create_link(user=annotator, from_annotation=other, type=same_as, to_annotation=claim)
    verdict_services.give_verdict(user=reviewer, annotation=claim, rating=ratings["False"], summary="Zeal was local")
    html = client_for(annotator).get(reverse("annotation_detail", args=[other.pk]), **HTMX).content.decode()
    assert '<strong>False</strong> <span class="meta">(1 on the scale)</span>: Zeal was local' in html
    assert "shared with the same claim elsewhere" in html
    assert "The same claim elsewhere" in html and "Sample" in html


def test_user_text_in_a_verdict_is_escaped(claim, reviewer, ratings):
    _give(client_for(reviewer), claim, ratings["False"], summary="<script>x</script>", explanation="<img src=x>")
    html = client_for(reviewer).get(reverse("annotation_detail", args=[claim.pk]), **HTMX).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<img src=x>" not in html


# Already checked? ------------------------------------------------------------------------------------


def _claim_in(project, annotator, text, title="Elsewhere"):
    document = DocumentFactory(project=project, title=title, text=text + "\n")
    return AnnotationFactory(span=SpanFactory(document=document, start=0, end=len(text)), created_by=annotator)


def test_a_new_claim_lists_earlier_claims_with_its_words_and_their_verdicts(project, annotator, reviewer, ratings):
    earlier = _claim_in(project, annotator, "Unemployment fell by half under the new government", "Speech")
    unrelated = _claim_in(project, annotator, "Bananas grow on tall herbaceous plants", "Fruit")
    verdict_services.give_verdict(user=reviewer, annotation=earlier, rating=ratings["False"], summary="Jobless halved")
    new = _claim_in(project, annotator, "The new government cut unemployment by half", "Interview")
    html = client_for(annotator).get(reverse("annotation_detail", args=[new.pk]), **HTMX).content.decode()
    assert "Already checked?" in html
    assert f'data-annotation="{earlier.pk}"' in html and "<strong>False</strong>: Jobless halved" in html
    assert f'data-annotation="{unrelated.pk}"' not in html
    # One click joins them as the same claim: the new one shares the verdict.
    same_as = LinkType.objects.get(project=project, key="same-as")
    response = client_for(annotator).post(
        reverse("link_create", args=[new.pk]), {"type": str(same_as.pk), "to_annotation": earlier.pk}, **HTMX
    )
    assert response.status_code == 200
    assert verdict_services.verdict_of(new).annotation_id == earlier.pk
    html = client_for(annotator).get(reverse("annotation_detail", args=[new.pk]), **HTMX).content.decode()
    assert "shared with the same claim elsewhere" in html
    assert f'class="similar-claim" data-annotation="{earlier.pk}"' not in html  # joined already: not offered again


def test_the_words_looked_for_are_the_claims_longest_uncommon_ones():
    from annotator.reads import claim_words

    assert claim_words("The Président said that the economy is GROWING, growing!") == [
        "president",
        "economy",
        "growing",
        "said",
    ]


def test_the_panel_shows_the_verdicts_history(claim, reviewer, manager, ratings):
    verdict = verdict_services.give_verdict(user=reviewer, annotation=claim, rating=ratings["False"], summary="Zeal")
    verdict_services.review_verdict(user=manager, verdict=verdict, status=Status.REJECTED, note="Too harsh")
    verdict_services.give_verdict(user=reviewer, annotation=claim, rating=ratings["Half true"], summary="Zeal")
    html = client_for(manager).get(reverse("annotation_detail", args=[claim.pk]), **HTMX).content.decode()
    assert "History of the verdict (3)" in html
    assert "rev gave the verdict “False”" in html
    assert "boss rejected it: Too harsh" in html
    assert "rev changed the rating to “Half true”" in html
