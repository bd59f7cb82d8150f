"""The progress dashboard of the 100,000-mark export scenario, timed alone (issue 20); `make bench` times it too,
through gunicorn, beside the exports.

    .venv/bin/python -m bench.dashboard [--marks 100000] [--runs 20]

SQLite in a temporary folder (or DATABASE_URL's database, flushed first); the page is asked in this process through
Django's test client, logged in as the project's manager, and the median and p95 are printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from .export_bench import production_env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--marks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", help="keep the SQLite database in this folder, and reuse it when it is there")
    options = parser.parse_args()
    folder = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="annotator-dashboard-"))
    folder.mkdir(parents=True, exist_ok=True)
    reuse = options.keep and (folder / "built").exists()
    os.environ.update(production_env(str(folder)))
    import django

    django.setup()
    try:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from annotator.models import Project

        from . import scenario
        from .run import analyze, prepare_database

        if reuse:
            project = Project.objects.get(name="Export")
        else:
            prepare_database(print)
            started = time.perf_counter()
            project = scenario.build_export(options.marks, 20, 100_000).project
            analyze()
            print(f"built {options.marks:,} marks in {time.perf_counter() - started:.0f} s", flush=True)
            (folder / "built").touch()
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(project.memberships.get(role="manager").user)
        url = f"/projects/{project.pk}/progress/"
        samples = []
        for _ in range(options.runs + 2):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url, secure=True)
                samples.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        samples = sorted(samples[2:])  # the first two warm the process up
        p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)))]
        for query in queries.captured_queries:
            print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:150]}")
        print(
            f"progress dashboard of {options.marks:,} marks: median {statistics.median(samples):.1f} ms, "
            f"p95 {p95:.1f} ms, {len(queries)} queries, {len(response.content) / 1e3:.0f} kB (target: under 200 ms)"
        )
        from django.db.models import F

        from annotator.models import Document

        changed = []
        document = Document.objects.filter(project=project).first()
        for _ in range(max(3, options.runs // 4)):
            Document.objects.filter(pk=document.pk).update(revision=F("revision") + 1)  # as a mark's change does
            began = time.perf_counter()
            assert client.get(url, secure=True).status_code == 200
            changed.append((time.perf_counter() - began) * 1000)
        print(
            f"the first view after a change (the marks counted again): median {statistics.median(changed):.1f} ms, "
            f"max {max(changed):.1f} ms"
        )
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
