"""schema.org ClaimReview (issue 24): accepted verdicts as the JSON-LD fact-checkers publish and aggregators read
(Google's Fact Check markup: claimReviewed, reviewRating, url required; author, datePublished, itemReviewed
recommended). One claim's review, the snippet to paste into an article, and a project's reviews streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.conf import settings

from ..models import Status, Verdict

CONTEXT = "https://schema.org"
CONTENT_TYPE = "application/ld+json"
# Rows read at a time for a project's reviews: memory stays flat however many there are.
CHUNK = 500


def fact_check_url(verdict: Verdict) -> str:
    """Where the desk publishes the fact-check: ANNOTATOR_DESK_URL/fact-checks/<the claim's id>."""
    return f"{settings.ANNOTATOR_DESK_URL}/fact-checks/{verdict.annotation_id}"


def _claimant(verdict: Verdict) -> dict | None:
    if verdict.claimant_source_id:
        return {"@type": "Organization", "name": verdict.claimant_source.title}
    if verdict.claimant:
        return {"@type": "Person", "name": verdict.claimant}
    return None


def review(verdict: Verdict, scale) -> dict:
    """One verdict as a ClaimReview (without @context: `document` adds it). `verdict` read with_context();
    `scale`: its project's RatingScale."""
    rating = {
        "@type": "Rating",
        "alternateName": verdict.rating.name,
        "bestRating": scale.best,
        "worstRating": scale.worst,
    }
    if verdict.rating.value is not None:
        rating["ratingValue"] = verdict.rating.value
    if verdict.explanation:
        rating["ratingExplanation"] = verdict.explanation
    claim: dict = {"@type": "Claim"}
    claimant = _claimant(verdict)
    if claimant:
        claim["author"] = claimant
    if verdict.claim_date:
        claim["datePublished"] = verdict.claim_date.isoformat()
    if verdict.appearances:
        claim["firstAppearance"] = {"@type": "CreativeWork", "url": verdict.appearances[0]}
        claim["appearance"] = [{"@type": "CreativeWork", "url": url} for url in verdict.appearances]
    published = verdict.reviewed_at or verdict.updated_at
    return {
        "@type": "ClaimReview",
        "url": fact_check_url(verdict),
        "claimReviewed": verdict.summary,
        "datePublished": published.date().isoformat(),
        "author": {"@type": "Organization", "name": settings.ANNOTATOR_DESK_NAME, "url": settings.ANNOTATOR_DESK_URL},
        "reviewRating": rating,
        "itemReviewed": claim,
    }


def document(verdict: Verdict, scale) -> dict:
    """One claim's ClaimReview as a JSON-LD document of its own."""
    return {"@context": CONTEXT, **review(verdict, scale)}


def snippet(data: dict) -> str:
    """The block to paste into an article's HTML. Inside a <script> the HTML parser ends the block at the first
    "</script" and reads "<!--" specially: <, > and & are written as JSON escapes, which read back the same."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def accepted(project_id: int):
    """The project's accepted verdicts, as the export reads them."""
    return (
        Verdict.objects.with_context()
        .filter(annotation__span__document__project_id=project_id, status=Status.ACCEPTED)
        .order_by("pk")
    )


def stream(project_id: int, scale) -> Iterator[str]:
    """A project's accepted verdicts as one JSON-LD document, {"@context", "@graph": [...]}, written a review at a
    time from rows read CHUNK at a time."""
    yield '{"@context": "https://schema.org", "@graph": ['
    for i, verdict in enumerate(accepted(project_id).iterator(chunk_size=CHUNK)):
        yield ("," if i else "") + "\n" + json.dumps(review(verdict, scale), ensure_ascii=False)
    yield "\n]}\n"
