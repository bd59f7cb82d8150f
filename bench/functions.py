"""Figures of the app's own functions on the scale document, timed in this process: quotation suggestions,
agreement between editors, carrying the marks across a new version of the text, and the quotation check on the
hostile texts of issue 18."""

from __future__ import annotations

import random
import time
from collections import Counter

from annotator import agreement as ag
from annotator import quotes
from annotator.anchoring import carry
from annotator.models import Annotation, Document
from annotator.services.sources import quotation_suggestions

from .anchoring import anchors_at, revise
from .figures import Figure, timed

# Stop repeating a measurement once it has taken this long (a quadratic one can take minutes a run).
BUDGET = 20.0


def suggestions(document: Document, runs: int) -> Figure:
    """What the suggestions page computes (services.sources.quotation_suggestions: two queries and find_repeats)."""
    seconds, found = timed(lambda: quotation_suggestions(document), runs, BUDGET)
    return Figure(
        f"quotation suggestions ({len(document.text) / 1e6:.1f} M chars)",
        seconds,
        "s",
        1,
        note=f"{len(found):,} suggestions",
    )


def agreement(document: Document, runs: int) -> Figure:
    """What the agreement page computes: its one query, agreement.compare and agreement.label_figures."""
    labels = list(document.project.labels.values_list("pk", flat=True))
    parts = {"query": [], "compare": [], "label_figures": []}

    def run():
        started = time.perf_counter()
        rows = list(
            Annotation.objects.filter(span__document=document, span__version=document.version)
            .values_list("created_by__username", "span__start", "span__end", "label_id")
            .order_by("span__start", "span__end", "id")
        )
        marks = [ag.Mark(*row) for row in rows]
        parts["query"].append(time.perf_counter() - started)
        started = time.perf_counter()
        ag.compare(marks)
        parts["compare"].append(time.perf_counter() - started)
        started = time.perf_counter()
        ag.label_figures(document.text, marks, labels)
        parts["label_figures"].append(time.perf_counter() - started)
        return len(marks)

    seconds, count = timed(run, runs, BUDGET)
    split = ", ".join(f"{name} {min(values):.2f} s" for name, values in parts.items())
    return Figure(f"agreement figures ({count:,} marks)", seconds, "s", 1, note=split)


# Issue 18: a quotation of "= " * 1000 + "end" against a source of "= " repeated, once 30 s at 1 MB.
HOSTILE_QUOTE = "= " * 1000 + "end"


def hostile_source(megabytes: float) -> str:
    return "= " * int(megabytes * 524288)


def quotation_check(megabytes: float, runs: int) -> Figure:
    """check_quotation of the issue's hostile quotation against a source of `megabytes` of "= " (5 MB is the upload
    limit): what citing it, or giving its source that text, spends on the check."""
    source = hostile_source(megabytes)
    seconds, check = timed(lambda: quotes.check_quotation(HOSTILE_QUOTE, source), runs, BUDGET)
    work = check.work
    return Figure(
        f"quotation check, hostile ({megabytes:g} MB source)",
        seconds,
        "s",
        1,
        note=f"{check.verdict}; {work.steps:,} steps: {work.source:,} source tokens read, "
        f"{work.votes:,} votes, {work.cells:,} aligner cells",
    )


def reanchoring(document: Document, runs: int, edits: int = 300) -> Figure:
    """anchoring.carry of every mark's span to a version with `edits` small edits (what adding a version runs)."""
    regions = list(
        Annotation.objects.filter(span__document=document, span__version=document.version).values_list(
            "span__start", "span__end"
        )
    )
    old = document.text
    anchors = anchors_at(old, regions)
    new = revise(old, edits, random.Random(7))
    seconds, placed = timed(lambda: carry(anchors, old, new), runs, BUDGET)
    counts = Counter(p.placement.value for p in placed)
    return Figure(
        f"re-anchoring {len(anchors):,} marks across {edits} edits",
        seconds,
        "s",
        2,
        note=", ".join(f"{k} {v:,}" for k, v in counts.most_common()),
    )
