"""Verdicts (issue 24): the rating scale, giving and reviewing a verdict, and claims that share one."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from annotator.models import ClaimVerdict, LinkType, Rating, RatingScale, Status
from annotator.services import ActionRefused, Conflict, Forbidden
from annotator.services import verdicts as verdict_services
from annotator.services.links import create_link, review_link

from .factories import AnnotationFactory, DocumentFactory, ProjectFactory, SourceFactory, SpanFactory


@pytest.fixture
def ratings(project):
    return {r.name: r for r in Rating.objects.filter(project=project)}


@pytest.fixture
def claim(document, annotator):
    start = document.text.index("Getty")
    return AnnotationFactory(span=SpanFactory(document=document, start=start, end=start + 30), created_by=annotator)


def _verdict(user, claim, rating, **kwargs):
    fields = {"summary": "The centre restrained local zeal", "explanation": "The archives show otherwise."}
    return verdict_services.give_verdict(user=user, annotation=claim, rating=rating, **{**fields, **kwargs})


# The rating scale ---------------------------------------------------------------------------------


def test_a_new_project_has_the_default_scale(project):
    scale = RatingScale.objects.get(project=project)
    assert (scale.worst, scale.best) == (1, 5)
    assert [(r.name, r.value) for r in Rating.objects.filter(project=project)] == [
        ("False", 1),
        ("Mostly false", 2),
        ("Half true", 3),
        ("Mostly true", 4),
        ("True", 5),
        ("Unproven", None),
    ]


def test_managers_add_rename_and_delete_ratings(project, manager):
    rating = verdict_services.add_rating(user=manager, project=project, name="Pants on fire", value=1)
    assert rating.order == 6
    verdict_services.update_rating(user=manager, rating=rating, name="Absurd", value=1)
    assert Rating.objects.get(pk=rating.pk).name == "Absurd"
    verdict_services.delete_rating(user=manager, rating=rating)
    assert not Rating.objects.filter(pk=rating.pk).exists()


def test_only_managers_change_the_scale(project, reviewer):
    with pytest.raises(Forbidden):
        verdict_services.add_rating(user=reviewer, project=project, name="Absurd", value=1)
    with pytest.raises(Forbidden):
        verdict_services.set_rating_scale(user=reviewer, project=project, best=10, worst=0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("", 3, "needs a name"),
        ("   ", None, "needs a name"),
        ("Mostly \u202efalse", 2, "bidi control"),
        ("Half \u2066true", 3, "bidi control"),
        ("true", 5, "already"),
        ("Off the top", 9, "from 1 to 5"),
        ("x" * 81, 2, "at most 80"),
    ],
)
def test_it_refuses_a_bad_rating(project, manager, name, value, message):
    before = Rating.objects.count()
    with pytest.raises(ActionRefused, match=message):
        verdict_services.add_rating(user=manager, project=project, name=name, value=value)
    assert Rating.objects.count() == before


def test_the_scale_keeps_every_rating_on_it(project, manager):
    with pytest.raises(ActionRefused, match="“True” \\(5\\) would be off the scale"):
        verdict_services.set_rating_scale(user=manager, project=project, best=4, worst=1)
    with pytest.raises(ActionRefused, match="below its best"):
        verdict_services.set_rating_scale(user=manager, project=project, best=1, worst=1)
    scale = verdict_services.set_rating_scale(user=manager, project=project, best=10, worst=0)
    assert (RatingScale.objects.get(project=project).best, scale.worst) == (10, 0)


def test_the_database_refuses_a_scale_upside_down(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingScale.objects.filter(project=project).update(best=1, worst=5)


def test_a_used_rating_is_not_deleted(claim, reviewer, manager, ratings):
    _verdict(reviewer, claim, ratings["False"])
    with pytest.raises(ActionRefused, match="used by verdicts"):
        verdict_services.delete_rating(user=manager, rating=ratings["False"])


# Verdicts --------------------------------------------------------------------------------------


def test_a_reviewer_gives_a_claim_its_verdict(claim, reviewer, ratings, project):
    source = SourceFactory(project=project, title="The Politburo")
    verdict = _verdict(
        reviewer,
        claim,
        ratings["Mostly false"],
        claimant="J. Arch Getty",
        claimant_source=source,
        claim_date=datetime.date(1985, 1, 1),
        appearances=["https://example.org/a", "https://example.org/a", " "],
    )
    verdict.refresh_from_db()
    assert verdict.annotation_id == claim.pk
    assert verdict.status == Status.PENDING
    assert verdict.appearances == ["https://example.org/a"]
    assert verdict.history.count() == 1
    assert verdict.history.first().history_user == reviewer


def test_the_documents_address_is_the_first_appearance(project, reviewer, annotator, ratings):
    document = DocumentFactory(project=project, origin="https://news.example/story")
    claim = AnnotationFactory(span=SpanFactory(document=document, start=0, end=10), created_by=annotator)
    verdict = _verdict(reviewer, claim, ratings["False"], appearances=["https://other.example/x"])
    assert verdict.appearances == ["https://news.example/story", "https://other.example/x"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rating": None}, "needs a rating"),
        ({"summary": "x" * 75}, "under 75 characters"),
        ({"summary": "   "}, "needs a summary"),
        ({"summary": "Mostly false: the centre restrained zeal"}, "without the rating"),
        ({"appearances": ["javascript:alert(1)"]}, "not a web address"),
        ({"claimant": "x" * 201}, "at most 200"),
        ({"summary": "nul\x00"}, "cannot be stored"),
    ],
)
def test_it_refuses_a_bad_verdict(claim, reviewer, ratings, changes, message):
    kwargs = {"rating": ratings["Mostly false"], **changes}
    with pytest.raises(ActionRefused, match=message):
        _verdict(reviewer, claim, **kwargs)
    assert not ClaimVerdict.objects.exists()


def test_only_reviewers_and_managers_give_verdicts(claim, annotator, outsider, ratings):
    for user in (annotator, outsider):
        with pytest.raises(Forbidden):
            _verdict(user, claim, ratings["False"])


def test_only_a_claim_gets_a_verdict(document, annotator, reviewer, ratings, labels):
    evidence = AnnotationFactory(span=SpanFactory(document=document), label=labels["evidence"], created_by=annotator)
    with pytest.raises(ActionRefused, match="not one"):
        _verdict(reviewer, evidence, ratings["False"])


def test_a_rating_of_another_project_is_refused(claim, reviewer):
    other = Rating.objects.filter(project=ProjectFactory()).first()
    with pytest.raises(ActionRefused, match="another project"):
        _verdict(reviewer, claim, other)


def test_a_second_reviewer_accepts_a_verdict_and_nobody_their_own(claim, reviewer, manager, ratings):
    verdict = _verdict(reviewer, claim, ratings["False"])
    with pytest.raises(Forbidden, match="own verdict"):
        verdict_services.review_verdict(user=reviewer, verdict=verdict, status=Status.ACCEPTED)
    verdict = verdict_services.review_verdict(
        user=manager, verdict=verdict, status=Status.ACCEPTED, note="Sound", version=verdict.version
    )
    assert (verdict.status, verdict.reviewed_by, verdict.version) == (Status.ACCEPTED, manager, 2)
    with pytest.raises(Conflict):
        verdict_services.review_verdict(user=manager, verdict=verdict, status=Status.REJECTED, version=1)


def test_a_changed_verdict_goes_back_to_review(claim, reviewer, manager, ratings):
    verdict = _verdict(reviewer, claim, ratings["False"])
    verdict_services.review_verdict(user=manager, verdict=verdict, status=Status.ACCEPTED)
    same = _verdict(manager, claim, ratings["False"])
    assert same.status == Status.ACCEPTED  # nothing changed, nothing to review again
    changed = _verdict(manager, claim, ratings["Half true"], version=same.version)
    assert (changed.pk, changed.status, changed.reviewed_by) == (verdict.pk, Status.PENDING, None)
    assert changed.history.count() == 3
    with pytest.raises(Conflict):
        _verdict(manager, claim, ratings["True"], version=1)


# Same claim, many places ----------------------------------------------------------------------


def test_claims_joined_as_the_same_share_one_verdict(project, document, annotator, reviewer, ratings):
    first = AnnotationFactory(span=SpanFactory(document=document, start=0, end=10), created_by=annotator)
    elsewhere = AnnotationFactory(
        span=SpanFactory(document=DocumentFactory(project=project), start=0, end=10), created_by=annotator
    )
    third = AnnotationFactory(
        span=SpanFactory(document=DocumentFactory(project=project), start=0, end=10), created_by=annotator
    )
    same_as = LinkType.objects.get(project=project, key="same-as")
    create_link(user=annotator, from_annotation=first, type=same_as, to_annotation=elsewhere)
    link = create_link(user=annotator, from_annotation=third, type=same_as, to_annotation=elsewhere)
    verdict = _verdict(reviewer, first, ratings["False"])
    assert verdict_services.verdict_of(third) == verdict
    assert sorted(verdict_services.same_claims(third.pk, project.pk)) == sorted([first.pk, elsewhere.pk, third.pk])
    # Giving a verdict to another of them changes the one they share.
    assert _verdict(reviewer, elsewhere, ratings["Half true"]).pk == verdict.pk
    assert ClaimVerdict.objects.count() == 1
    # A rejected link no longer joins them.
    review_link(user=reviewer, link=link, status=Status.REJECTED)
    assert verdict_services.verdict_of(third) is None
