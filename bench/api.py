"""The API at scale (issue 23): 10,000 marks in one bulk request on the 1 MB scale document, all 10,030 marks of that
document in one streamed request, and a page of 100 marks.

    .venv/bin/python -m bench.api [--quick] [--runs 10]

A document of the scale scenario's text (bench/scenario.py: the seeds repeated to 1 MB, emoji, Cyrillic, Chinese)
gets 30 marks through the services, then 10,000 more by one editor in one POST to /api/v1/documents/<id>/marks/bulk/
(a read-and-write token); then every mark is read back in one GET of .../marks/all/, and a page of 100 of
.../marks/. Requests go through Django's test client in this process with DEBUG off, so the time is the server's
(request parsed, checked, saved, answered), without a network. SQLite in a temporary folder, or DATABASE_URL's
database (flushed first). `make bench` prints the same figures (figures()). Targets: 0.4 s, 100 ms, 20 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from .figures import Figure, in_ms, table, timed

FIRST_MARKS = 30
BULK_RUNS = 3


def bulk_body(scale, document, count: int) -> tuple[object, dict]:
    """The body of one bulk request: `count` new marks by one editor (the scenario's spans, labels and notes)."""
    from . import scenario

    editor = scale.editors[0]
    alone = dataclasses.replace(scale, editors=[editor])
    planned = scenario.plan_marks(alone, document, count)
    marks = [
        {"start": m.start, "end": m.end, "exact": m.exact, "label": m.label.key, "note": m.note} for _, m in planned
    ]
    return editor, {"marks": marks}


def streaming_peak(client, url: str) -> int:
    """The most memory Python held at once (tracemalloc) while the answer was made and read chunk by chunk, each
    chunk dropped as a client's socket would: flat when it stays well under the answer's size."""
    import tracemalloc

    tracemalloc.start()
    try:
        for _ in client.get(url).streaming_content:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def figures(scale, text_size: int, marks: int, runs: int) -> list[Figure]:
    """The three figures, on a new document of the scale scenario's project."""
    from django.test import Client

    from annotator import reads
    from annotator.models import Annotation, Span
    from annotator.services import tokens

    from . import scenario
    from .anchoring import scale_text

    document = scenario.add_document(scale, "API: the seeds repeated", scale_text(text_size))
    scenario.add_marks(scale, document, FIRST_MARKS)
    editor, body = bulk_body(scale, document, marks)
    secret = tokens.create_token(user=editor, name="bench", scope="write").secret
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    payload = json.dumps(body)
    url = f"/api/v1/documents/{document.pk}/marks/bulk/"

    def bulk():
        response = client.post(url, payload, content_type="application/json")
        assert response.status_code == 201, response.content[:300]
        return response.json()["ids"]

    # Three requests, each on the document as the first found it (the marks it made deleted, with their spans), so
    # the median is a request of a process that has answered one before, as a running server's is.
    bulk_seconds: list[float] = []
    for run in range(BULK_RUNS):
        seconds, ids = timed(bulk, 1)
        bulk_seconds += seconds
        if run < BULK_RUNS - 1:
            Annotation.objects.filter(pk__in=ids).delete()
            Span.objects.filter(document=document, annotations__isnull=True).delete()
    made = len(ids)
    total = Annotation.objects.current(document).count()

    def everything():
        response = client.get(f"/api/v1/documents/{document.pk}/marks/all/")
        assert response.status_code == 200
        size = sum(len(chunk) for chunk in response.streaming_content)
        return size

    all_seconds, size = timed(everything, runs)
    peak = streaming_peak(client, f"/api/v1/documents/{document.pk}/marks/all/")
    all_utf16, _ = timed(
        lambda: b"".join(client.get(f"/api/v1/documents/{document.pk}/marks/all/?offsets=utf16").streaming_content),
        max(3, runs // 3),
    )

    def page():
        response = client.get(f"/api/v1/documents/{document.pk}/marks/?page_size=100")
        assert response.status_code == 200 and len(response.json()["results"]) == min(100, total)
        return response

    page_seconds, _ = timed(page, runs * 2)
    return [
        Figure(
            f"API: bulk-create {made:,} marks in one request",
            bulk_seconds,
            "s",
            0.4,
            note=f"in the process; the first of {BULK_RUNS}: {bulk_seconds[0]:.2f} s",
        ),
        Figure(
            f"API: all {total:,} marks of the document, one request",
            in_ms(all_seconds),
            "ms",
            100,
            note=f"streamed, {size / 1e6:.1f} MB; at most {peak / 1e6:.1f} MB allocated at once "
            f"(a chunk of {reads.COMPACT_CHUNK:,} marks at a time)",
        ),
        Figure(f"API: all {total:,} marks, UTF-16 offsets", in_ms(all_utf16), "ms", None),
        Figure("API: a page of 100 marks", in_ms(page_seconds), "ms", 20),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 100,000-character document and 1,000 marks")
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()
    from .export_bench import production_env

    folder = Path(tempfile.mkdtemp(prefix="annotator-api-bench-"))
    os.environ.update(production_env(str(folder)))
    import django

    django.setup()
    try:
        from . import scenario
        from .run import prepare_database

        prepare_database(print)
        started = time.perf_counter()
        scale = scenario.start_project("Scale")
        text_size, marks = (100_000, 1_000) if options.quick else (1_000_000, 10_000)
        found = figures(scale, text_size, marks, options.runs)
        print(f"(built and measured in {time.perf_counter() - started:.0f} s)")
        print(table(found))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
