"""Benchmark: the document page, the idle poll and adding a mark on a ~1 MB document with 10,000 marks.

Run: .venv/bin/python bench/document_page.py   (a scratch SQLite database in a temporary folder;
prints median and p95 of the server-side time through Django's test client, no network).
This is the starting point for the speed work: a real server process and a browser come later.
"""

import os
import random
import sys
import tempfile
import time
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
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from figures import median_p95_ms  # noqa: E402  (bench/figures.py)

from annotator import services  # noqa: E402
from annotator.models import Document  # noqa: E402


def main(marks=10_000, runs=5):
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
    t0 = time.perf_counter()
    with transaction.atomic():
        for k in range(marks):
            start = rng.randrange(0, len(text) - 200)
            end = start + rng.randrange(5, 100)
            try:
                services.annotate(
                    user=editors[k % 4],
                    document=document,
                    start=start,
                    end=end,
                    exact=text[start:end],
                    label=labels[k % 3],
                )
            except services.ActionRefused:
                pass
    built = time.perf_counter() - t0
    client = Client()
    client.force_login(editors[0])
    document.refresh_from_db()
    print(
        f"cores: {os.cpu_count()}  text: {len(text):,} code points  marks: {marks:,}  built in {built:.1f} s (services, one transaction)"
    )
    page = median_p95_ms(lambda: client.get(f"/documents/{document.pk}/"), runs)
    print(
        f"document page:  median {page[0]:.0f} ms  p95 {page[1]:.0f} ms  ({len(page[2].content) / 1e6:.1f} MB of HTML)"
    )
    poll = median_p95_ms(
        lambda: client.get(
            f"/documents/{document.pk}/changes/", {"since": Document.objects.get(pk=document.pk).revision}
        ),
        runs * 4,
    )
    print(f"idle poll:      median {poll[0]:.1f} ms  p95 {poll[1]:.1f} ms  (status {poll[2].status_code})")
    offsets = iter(range(1000, 1000 + 60 * runs, 60))

    def add_mark():
        start = next(offsets)
        return client.post(
            f"/documents/{document.pk}/annotations/",
            {
                "start": start,
                "end": start + 7,
                "exact": text[start : start + 7],
                "label": labels[0].pk,
                "since": Document.objects.get(pk=document.pk).revision,
            },
            HTTP_HX_REQUEST="true",
        )

    add = median_p95_ms(add_mark, runs)
    print(f"add a mark:     median {add[0]:.0f} ms  p95 {add[1]:.0f} ms  ({len(add[2].content) / 1e6:.1f} MB answer)")


if __name__ == "__main__":
    main()
