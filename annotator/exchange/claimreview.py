"""schema.org ClaimReview (issue 24): accepted verdicts as the JSON-LD fact-checkers publish and aggregators read
(Google's Fact Check markup: claimReviewed, reviewRating, url required; author, datePublished, itemReviewed
recommended). One claim's review, the snippet to paste into an article, and a project's reviews streamed."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from ..models import ClaimVerdict, Status
from ..text import isolated

CONTEXT = "https://schema.org"
CONTENT_TYPE = "application/ld+json"
# Rows read at a time for a project's reviews: memory stays flat however many there are.
CHUNK = 500


def fact_check_url(verdict: ClaimVerdict) -> str:
    """Where the desk publishes the fact-check: ANNOTATOR_DESK_URL/fact-checks/<the claim's id>."""
    return f"{settings.ANNOTATOR_DESK_URL}/fact-checks/{verdict.annotation_id}"


def _claimant(verdict: ClaimVerdict) -> dict | None:
    if verdict.claimant_source is not None:
        return {"@type": "Organization", "name": verdict.claimant_source.title}
    if verdict.claimant:
        return {"@type": "Person", "name": verdict.claimant}
    return None


def review(verdict: ClaimVerdict, scale) -> dict:
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


def document(verdict: ClaimVerdict, scale) -> dict:
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
        ClaimVerdict.objects.with_context()
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


# Reading ClaimReview -------------------------------------------------------------------------------------------

MAX_BYTES = 20 * 1024 * 1024


class ClaimReviewFileError(ValueError):
    """The file as a whole is not ClaimReview JSON-LD; the message is for the person importing it."""


@dataclass(frozen=True)
class ReviewRecord:
    """One ClaimReview of a file, as much of it as a verdict takes. `number`: its place in the file (from 1)."""

    number: int
    claim_reviewed: str
    rating_name: str
    rating_value: int | None
    explanation: str
    claimant: str
    claim_date: datetime.date | None
    appearances: tuple[str, ...]

    def __str__(self):
        return f"review {self.number} (“{isolated(self.claim_reviewed[:80])}”)"


def _nodes(data) -> list:
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("@graph"), list):
        return data["@graph"]
    return [data]


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    if isinstance(value, dict):
        value = value.get("@value", value.get("name", ""))
    if isinstance(value, list):
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def _urls(claim: dict) -> tuple[str, ...]:
    found = []
    for key in ("firstAppearance", "appearance"):
        works = claim.get(key) or []
        for work in works if isinstance(works, list) else [works]:
            url = work.get("url", "") if isinstance(work, dict) else work
            if isinstance(url, str) and url.strip() and url.strip() not in found:
                found.append(url.strip())
    return tuple(found)


def read(data: bytes) -> tuple[list[ReviewRecord], list[str]]:
    """The ClaimReviews of a JSON-LD file (one, a list, or a @graph of them): their records, and for each node that
    is not one a problem (its number and why). ClaimReviewFileError when the file is not JSON-LD at all."""
    if len(data) > MAX_BYTES:
        raise ClaimReviewFileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ClaimReviewFileError("The file is not JSON (UTF-8): a ClaimReview file is JSON-LD.") from None
    # One document with its @context, or a list of them (each with its own).
    documents = parsed if isinstance(parsed, list) else [parsed]
    if not documents or not all(isinstance(d, dict) and "@context" in d for d in documents):
        raise ClaimReviewFileError("The file is JSON but not JSON-LD: it has no @context (https://schema.org).")
    records, problems = [], []
    for number, node in enumerate(_nodes(parsed), start=1):
        if not isinstance(node, dict) or node.get("@type") != "ClaimReview":
            problems.append(f"item {number}: not a ClaimReview")
            continue
        rating = _object(node.get("reviewRating"))
        claim = _object(node.get("itemReviewed"))
        value = rating.get("ratingValue")
        try:
            value = int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            value = None
        try:
            date = (
                datetime.date.fromisoformat(_text(claim.get("datePublished"))[:10])
                if claim.get("datePublished")
                else None
            )
        except ValueError:
            date = None
        records.append(
            ReviewRecord(
                number=number,
                claim_reviewed=_text(node.get("claimReviewed")),
                rating_name=_text(rating.get("alternateName")),
                rating_value=value,
                explanation=_text(rating.get("ratingExplanation")),
                claimant=_text(claim.get("author")),
                claim_date=date,
                appearances=_urls(claim),
            )
        )
    return records, problems
