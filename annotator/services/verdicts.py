"""Writes on verdicts (issue 24): a project's rating scale (its managers), and the verdict on a claim mark (reviewers
and managers), reviewed like a mark. Claims joined by "is the same claim as" links share one verdict."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, Q
from rapidfuzz import fuzz

from .. import text as textlib
from ..models import Annotation, ClaimVerdict, Label, Project, Rating, RatingScale, Role, Source
from ..reads import claim_edges, claim_words, joined
from ..search.backends import marks_with_any
from ..search.terms import fold
from .decisions import back_to_pending, check_status, decide
from .errors import ActionRefused, Conflict, Forbidden
from .projects import DEFAULT_BEST, DEFAULT_WORST, check_manager, check_member

CLAIM = "claim"  # the label key of the marks that get verdicts
NAME_LENGTH = 80  # Rating.name's max_length
# ClaimReview's claimReviewed: "less than 75 characters" (Google's Fact Check markup guidelines).
SUMMARY_LIMIT = 75
CLAIMANT_LENGTH = 200
APPEARANCE_LIMIT = 20
_url = URLValidator(schemes=["http", "https"])


# The rating scale ---------------------------------------------------------------------------------


def scale_of(project_id: int) -> RatingScale:
    """The project's scale; a project made before scales existed has the default one until a manager sets it."""
    return RatingScale.objects.filter(project_id=project_id).first() or RatingScale(
        project_id=project_id, best=DEFAULT_BEST, worst=DEFAULT_WORST
    )


def _checked_rating(project_id: int, *, name: str, value: int | None, exclude_pk: int | None = None):
    name = (name or "").strip()
    if not name:
        raise ActionRefused("A rating needs a name: ClaimReview readers show its words, not its number.")
    if len(name) > NAME_LENGTH:
        raise ActionRefused(f"A rating's name is at most {NAME_LENGTH} characters.")
    if textlib.BIDI_CONTROLS.search(name):
        raise ActionRefused(
            "A rating's name may not hold bidi control characters (U+202A–U+202E, U+2066–U+2069): "
            "it is shown inside the interface's sentences."
        )
    if Rating.objects.filter(project_id=project_id, name__iexact=name).exclude(pk=exclude_pk or 0).exists():
        raise ActionRefused(f"The scale has a rating named “{name}” already.")
    if value is not None:
        scale = scale_of(project_id)
        if not scale.worst <= value <= scale.best:
            raise ActionRefused(
                f"A rating's value is on the scale, from {scale.worst} to {scale.best} (or empty, off the scale)."
            )
    return name, value


@transaction.atomic
def add_rating(*, user, project: Project, name: str, value: int | None) -> Rating:
    """Add a rating at the end of the project's scale (its managers)."""
    check_manager(user, project.pk)
    name, value = _checked_rating(project.pk, name=name, value=value)
    last = Rating.objects.filter(project=project).aggregate(m=Max("order"))["m"]
    rating = Rating(project=project, name=name, value=value, order=0 if last is None else last + 1)
    rating._history_user = user
    rating.save()
    return rating


@transaction.atomic
def update_rating(*, user, rating: Rating, name: str, value: int | None) -> Rating:
    """Rename a rating or move it on the scale (its managers). Its verdicts keep it."""
    check_manager(user, rating.project_id)
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    rating.name, rating.value = _checked_rating(rating.project_id, name=name, value=value, exclude_pk=rating.pk)
    rating._history_user = user
    rating.save()
    return rating


@transaction.atomic
def delete_rating(*, user, rating: Rating) -> None:
    """Delete a rating no verdict has ever used (its managers)."""
    check_manager(user, rating.project_id)
    if ClaimVerdict.objects.filter(rating=rating).exists() or ClaimVerdict.history.filter(rating_id=rating.pk).exists():
        raise ActionRefused(f"The rating “{rating.name}” is used by verdicts (or was): rename it instead.")
    rating._history_user = user
    rating.delete()


@transaction.atomic
def set_rating_scale(*, user, project: Project, best: int, worst: int) -> RatingScale:
    """Set the scale's best and worst values (its managers); every rating with a value must stay on it."""
    check_manager(user, project.pk)
    if worst >= best:
        raise ActionRefused("The worst value of the scale is below its best.")
    outside = (
        Rating.objects.filter(project=project, value__isnull=False)
        .filter(Q(value__lt=worst) | Q(value__gt=best))
        .first()
    )
    if outside is not None:
        raise ActionRefused(f"The rating “{outside.name}” ({outside.value}) would be off the scale: change it first.")
    scale = RatingScale.objects.select_for_update().filter(project=project).first() or RatingScale(project=project)
    scale.best, scale.worst = best, worst
    scale._history_user = user
    scale.save()
    return scale


# Same claim, many places ------------------------------------------------------------------------


def same_claims(annotation_id: int, project_id: int) -> list[int]:
    """The claim and every claim that is the same claim as it (see claim_edges, joined)."""
    return joined(claim_edges(project_id), annotation_id)


