"""Export benchmark: time and peak memory of CSV and JSON-LD exports of 10,000 and 100,000 marks.

    .venv/bin/python bench/export_bench.py                  # 10,000 and 100,000 marks, 3 runs each
    .venv/bin/python bench/export_bench.py --marks 2000 --repeat 1

For each size it builds a fresh SQLite database in a temporary folder (bench/scenario.py's export scenario:
20 documents made from the seeds, 4 editors, labels, notes, one citation on every third mark, links and a few
reviews, all through the app's services), then runs each export
in a process of its own: the export_annotations command writing to /dev/null, and the web export
(the streaming response read chunk by chunk, as a browser would). Each run reports its wall time, the
CPU time of its process (steadier than wall time on a busy machine), and the peak resident memory of
its process (VmHWM) beside the memory it had before the export began.
Set DATABASE_URL to a PostgreSQL database to measure there instead (it is flushed first).
These are figures, not pass/fail tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOCUMENTS = 20


def production_env(folder: str) -> dict:
    """The environment of a production process (DEBUG off: Django then keeps no log of queries in memory), on
    DATABASE_URL when it is set, else on a SQLite database in `folder`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    return env


def _build(marks: int, documents: int) -> None:
    import django

    django.setup()
    from bench.scenario import build_export

    build_export(marks, documents)


def _memory_kib(field: str) -> int:
    """VmHWM (peak) or VmRSS (now) of this process. Not ru_maxrss: Linux keeps that across exec, so a child would
    report its parent's size when it was forked."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"No {field} in /proc/self/status")


def _export(how: str, file_format: str, project_name: str) -> dict:
    """One export of the project's marks in this process: its time, CPU time and peak memory."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from annotator.models import Membership, Project

    project = Project.objects.get(name=project_name)
    if how == "web":
        client = Client()
        client.force_login(Membership.objects.filter(project=project).first().user)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    before, cpu_before = _memory_kib("VmHWM"), usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    size = 0
    if how == "command":
        call_command("export_annotations", format=file_format, project=str(project.pk), output="/dev/null")
    else:
        response = client.get(f"/projects/{project.pk}/export/", {"format": file_format})
        for chunk in response.streaming_content:
            size += len(chunk)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": elapsed,
        "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu_before,
        "rss_before_kib": before,
        "rss_peak_kib": _memory_kib("VmHWM"),
        "bytes": size,
    }


def _child(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-W", "ignore", __file__, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(done.stderr)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def measure(how: str, file_format: str, project_name: str, env: dict, repeat: int) -> list[dict]:
    """`repeat` exports of the project, each in a fresh process of its own ("command" or "web" through the test client)."""
    return [json.loads(_child(env, "--export", how, file_format, project_name)) for _ in range(repeat)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--marks", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", type=int, nargs=2, metavar=("MARKS", "DOCUMENTS"), help=argparse.SUPPRESS)
    parser.add_argument("--export", nargs=3, metavar=("HOW", "FORMAT", "PROJECT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.build:
        return _build(*options.build)
    if options.export:
        return print(json.dumps(_export(*options.export)))
    print(
        f"Export benchmark: {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at start), "
        f"Python {sys.version.split()[0]}, "
        f"{'PostgreSQL' if os.environ.get('DATABASE_URL', '').startswith('postgres') else 'SQLite'}"
    )
    print(
        f"{'marks':>8} {'path':<8} {'format':<7} {'median s':>9} {'max s':>7} {'cpu s':>6} {'peak MiB':>9} "
        f"{'before MiB':>11} {'growth MiB':>11}"
    )
    for marks in options.marks:
        with tempfile.TemporaryDirectory() as folder:
            env = production_env(folder)
            subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
            if env["DATABASE_URL"].startswith("postgres"):
                subprocess.run([sys.executable, "manage.py", "flush", "--no-input"], cwd=ROOT, env=env, check=True)
            _child(env, "--build", str(marks), str(DOCUMENTS))
            for how in ("command", "web"):
                for file_format in ("csv", "jsonld"):
                    runs = measure(how, file_format, "Export", env, options.repeat)
                    seconds = [r["seconds"] for r in runs]
                    cpu = statistics.median(r["cpu_seconds"] for r in runs)
                    peak = max(r["rss_peak_kib"] for r in runs) / 1024
                    before = max(r["rss_before_kib"] for r in runs) / 1024
                    print(
                        f"{marks:>8} {how:<8} {file_format:<7} {statistics.median(seconds):>9.2f} {max(seconds):>7.2f} "
                        f"{cpu:>6.2f} {peak:>9.1f} {before:>11.1f} {peak - before:>11.1f}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
