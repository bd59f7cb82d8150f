"""Export benchmark: time and peak memory of CSV and JSON-LD exports of 10,000 and 100,000 marks.

    .venv/bin/python bench/export_bench.py                  # 10,000 and 100,000 marks, 3 runs each
    .venv/bin/python bench/export_bench.py --marks 2000 --repeat 1

For each size it builds a fresh SQLite database in a temporary folder (20 documents made from the
seeds, 4 editors, labels, notes, reviews, one citation on every third mark), then runs each export
in a process of its own: the export_annotations command writing to /dev/null, and the web export
(the streaming response read chunk by chunk, as a browser would). Each run reports its wall time, the
CPU time of its process (steadier than wall time on a busy machine), and the peak resident memory of
its process (ru_maxrss) beside the memory it had before the export began.
Set DATABASE_URL to a PostgreSQL database to measure there instead (it is flushed first).
These are figures, not pass/fail tests.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = 20

BUILD = r"""
import random, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from annotator import services, text as textlib
from annotator.models import Annotation, Citation, Document, Role, Source, Span, Status
from annotator.seeds import seed_files

marks, documents = int(sys.argv[1]), int(sys.argv[2])
random.seed(7)
project = services.create_project(name="Bench")
users = []
for name, role in [("e1", Role.ANNOTATOR), ("e2", Role.ANNOTATOR), ("e3", Role.ANNOTATOR), ("e4", Role.REVIEWER)]:
    user = get_user_model().objects.create_user(name, password="pw")
    services.add_member(project=project, user=user, role=role)
    users.append(user)
labels = list(project.labels.all())
seed = "\n\n".join(textlib.decode_import(p.read_bytes()) for p in seed_files())
per_document = marks // documents
text = seed
while len(text) < per_document * 9 + 200:
    text += "\n\n😀 Ёжов — “purge” ¶ " + seed
sources = Source.objects.bulk_create(
    Source(project=project, title=f"Source {i}", authors=[{"family": "Getty", "given": "J. Arch"}], issued="1985",
           doi=f"10.1000/{i}" if i % 2 else "")
    for i in range(50)
)
now = timezone.now()
for d in range(documents):
    document = Document.objects.create(project=project, title=f"Document {d}", text=text)
    spans = []
    for i in range(per_document):
        start = i * 9
        end = start + random.randint(3, 60)
        prefix, suffix = textlib.quote_context(text, start, end)
        spans.append(Span(document=document, start=start, end=end, exact=text[start:end], prefix=prefix, suffix=suffix))
    spans = Span.objects.bulk_create(spans, batch_size=2000)
    annotations = Annotation.objects.bulk_create(
        [
            Annotation(
                span=span, label=labels[i % 3], created_by=users[i % 3],
                note=("=note, \"quoted\"\nsecond line" if i % 5 == 0 else ""),
                status=Status.ACCEPTED if i % 4 == 0 else Status.PENDING,
                reviewed_by=users[3] if i % 4 == 0 else None, reviewed_at=now if i % 4 == 0 else None,
            )
            for i, span in enumerate(spans)
        ],
        batch_size=2000,
    )
    Citation.objects.bulk_create(
        [Citation(annotation=a, source=sources[i % 50], locator=f"p. {i}") for i, a in enumerate(annotations) if i % 3 == 0],
        batch_size=2000,
    )
print(Annotation.objects.count())
"""

RUN = r"""
import json, resource, sys, time
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.contrib.auth import get_user_model
from annotator.models import Project

how, file_format = sys.argv[1], sys.argv[2]
if how == "web":
    client = Client()
    client.force_login(get_user_model().objects.get(username="e4"))
    url = f"/projects/{Project.objects.get(name='Bench').pk}/export/"
usage = resource.getrusage(resource.RUSAGE_SELF)
before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
started = time.perf_counter()
size = 0
if how == "command":
    call_command("export_annotations", format=file_format, output="/dev/null")
else:
    response = client.get(url, {"format": file_format})
    for chunk in response.streaming_content:
        size += len(chunk)
elapsed = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": elapsed, "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu_before,
                  "rss_before_kib": before, "rss_peak_kib": usage.ru_maxrss, "bytes": size}))
"""


def run(code: str, args: list[str], env: dict) -> str:
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(done.stderr)
    return done.stdout.strip().splitlines()[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--marks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    print(f"Export benchmark: {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at start), "
          f"Python {sys.version.split()[0]}, "
          f"{'PostgreSQL' if os.environ.get('DATABASE_URL', '').startswith('postgres') else 'SQLite'}")
    print(f"{'marks':>8} {'path':<8} {'format':<7} {'median s':>9} {'max s':>7} {'cpu s':>6} {'peak MiB':>9} "
          f"{'before MiB':>11} {'growth MiB':>11}")
    for marks in options.marks:
        with tempfile.TemporaryDirectory() as folder:
            # Production settings (DEBUG off: Django then keeps no log of queries in memory).
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false",
                   "SECRET_KEY": "bench-only-not-a-secret", "ALLOWED_HOSTS": "testserver", "SECURE_SSL_REDIRECT": "false"}
            env.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
            subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
            if env["DATABASE_URL"].startswith("postgres"):
                subprocess.run([sys.executable, "manage.py", "flush", "--no-input"], cwd=ROOT, env=env, check=True)
            run(BUILD, [str(marks), str(DOCUMENTS)], env)
            for how in ("command", "web"):
                for file_format in ("csv", "jsonld"):
                    runs = [json.loads(run(RUN, [how, file_format], env)) for _ in range(options.repeat)]
                    seconds = [r["seconds"] for r in runs]
                    cpu = statistics.median(r["cpu_seconds"] for r in runs)
                    peak = max(r["rss_peak_kib"] for r in runs) / 1024
                    before = max(r["rss_before_kib"] for r in runs) / 1024
                    print(f"{marks:>8} {how:<8} {file_format:<7} {statistics.median(seconds):>9.2f} {max(seconds):>7.2f} "
                          f"{cpu:>6.2f} {peak:>9.1f} {before:>11.1f} {peak - before:>11.1f}", flush=True)


if __name__ == "__main__":
    main()
