"""Review in bulk (the admin's actions): one review_annotation per mark, so every rule holds per mark."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ActionRefused
from .marks import review_annotation


@dataclass
class BulkReview:
    """What a bulk review did: the marks reviewed, and each refused mark with the reason."""

    reviewed: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (annotation, message)


def review_annotations(*, user, annotations, status: str, note: str = "") -> BulkReview:
    """Review each mark in its own transaction; a refused mark (own mark, not a reviewer there) is skipped and reported."""
    result = BulkReview()
    for annotation in annotations:
        try:
            result.reviewed.append(review_annotation(user=user, annotation=annotation, status=status, note=note))
        except ActionRefused as exc:
            result.refused.append((annotation, exc.message))
    return result

