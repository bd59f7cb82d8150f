"""`make bench`: build the scale scenarios on a fresh database, serve them with gunicorn, and print the figures.

    .venv/bin/python -m bench.run [--quick] [--skip-browser] [--keep]

SQLite in a temporary folder by default; with DATABASE_URL set, that database (it is flushed first). The server is
started as deployed (`gunicorn config.wsgi`, DEBUG off, static files collected) on a free port. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from .export_bench import measure as measure_export
from .export_bench import production_env
from .figures import Figure, p95, table
from .server import Gunicorn, machine, rss_mib

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Size:
    text: int  # code points of the scale document
    first_marks: int  # marks when adding one is first measured
    marks: int  # marks of the scale document
    export_marks: int
    export_documents: int
    export_text: int
    page_runs: int
    add_runs: int
    poll_runs: int
    export_runs: int
    function_runs: int
    startups: int
    editors: int
    marks_each: int
    crowd_budget: float  # seconds the editors may take
    loads: int
    clicks: int
    quote_runs: int = 5  # citations of the hostile quotation through the server (issue 18)
    hostile_sources: tuple = (1.0, 5.0)  # MB of "= " the hostile quotation is checked against, in this process
    api_clients: int = 64  # API clients at once on two servers (bench/api_load.py)
    api_seconds: float = 30


FULL = Size(
    1_000_000,
    1_000,
    10_000,
    100_000,
    20,
    100_000,
    page_runs=15,
    add_runs=30,
    poll_runs=200,
    export_runs=2,
    function_runs=3,
    startups=3,
    editors=8,
    marks_each=200,
    crowd_budget=120,
    loads=1,
    clicks=5,
)
QUICK = Size(
    100_000,
    100,
    1_000,
    5_000,
    5,
    20_000,
    page_runs=3,
    add_runs=5,
    poll_runs=20,
    export_runs=1,
    function_runs=1,
    startups=1,
    editors=8,
    marks_each=10,
    crowd_budget=60,
    loads=1,
    clicks=2,
    quote_runs=2,
    hostile_sources=(1.0,),
    api_clients=8,
    api_seconds=5,
)


class Progress:
    def __init__(self):
        self.started = time.perf_counter()

    def __call__(self, what: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.0f} s] {what}", flush=True)


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {sqlite3.sqlite_version}"


def analyze() -> None:
    """PostgreSQL: refresh the planner's statistics after a bulk load, as autovacuum would within a minute."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def prepare_database(progress: Progress) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        progress("flushing the PostgreSQL database")
        call_command("flush", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run (100,000 characters, 1,000 marks)")
    parser.add_argument("--skip-browser", action="store_true", help="no Chromium figures")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database and the server log")
    options = parser.parse_args()
    size = QUICK if options.quick else FULL

    folder = Path(tempfile.mkdtemp(prefix="annotator-bench-"))
    os.environ.update(production_env(str(folder)))
    import django

    django.setup()
    progress = Progress()
    try:
        figures, header, plans = run(size, options, folder, progress)
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print(header)
    print(table(figures))
    print()
    print(f"Load at the end: {machine()}")
    print()
    print("EXPLAIN of the hot queries")
    print(plans)


def run(size: Size, options, folder: Path, progress: Progress):
    from annotator.models import Annotation, Document

    from . import explain, functions, scenario, web
    from .client import Session

    header = (
        f"Benchmark {time.strftime('%Y-%m-%d %H:%M')}: {'quick' if options.quick else 'full'} run; "
        f"{machine()} at the start; Python {sys.version.split()[0]}, Django {django_version()}; "
    )
    prepare_database(progress)
    header += f"{database_description()}; gunicorn config.wsgi, {options.workers} sync workers"
    rng = random.Random(3)
    figures: list[Figure] = []

    progress(f"building the scale document ({size.text:,} characters) with {size.first_marks:,} marks")
    scale, document = scenario.build_scale(size.first_marks, size.text)
    claim = scale.project.labels.get(key="claim").pk
    server = Gunicorn(folder / "gunicorn.log", workers=options.workers)
    try:
        server.start()
        editor = Session(server.url)
        editor.login(scale.editors[0].username, scenario.PASSWORD)
        web.warm_up(editor, document, options.workers)
        progress(f"adding a mark at {size.first_marks:,} marks")
        name = f"adding a mark ({size.first_marks:,} marks)"
        attempt(
            figures,
            name,
            "ms",
            10,
            lambda: served(
                server, "POST", "/annotations/", lambda: web.add_mark(editor, document, claim, size.add_runs, name, rng)
            ),
        )

        progress(f"adding marks up to {size.marks:,}, with citations and links")
        scenario.add_marks(scale, document, size.marks - Annotation.objects.filter(span__document=document).count())
        document.refresh_from_db()
        analyze()
        marks = f"{Annotation.objects.filter(span__document=document).count():,} marks"
        progress("the document page, adding a mark and the idle poll")
        attempt(
            figures,
            f"document page ({marks}, logged in)",
            "ms",
            100,
            lambda: served(
                server,
                "GET",
                f"/documents/{document.pk}/",
                lambda: web.document_page(editor, document, size.page_runs, f"document page ({marks}, logged in)"),
            ),
        )
        attempt(
            figures,
            f"adding a mark ({marks})",
            "ms",
            10,
            lambda: served(
                server,
                "POST",
                "/annotations/",
                lambda: web.add_mark(editor, document, claim, size.add_runs, f"adding a mark ({marks})", rng),
            ),
        )
        attempt(
            figures,
            "idle revision poll",
            "ms",
            3,
            lambda: served(server, "GET", "/changes/", lambda: web.idle_poll(editor, document, size.poll_runs)),
        )

        progress(f"building the export scenario: {size.export_marks:,} marks on {size.export_documents} documents")
        export = scenario.build_export(size.export_marks, size.export_documents, size.export_text)
        analyze()
        attempt(figures, "exports", "s", None, lambda: exports(server, editor, scale, export, size, progress))

        progress("importing bibliographies: 2,000 entries, 5 MB at the cap, and the refusals (issues 18 and 25)")
        from . import import_bench

        attempt(figures, "importing sources", "s", None, lambda: import_bench.measure(1 if options.quick else 3))

        progress("search over both scenarios, indexing, marking all occurrences, rebuilding the index")
        from . import search as search_bench

        attempt(figures, "search", "ms", 50, lambda: search_bench.figures(scale, document, export, size.page_runs + 5))

        progress("the API: bulk-creating marks in one request, all marks of a document, a page of marks")
        from . import api as api_bench

        attempt(figures, "API", "ms", None, lambda: api_bench.figures(scale, size.text, size.marks, size.page_runs))

        progress(f"{size.api_clients} API clients at once on two servers, {size.api_seconds:g} s (issue 23)")
        from . import api_load

        attempt(
            figures, "API load", "ms", None, lambda: api_load.figures(str(folder), size.api_clients, size.api_seconds)
        )

        progress("“Already checked?” over 10,000 rated claims (issue 24)")
        from . import verdicts as verdict_bench

        attempt(figures, "already checked", "ms", 100, lambda: verdict_bench.figures(size.page_runs + 5))

        progress("the hostile quotation of issue 18: citing it, its panel, its page")
        attempt(figures, "hostile quotation (web)", "ms", None, lambda: hostile_figures(server, editor, scale, size))

        progress("quotation suggestions, agreement, re-anchoring, the hostile quotation check (in this process)")
        for megabytes in size.hostile_sources:
            attempt(
                figures,
                f"quotation check, hostile ({megabytes:g} MB source)",
                "s",
                1,
                lambda megabytes=megabytes: functions.quotation_check(megabytes, size.function_runs),
            )
        attempt(figures, "quotation suggestions", "s", 1, lambda: functions.suggestions(document, size.function_runs))
        attempt(figures, "agreement figures", "s", 1, lambda: functions.agreement(document, size.function_runs))
        attempt(figures, "re-anchoring", "s", 2, lambda: functions.reanchoring(document, size.function_runs))

        progress(f"{size.editors} editors marking at once")
        crowd = scenario.start_project("Concurrency", editors=size.editors, seed=5)
        shared = scenario.add_document(crowd, "Concurrency: the seeds repeated", document.text)
        label_ids = list(crowd.project.labels.values_list("pk", flat=True))
        attempt(figures, "concurrency", "", 0, lambda: crowd_figures(server, shared, crowd, label_ids, size))

        if not options.skip_browser:
            from .browser import browser_figures

            progress("Chromium: loading the page, Claim, scrolling")
            regions = web.unused_regions(document, size.clicks, 6, rng)
            count = Annotation.objects.filter(span__document=document).count()
            cookies = [{"name": c.name, "value": c.value} for c in editor.cookies]
            attempt(
                figures,
                "browser figures",
                "ms",
                None,
                lambda: browser_figures(server.url, cookies, document.pk, regions, size.loads, count),
            )

        rss = {pid: rss_mib(pid) for pid in server.worker_pids()}
        figures.append(
            Figure(
                "RSS per gunicorn worker after the requests",
                list(rss.values()),
                "MiB",
                120,
                judged="max",
                note=", ".join(f"{v:.0f}" for v in rss.values()),
            )
        )
    except Exception:
        print(
            f"Server log: {server.log_path}\n"
            + (server.log_path.read_text()[-3000:] if server.log_path.exists() else "")
        )
        raise
    finally:
        server.stop()

    progress(f"start-up of gunicorn on the existing database ({size.startups} times)")
    startups = []
    for _ in range(size.startups):
        with Gunicorn(folder / "gunicorn.log", workers=options.workers) as again:
            startups.append(again.start())
    figures.append(Figure("gunicorn start-up to the first 200", startups, "s", 2))
    figures.insert(0, figures.pop())  # start-up first: it is what an operator meets first

    return figures, header, explain.plans(Document.objects.get(pk=document.pk), scale.editors[0])


def attempt(figures: list, name: str, unit: str, target: float | None, measure) -> None:
    """Add what measure() returns (a figure or a list of them). One that fails becomes a FAILED line, its
    traceback is printed, and the run goes on to the next."""
    try:
        result = measure()
    except Exception as exc:
        traceback.print_exc()
        figures.append(Figure.failure(name, unit, target, exc))
        return
    figures.extend(result if isinstance(result, list) else [result])


def hostile_figures(server: Gunicorn, editor, scale, size: Size) -> list[Figure]:
    from . import web

    offset = server.log_offset()
    cite, panel, page = web.hostile_quotation(editor, scale, size.quote_runs)
    with_server_time(cite, server.server_ms(offset, "POST", "/citations/"))
    return [cite, panel, page]


def crowd_figures(server: Gunicorn, document, crowd, label_ids: list, size: Size) -> list[Figure]:
    from . import scenario, web

    offset = server.log_offset()
    figures = web.concurrent_editors(
        server.url, document, crowd.editors, scenario.PASSWORD, label_ids, size.marks_each, size.crowd_budget
    )
    for figure in figures:
        if figure.name.endswith("POST"):
            with_server_time(figure, server.server_ms(offset, "POST", "/annotations/"))
        elif figure.name.endswith("poll"):
            with_server_time(figure, server.server_ms(offset, "GET", "/changes/"))
    return figures


def served(server: Gunicorn, method: str, path_part: str, measure) -> Figure:
    """measure(), with the server's own time for the requests it made in its note."""
    offset = server.log_offset()
    figure = measure()
    return with_server_time(figure, server.server_ms(offset, method, path_part))


def with_server_time(figure: Figure, times: list[float]) -> Figure:
    if times:
        server = f"in the worker: median {statistics.median(times):,.1f} ms, p95 {p95(times):,.1f} ms"
        figure.note = f"{server}; {figure.note}" if figure.note else server
    return figure


def exports(server: Gunicorn, editor, scale, export, size: Size, progress: Progress) -> list[Figure]:
    """Web exports of the big project through gunicorn, and each export in a process of its own (the command) to
    read its peak memory at both sizes."""
    from annotator.models import Annotation

    from . import web
    from .client import Session
    from .scenario import PASSWORD

    small = Annotation.objects.filter(span__document__project=scale.project).count()
    big = Annotation.objects.filter(span__document__project=export.project).count()
    progress(f"exports of {big:,} marks through the server")
    member = Session(editor.base_url)
    member.login(export.editors[0].username, PASSWORD)
    path = f"/projects/{export.project.pk}/export/"
    figures = [
        served(server, "GET", path, lambda: web.web_export(member, export.project.pk, "csv", size.export_runs, big, 3)),
        served(
            server, "GET", path, lambda: web.web_export(member, export.project.pk, "jsonld", size.export_runs, big, 6)
        ),
    ]
    manager = Session(editor.base_url)
    manager.login(export.manager.username, PASSWORD)
    progress_path = f"/projects/{export.project.pk}/progress/"
    figures.append(
        served(
            server, "GET", progress_path, lambda: web.dashboard(manager, export.project.pk, max(size.page_runs, 5), big)
        )
    )
    progress(f"exports in a process of their own ({small:,} and {big:,} marks)")
    peaks = {}
    env = dict(os.environ)
    for project, count in ((scale.project, small), (export.project, big)):
        for file_format, target in (("csv", 3), ("jsonld", 6)):
            # The smaller project is exported for its memory only: once is enough.
            repeat = size.export_runs if project == export.project else 1
            runs = measure_export("command", file_format, project.name, env, repeat)
            peaks.setdefault(count, []).extend(r["rss_peak_kib"] / 1024 for r in runs)
            if project == export.project:
                name = f"{'CSV' if file_format == 'csv' else 'JSON-LD'} export of {count:,} marks (command)"
                cpu = sorted(r["cpu_seconds"] for r in runs)[len(runs) // 2]
                figures.append(Figure(name, [r["seconds"] for r in runs], "s", target, note=f"CPU {cpu:.2f} s"))
    (low, low_peaks), (high, high_peaks) = sorted(peaks.items())
    figures.append(
        Figure(
            f"export peak memory, {low:,} marks (command)",
            low_peaks,
            "MiB",
            None,
            note="CSV and JSON-LD runs, each process's VmHWM",
        )
    )
    figures.append(
        Figure(
            f"export peak memory, {high:,} marks (command)",
            high_peaks,
            "MiB",
            None,
            note=f"{max(high_peaks) - max(low_peaks):+.1f} MiB over {low:,} marks",
        )
    )
    return figures


def django_version() -> str:
    import django

    return django.get_version()


if __name__ == "__main__":
    main()
