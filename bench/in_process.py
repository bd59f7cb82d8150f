"""The document page's three hot requests timed in one process, CPU time (issue 19): the idle poll, adding a mark
and the page, at 10,000 marks on the 1 MB scale document, through Django's test client.

Less noisy than `make bench` (no HTTP, no other process), so it is the measure to compare two versions of the code
with, back to back. The database is built once in FOLDER (about a minute) and reused by later runs with --keep:

    .venv/bin/python -m bench.in_process [--keep FOLDER] [--runs 60]

`--profile add|poll|page` prints cProfile's listing of that request instead (sorted by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .export_bench import production_env

MARKS = 10_000


def cpu_ms(request, runs: int) -> tuple[float, float, float]:
    """(median CPU, p95 CPU, median wall), in ms, of `runs` calls."""
    cpu, wall = [], []
    for _ in range(runs):
        started, ticked = time.perf_counter(), time.process_time()
        request()
        cpu.append((time.process_time() - ticked) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    cpu.sort()
    return statistics.median(cpu), cpu[max(0, int(len(cpu) * 0.95) - 1)], statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", help="build the database here once and reuse it")
    parser.add_argument("--runs", type=int, default=60, help="marks added (polls: five times as many)")
    parser.add_argument("--profile", choices=["add", "poll", "page"])
    options = parser.parse_args()
    folder = Path(options.keep or tempfile.mkdtemp(prefix="annotator-in-process-"))
    folder.mkdir(parents=True, exist_ok=True)
    fresh = not (folder / "bench.sqlite3").exists()
    os.environ.update(production_env(str(folder)))
    os.environ["STATIC_ROOT"] = str(folder / "static")
    import django

    django.setup()
    try:
        measure(options, fresh, folder)
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


def measure(options, fresh: bool, folder: Path) -> None:
    from django.core.management import call_command

    from annotator.models import Annotation, Document

    from . import scenario

    call_command("migrate", verbosity=0)
    if not (folder / "static" / "staticfiles.json").exists():
        call_command("collectstatic", verbosity=0, interactive=False)
    if fresh:
        started = time.perf_counter()
        scenario.build_scale(MARKS)
        print(f"built the scale document with {MARKS:,} marks in {time.perf_counter() - started:.0f} s")
    document = max(Document.objects.all(), key=lambda d: Annotation.objects.current(d).count())
    editor = document.project.memberships.filter(user__username__endswith="-editor1").get().user
    if options.profile:
        request, runs = requests(document, editor, options.runs)[options.profile]
        profile = cProfile.Profile()
        profile.runcall(lambda: [request() for _ in range(runs)])
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(45)
        return
    for line in figures(document, editor, options.runs):
        print(line)


def requests(document, editor, runs: int) -> dict:
    """The three requests as the page makes them, each as (a call making one, how many to time), warmed up."""
    from django.test import Client

    from annotator.models import Document

    from .web import unused_regions

    client = Client()
    client.force_login(editor)
    htmx = {"HTTP_HX_REQUEST": "true"}
    label = document.project.labels.get(key="claim")
    text = document.text
    regions = iter(unused_regions(document, runs * 2 + 10, 4, random.Random(time.time())))

    def revision() -> int:
        return Document.objects.values_list("revision", flat=True).get(pk=document.pk)

    def add():
        start, end = next(regions)
        fields = {"start": start, "end": end, "exact": text[start:end], "label": label.pk, "since": revision()}
        response = client.post(f"/documents/{document.pk}/annotations/", fields, **htmx)
        assert response.status_code == 200, response.status_code

    def page():
        response = client.get(f"/documents/{document.pk}/")
        assert response.status_code == 200, response.status_code
        return response

    for _ in range(3):
        page()
        add()
    found = re.search(r'name="pass" value="([^"]*)"', page().content.decode())
    poll_url = f"/documents/{document.pk}/changes/?since={revision()}" + (f"&pass={found.group(1)}" if found else "")

    def poll():
        response = client.get(poll_url, **htmx)
        assert response.status_code == 204, response.status_code

    return {"poll": (poll, runs * 5), "add": (add, runs), "page": (page, max(5, runs // 4))}


def figures(document, editor, runs: int) -> list[str]:
    """A line for each request: its CPU median and p95, and its wall-clock median."""
    names = {"poll": "idle poll", "add": "adding a mark", "page": "the page"}
    lines = []
    for key, (request, count) in requests(document, editor, runs).items():
        median, p95, wall = cpu_ms(request, count)
        figures = f"CPU median {median:7.2f} ms  p95 {p95:7.2f} ms  wall median {wall:7.2f} ms"
        lines.append(f"{names[key]:14s} {figures} ({count} runs)")
    return lines


if __name__ == "__main__":
    main()
