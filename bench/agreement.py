"""Benchmark: agreement between 4 editors on a ~1 MB document with 10,000 marks.

Run: .venv/bin/python bench/agreement.py   (a scratch SQLite database in a temporary folder;
     --marks N, --runs N to change the defaults)

Prints median and p95 of: the comparison (agreement.compare), the figures per label
(agreement.label_figures: F1 exact and overlap, Cohen's kappa on whitespace tokens), and the whole
document agreement page through Django's test client (no network), with its query count.
Marks are random spans of 5 to 120 code points; a quarter of them are copied by a second editor
(same span, same or other label) so that every category of the comparison is populated.
"""

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
scratch = tempfile.mkdtemp(prefix="annotator-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from anchoring import scale_text  # noqa: E402  (bench/anchoring.py)
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from figures import median_p95_ms  # noqa: E402  (bench/figures.py)

from annotator import agreement as ag  # noqa: E402
from annotator import services  # noqa: E402
from annotator import text as textlib  # noqa: E402
from annotator.models import Annotation, Document, Span  # noqa: E402


def build(marks: int):
    """The project, 4 editors and the document, its marks made in bulk (the services are not under test here)."""
    call_command("migrate", verbosity=0)
    project = services.create_project(name="Scale")
    User = get_user_model()
    editors = [User.objects.create_user(f"editor{i}", password="x") for i in range(4)]
    for user in editors:
        services.add_member(project=project, member=user, role="annotator")
    text = scale_text()
    document = Document.objects.create(project=project, title="Scale", text=text)
    labels = list(project.labels.all())
    rng = random.Random(1)
    chosen: dict = {}  # (start, end) -> list of (editor, label)
    taken = set()
    while len(taken) < marks:
        if chosen and rng.random() < 0.25:
            # A second editor on a span someone marked: agreement, or the same span with another label.
            (start, end) = rng.choice(list(chosen))
        else:
            start = rng.randrange(0, len(text) - 200)
            end = start + rng.randrange(5, 120)
        key = (start, end, rng.randrange(4), rng.randrange(3))
        if key in taken:
            continue
        taken.add(key)
        chosen.setdefault((start, end), []).append(key[2:])
    spans = []
    for start, end in chosen:
        prefix, suffix = textlib.quote_context(text, start, end)
        spans.append(Span(document=document, start=start, end=end, exact=text[start:end], prefix=prefix, suffix=suffix))
    spans = Span.objects.bulk_create(spans, batch_size=2000)
    annotations = [
        Annotation(span=span, label=labels[label], created_by=editors[editor])
        for span in spans
        for editor, label in chosen[(span.start, span.end)]
    ]
    Annotation.objects.bulk_create(annotations, batch_size=2000)
    return document, editors[0], labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--marks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    document, user, labels = build(options.marks)
    rows = list(
        Annotation.objects.filter(span__document=document)
        .values_list("created_by__username", "span__start", "span__end", "label_id")
        .order_by("span__start", "span__end", "id")
    )
    marks = [ag.Mark(*row) for row in rows]
    label_ids = [label.pk for label in labels]
    print(
        f"cores: {os.cpu_count()}  load average {os.getloadavg()[0]:.1f}  text: {len(document.text):,} code points  "
        f"marks: {len(marks):,} by {len(ag.editors_of(marks))} editors"
    )
    median, p95, compared = median_p95_ms(lambda: ag.compare(marks), options.runs)
    counts = {key: sum(1 for r in compared if r.category == key) for key in ag.CATEGORIES}
    print(
        f"compare:        median {median:7.0f} ms  p95 {p95:7.0f} ms  ({', '.join(f'{k} {v}' for k, v in counts.items())})"
    )
    median, p95, _ = median_p95_ms(lambda: ag.label_figures(document.text, marks, label_ids), options.runs)
    print(f"label_figures:  median {median:7.0f} ms  p95 {p95:7.0f} ms")
    client = Client()
    client.force_login(user)
    url = f"/documents/{document.pk}/agreement/"
    reset_queries()  # DEBUG logged the build's queries; the request's start empties the log, so start it empty
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    median, p95, response = median_p95_ms(lambda: client.get(url), options.runs)
    print(
        f"agreement page: median {median:7.0f} ms  p95 {p95:7.0f} ms  ({len(response.content) / 1e6:.1f} MB of HTML, "
        f"{len(queries)} queries)  target < 1000 ms"
    )


if __name__ == "__main__":
    main()
