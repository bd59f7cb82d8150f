"""Search figures (issue 21), in this process: searches over the export scenario (100,000 marks) plus the scale
document (1 MB), what indexing adds to adding a mark, indexing the 1 MB document, rebuilding the whole index, and
marking all 1,000 occurrences of a word in the 1 MB document.

Standalone: .venv/bin/python -m bench.search [--quick]   (SQLite in a temporary folder, or DATABASE_URL, flushed)
"""

from __future__ import annotations

import re
import time
from collections import Counter

from .figures import Figure, in_ms, timed

# The app is imported once Django is set up (main() sets it up when run on its own).


def _words(text: str) -> Counter:
    return Counter(w.lower() for w in re.findall(r"[^\W\d_]{3,}", text))


def queries(text: str) -> dict[str, str]:
    """A common word, a rare one, a phrase and a prefix, chosen from the scale text."""
    counts = _words(text)
    common = counts.most_common(1)[0][0]
    rare = min((w for w in counts if len(w) >= 7), key=lambda w: (counts[w], w))
    words = re.findall(r"[^\W\d_]{4,}", text[len(text) // 2 :])
    phrase = f'"{words[0]} {words[1]}"'
    medium = sorted(counts, key=lambda w: (abs(counts[w] - 500), w))[0]
    return {"common word": common, "rare word": rare, "phrase": phrase, "prefix": medium[:4] + "*"}


def searches(user, text: str, runs: int) -> list[Figure]:
    from annotator import search

    figures = []
    for kind, typed in queries(text).items():
        seconds, found = timed(lambda typed=typed: search.find(user=user, text=typed), runs)
        ms = in_ms(seconds)
        figures.append(
            Figure(
                f"search, {kind} ({typed})",
                ms,
                "ms",
                50,
                note=f"{found.total:,}{'+' if found.capped else ''} results; p95 target 150 ms",
            )
        )
        figures.append(Figure(f"search, {kind}: p95", ms, "ms", 150, judged="p95"))
    return figures


def indexing_a_mark(document, user, label, runs: int) -> Figure:
    """What index_new_marks adds to adding a mark: the mark made, then indexed, timed alone, rolled back."""
    from django.db import transaction

    from annotator import services
    from annotator.models import Annotation, SearchEntry
    from annotator.services import search_index

    text = document.text
    spots = [m.start() for m in re.finditer(r"\b[^\W\d_]{5,}\b", text)][::97][: runs * 3]
    samples = []
    for start in spots:
        end = re.match(r"\w+", text[start:]).end() + start
        with transaction.atomic():
            try:
                mark = services.annotate(
                    user=user, document=document, start=start, end=end, exact=text[start:end], label=label
                )
            except services.ActionRefused:
                transaction.set_rollback(True)
                continue
            SearchEntry.objects.filter(annotation=mark).delete()
            began = time.perf_counter()
            search_index.index_new_marks([mark])
            samples.append((time.perf_counter() - began) * 1000)
            transaction.set_rollback(True)
        if len(samples) >= runs:
            break
    marks = Annotation.objects.filter(span__document=document).count()
    return Figure(f"indexing a new mark ({marks:,} marks on the document)", samples, "ms", 1)


def indexing_the_document(document, runs: int) -> Figure:
    from django.db import transaction

    from annotator.services import search_index

    def once():
        with transaction.atomic():
            search_index.index_document(document)

    seconds, count = timed(once, runs)
    return Figure(f"indexing the {len(document.text) / 1e6:.1f} M-character document", seconds, "s", 1)


def rebuild() -> Figure:
    from annotator.services import search_index

    began = time.perf_counter()
    count = search_index.rebuild_index()
    return Figure("rebuilding the whole index", [time.perf_counter() - began], "s", None, note=f"{count:,} entries")


def mark_all(document, user, label, runs: int, occurrences: int = 1_000) -> Figure:
    """Marking every occurrence of a word that occurs about 1,000 times in the document (rolled back each time)."""
    from django.db import transaction

    from annotator import services

    counts = Counter(re.findall(r"\b[^\W\d_]{4,}\b", document.text))
    word = min(counts, key=lambda w: (abs(counts[w] - occurrences), w))
    start = re.search(rf"\b{re.escape(word)}\b", document.text).start()
    samples, made = [], 0
    for _ in range(runs):
        with transaction.atomic():
            first = services.annotate(
                user=user, document=document, start=start, end=start + len(word), exact=word, label=label
            )
            began = time.perf_counter()
            made = len(services.mark_occurrences(user=user, annotation=first))
            samples.append(time.perf_counter() - began)
            transaction.set_rollback(True)
    return Figure(f"mark all occurrences of “{word}” ({made:,} more places)", samples, "s", 1)


def figures(scale, document, export, runs: int, *, rebuilding: bool = True) -> list[Figure]:
    """Every search figure; a reader of both scenarios' projects searches across them."""
    from annotator import services
    from annotator.models import Role

    reader = scale.reviewer
    services.add_member(project=export.project, member=reader, role=Role.REVIEWER)
    editor = scale.editors[-1]
    label = scale.project.labels.get(key="evidence")
    document.refresh_from_db()
    out = searches(reader, document.text, runs)
    out.append(indexing_a_mark(document, editor, label, runs))
    out.append(indexing_the_document(document, 3))
    out.append(mark_all(document, editor, label, 3))
    if rebuilding:
        out.append(rebuild())
    return out


def _built(name: str):
    """A scenario built by an earlier run (--keep): its project, reviewer and editors."""
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model

    from annotator.models import Project

    prefix = name.lower()
    users = get_user_model().objects.filter(username__startswith=f"{prefix}-").order_by("username")
    return SimpleNamespace(
        project=Project.objects.get(name=name),
        reviewer=users.get(username=f"{prefix}-reviewer"),
        editors=list(users.filter(username__contains="-editor")),
    )


def main() -> None:
    import argparse
    import os
    import shutil
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", metavar="FOLDER", help="build in FOLDER and keep it; built already: measure again")
    parser.add_argument("--no-rebuild", action="store_true", help="leave out rebuilding the whole index (minutes)")
    options = parser.parse_args()
    folder = options.keep or tempfile.mkdtemp(prefix="annotator-search-bench-")
    os.makedirs(folder, exist_ok=True)
    from .export_bench import production_env

    os.environ.update(production_env(folder))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from . import scenario
    from .figures import table
    from .run import analyze, database_description

    try:
        call_command("migrate", verbosity=0)
        from annotator.models import Project

        if options.keep and Project.objects.filter(name="Export").exists():
            scale, export = _built("Scale"), _built("Export")
            document = scale.project.documents.get()
        else:
            if connection.vendor == "postgresql":
                call_command("flush", interactive=False, verbosity=0)
            marks, export_marks = (1_000, 5_000) if options.quick else (10_000, 100_000)
            began = time.perf_counter()
            scale, document = scenario.build_scale(marks, 100_000 if options.quick else 1_000_000)
            export = scenario.build_export(
                export_marks, 5 if options.quick else 20, 20_000 if options.quick else 100_000
            )
            analyze()
            print(f"built in {time.perf_counter() - began:.0f} s", flush=True)
        print(database_description(), flush=True)
        print(table(figures(scale, document, export, 20, rebuilding=not options.no_rebuild)))
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