def verdict_of(annotation: Annotation, *, claims: list[int] | None = None) -> ClaimVerdict | None:
    """The verdict of the claim or of a claim it is the same as (the oldest verdict, if two were joined)."""
    claims = claims if claims is not None else same_claims(annotation.pk, annotation.span.document.project_id)
    return ClaimVerdict.objects.with_context().filter(annotation_id__in=claims).order_by("pk").first()


# Verdicts ----------------------------------------------------------------------------------------


def check_summary(summary: str, rating: Rating) -> str:
    summary = " ".join((summary or "").split())
    if not summary:
        raise ActionRefused("A verdict needs a summary of the claim.")
    if len(summary) >= SUMMARY_LIMIT:
        raise ActionRefused(
            f"The summary of the claim is under {SUMMARY_LIMIT} characters (ClaimReview asks it): "
            f"this one has {len(summary)}."
        )
    if rating.name.casefold() in summary.casefold():
        raise ActionRefused(f"The summary says what was claimed, without the rating (“{rating.name}”) in it.")
    return summary


def check_appearances(urls: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for url in urls:
        url = url.strip()
        if not url or url in kept:
            continue
        try:
            _url(url)
        except ValidationError:
            raise ActionRefused(f"“{textlib.isolated(url[:200])}” is not a web address (http or https).") from None
        kept.append(url)
    if len(kept) > APPEARANCE_LIMIT:
        raise ActionRefused(f"At most {APPEARANCE_LIMIT} appearances of a claim are kept.")
    return kept


def document_url(annotation: Annotation) -> str:
    """The address of the claim's document, when it came from the web."""
    origin = annotation.span.document.origin
    return origin if origin.startswith(("http://", "https://")) else ""


@transaction.atomic
def give_verdict(
    *,
    user,
    annotation: Annotation,
    rating: Rating | None,
    summary: str,
    explanation: str = "",
    claimant: str = "",
    claimant_source: Source | None = None,
    claim_date: datetime.date | None = None,
    appearances: Iterable[str] = (),
    version: int | None = None,
) -> ClaimVerdict:
    """Give a claim mark its verdict, or change the verdict it has (reviewers and managers). Claims joined by "is the
    same claim as" share one verdict: giving one to any of them changes theirs. A changed verdict goes back to
    review. The document's address, when it came from the web, is the claim's first appearance."""
    found = (
        Annotation.objects.select_for_update(of=("self",))
        .with_document()
        .select_related("label")
        .filter(pk=annotation.pk)
    )
    locked = found.first()
    if locked is None:
        raise Conflict("This mark was deleted meanwhile.")
    annotation = locked
    project_id = annotation.span.document.project_id
    membership = check_member(user, project_id)
    if membership.role not in (Role.REVIEWER, Role.MANAGER):
        raise Forbidden("Only reviewers and managers give verdicts.")
    if annotation.label.key != CLAIM:
        raise ActionRefused("Only a claim gets a verdict: this mark is not one.")
    if rating is None:
        raise ActionRefused("A verdict needs a rating.")
    if rating.project_id != project_id:
        raise ActionRefused("That rating belongs to another project.")
    summary = check_summary(summary, rating)
    claimant = (claimant or "").strip()
    if len(claimant) > CLAIMANT_LENGTH:
        raise ActionRefused(f"The claimant's name is at most {CLAIMANT_LENGTH} characters.")
    if claimant_source is not None and claimant_source.project_id != project_id:
        raise ActionRefused("That source belongs to another project.")
    if textlib.unstorable(summary + explanation + claimant):
        raise ActionRefused(
            f"The verdict holds {textlib.unstorable(summary + explanation + claimant)}, which cannot be stored."
        )
    urls = check_appearances([document_url(annotation), *appearances])
    verdict = verdict_of(annotation)
    if verdict is None:
        verdict = ClaimVerdict(annotation=annotation, created_by=user)
    else:
        verdict = ClaimVerdict.objects.select_for_update().get(pk=verdict.pk)
        if version is not None and verdict.version != version:
            raise Conflict("This verdict changed after you opened it (edited, or reviewed by someone else).")
    fields = {
        "rating_id": rating.pk,
        "summary": summary,
        "explanation": explanation.strip(),
        "claimant": claimant,
        "claimant_source_id": claimant_source.pk if claimant_source else None,
        "claim_date": claim_date,
        "appearances": urls,
    }
    if verdict.pk and all(getattr(verdict, k) == v for k, v in fields.items()):
        return verdict
    for key, value in fields.items():
        setattr(verdict, key, value)
    if verdict.pk:
        back_to_pending(verdict)
        verdict.version += 1
    verdict._history_user = user
    verdict.save()
    return verdict


@transaction.atomic
def review_verdict(
    *, user, verdict: ClaimVerdict, status: str, note: str = "", version: int | None = None
) -> ClaimVerdict:
    """Accept or reject a verdict, or send it back to pending (reviewers and managers; never one's own verdict)."""
    check_status(status)
    locked = ClaimVerdict.objects.select_for_update().filter(pk=verdict.pk).first()
    if locked is None:
        raise Conflict("This verdict was deleted meanwhile.")
    project_id = Annotation.objects.filter(pk=locked.annotation_id).values_list("span__document__project_id")[0][0]
    return decide(locked, user=user, project_id=project_id, status=status, note=note, version=version, noun="verdict")


# Importing ClaimReview ----------------------------------------------------------------------------------

# How alike (rapidfuzz's token set ratio, 0-100) a claim's text and a review's claimReviewed must be to be taken for
# each other when neither holds the other.
IMPORT_SCORE = 90


class ReviewImportFailed(ActionRefused):
    """Nothing was imported: some review could not be placed (and partial was not asked). `report` says why."""

    def __init__(self, message: str, report: ReviewImport):
        super().__init__(message)
        self.report = report


@dataclass
class ReviewImport:
    """What an import of ClaimReviews did: each review placed (with its claim), each not placed with the reason."""

    placed: list = field(default_factory=list)  # (record, annotation)
    problems: list = field(default_factory=list)  # text: the review and why it was not placed


def find_claim(project_id: int, text: str) -> tuple[Annotation | None, str]:
    """The project's claim a review is about, by its text: the claim whose verdict has that summary; else the one
    claim whose text holds it; else the one most like it (IMPORT_SCORE). None and the reason when there is none, or
    several equally."""
    folded = fold(" ".join(text.split()))
    if not folded:
        return None, "it names no claim (claimReviewed is empty)"
    claims = Annotation.objects.current().filter(span__document__project_id=project_id, label__key=CLAIM)
    verdict = (
        ClaimVerdict.objects.filter(annotation__in=claims, summary__iexact=" ".join(text.split()))
        .order_by("pk")
        .first()
    )
    if verdict is not None:
        return claims.get(pk=verdict.annotation_id), ""
    holding = list(claims.filter(span__exact__icontains=text.strip())[:2])
    if len(holding) == 1:
        return holding[0], ""
    if holding:
        return None, "several claims of the project hold this text: give it a verdict in the app"
    label_id = Label.objects.filter(project_id=project_id, key=CLAIM).values_list("pk", flat=True).first()
    ranked = marks_with_any(claim_words(text), project_id=project_id, label_id=label_id or 0, limit=40)
    scored = sorted(
        ((fuzz.token_set_ratio(folded, fold(m.span.exact)), m) for m in claims.filter(pk__in=[pk for pk, _ in ranked])),
        key=lambda x: (-x[0], x[1].pk),
    )
    if not scored or scored[0][0] < IMPORT_SCORE:
        return None, "no claim of the project has this text"
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None, "several claims of the project are as like this text: give it a verdict in the app"
    return scored[0][1], ""


def _rating_for(project_id: int, record) -> tuple[Rating | None, str]:
    if record.rating_name:
        rating = Rating.objects.filter(project_id=project_id, name__iexact=record.rating_name).first()
        if rating is None:
            return None, f"its rating “{textlib.isolated(record.rating_name)}” is not on the project's scale"
        return rating, ""
    if record.rating_value is not None:
        return None, "its rating has a value but no name (alternateName): readers need the words"
    return None, "it has no rating"


def import_claim_reviews(
    *, user, project: Project, records: list, problems: Iterable[str] = (), partial: bool = False, dry_run: bool = False
) -> ReviewImport:
    """Give the project's claims the verdicts of ClaimReviews (another desk's, or ours), each found by its text
    (find_claim), its rating by name on the project's scale. Every verdict goes through give_verdict (so `user` must
    be a reviewer or manager, and each imported verdict waits for a second reviewer). Nothing is saved when any
    review cannot be placed, unless `partial`; nothing at all with `dry_run`."""
    report = ReviewImport(problems=list(problems))
    membership = check_member(user, project.pk)
    if membership.role not in (Role.REVIEWER, Role.MANAGER):
        raise Forbidden("Only reviewers and managers give verdicts.")
    with transaction.atomic():
        for record in records:
            annotation, why = find_claim(project.pk, record.claim_reviewed)
            rating, why_rating = _rating_for(project.pk, record) if annotation is not None else (None, "")
            if annotation is None or rating is None:
                report.problems.append(f"{record}: not placed: {why or why_rating}")
                continue
            try:
                with transaction.atomic():
                    give_verdict(
                        user=user,
                        annotation=annotation,
                        rating=rating,
                        summary=record.claim_reviewed,
                        explanation=record.explanation,
                        claimant=record.claimant,
                        claim_date=record.claim_date,
                        appearances=record.appearances,
                    )
            except ActionRefused as exc:
                report.problems.append(f"{record}: not placed: {exc.message}")
                continue
            report.placed.append((record, annotation))
        if dry_run:
            transaction.set_rollback(True)
        elif report.problems and not partial:
            transaction.set_rollback(True)
            raise ReviewImportFailed(
                f"{len(report.problems)} review(s) could not be placed: nothing was imported.", report
            )
    return report
