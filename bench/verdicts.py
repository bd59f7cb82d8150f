"""Verdict figures (issue 24), in this process: "Already checked?" (the claims of the project with words like a new
claim's, with their verdicts) in a project of 10,000 rated claims.

Standalone: .venv/bin/python -m bench.verdicts [--quick]   (SQLite in a temporary folder, or DATABASE_URL, flushed)
"""

from __future__ import annotations

import random
import time

from .figures import Figure, in_ms, timed

CLAIMS = 10_000
VOCABULARY = 3_000
WORDS_PER_CLAIM = 12

# The app is imported once Django is set up (main() sets it up when run on its own).


def _claims(count: int, rng: random.Random) -> list[str]:
    """Sentences of made-up words (a vocabulary of VOCABULARY), so that each shares words with many others."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(VOCABULARY)]
    return [" ".join(rng.choice(words) for _ in range(WORDS_PER_CLAIM)).capitalize() + "." for _ in range(count)]


def build(count: int = CLAIMS, seed: int = 24):
    """A project with `count` claims on one document, each with an accepted verdict. The marks go through
    bulk_annotate (so the search index holds them); the verdicts are bulk-created: 10,000 give_verdict calls would
    take minutes and the figure measures the read."""
    from annotator import services
    from annotator.models import ClaimVerdict, Rating, Status

    from . import scenario

    rng = random.Random(seed)
    built = scenario.start_project("Verdicts", editors=1, seed=seed)
    sentences = _claims(count, rng)
    document = scenario.add_document(built, "Verdicts: claims", "\n".join(sentences) + "\n")
    label = built.project.labels.get(key="claim")
    marks, at = [], 0
    for sentence in sentences:
        marks.append(services.NewMark(at, at + len(sentence), sentence, label))
        at += len(sentence) + 1
    claims = []
    for i in range(0, len(marks), 2_000):
        claims += services.bulk_annotate(user=built.editors[0], document=document, marks=marks[i : i + 2_000], cap=None)
    ratings = list(Rating.objects.filter(project=built.project))
    now = time.time()
    ClaimVerdict.objects.bulk_create(
        ClaimVerdict(
            annotation=claim,
            rating=ratings[i % len(ratings)],
            summary=f"Claim {i}",
            created_by=built.reviewer,
            status=Status.ACCEPTED,
            reviewed_by=built.manager,
            reviewed_at=claim.created_at,
        )
        for i, claim in enumerate(claims)
    )
    print(f"built {count:,} rated claims in {time.time() - now:.0f} s (verdicts)", flush=True)
    return built, document, sentences, rng


def already_checked(built, document, sentences: list[str], rng: random.Random, runs: int) -> Figure:
    """A new claim made of words of an earlier one, in another order, with a word changed: what its panel asks."""
    from annotator import reads, services
    from annotator.models import Annotation

    label = built.project.labels.get(key="claim")
    project_id = built.project.pk
    samples, found = [], 0
    for _ in range(runs):
        words = rng.choice(sentences).rstrip(".").split()
        rng.shuffle(words)
        words[0] = "changed"
        text = " ".join(words)
        new = services.add_document(user=built.manager, project=built.project, title="New", text=text + "\n")
        claim = services.annotate(user=built.editors[0], document=new, start=0, end=len(text), exact=text, label=label)
        claim = Annotation.objects.with_context().get(pk=claim.pk)

        def ask(claim=claim):
            return reads.similar_claims(claim, reads.claim_edges(project_id))

        seconds, similar = timed(ask, 1)
        samples += seconds
        found += bool(similar and similar[0].verdict)
    count = Annotation.objects.filter(span__document=document).count()
    return Figure(
        f"“Already checked?” ({count:,} rated claims)",
        in_ms(samples),
        "ms",
        100,
        note=f"the earlier claim found, with its verdict, {found} times in {runs}",
    )


def figures(runs: int, count: int = CLAIMS) -> list[Figure]:
    built, document, sentences, rng = build(count)
    return [already_checked(built, document, sentences, rng, runs)]


def main() -> None:
    import argparse
    import os
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 claims instead of 10,000")
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="annotator-verdicts-bench-")
    from .export_bench import production_env

    os.environ.update(production_env(folder))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from .figures import table
    from .run import analyze, database_description

    try:
        call_command("migrate", verbosity=0)
        if connection.vendor == "postgresql":
            call_command("flush", interactive=False, verbosity=0)
        built = build(1_000 if options.quick else CLAIMS)
        analyze()
        print(database_description(), flush=True)
        print(table([already_checked(*built, runs=20)]))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
