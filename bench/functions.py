"""Figures of the app's own functions on the scale document, timed in this process: quotation suggestions,
agreement between editors, and carrying the marks across a new version of the text."""
from __future__ import annotations

import random
import time
from collections import Counter

from annotator import agreement as ag
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
    return Figure(f"quotation suggestions ({len(document.text) / 1e6:.1f} M chars)", seconds, "s", 1,
                  note=f"{len(found):,} suggestions")


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


def reanchoring(document: Document, runs: int, edits: int = 300) -> Figure:
    """anchoring.carry of every mark's span to a version with `edits` small edits (what adding a version runs)."""
    regions = list(
        Annotation.objects.filter(span__document=document, span__version=document.version)
        .values_list("span__start", "span__end")
    )
    old = document.text
    anchors = anchors_at(old, regions)
    new = revise(old, edits, random.Random(7))
    seconds, placed = timed(lambda: carry(anchors, old, new), runs, BUDGET)
    counts = Counter(p.placement.value for p in placed)
    return Figure(f"re-anchoring {len(anchors):,} marks across {edits} edits", seconds, "s", 2,
                  note=", ".join(f"{k} {v:,}" for k, v in counts.most_common()))
