"""Documents from files: a 300-page text PDF and a 2 MB web page made into documents, timed, with peak memory.

    .venv/bin/python -m bench.ingest [--quick]

Each case runs in a process of its own (so its peak memory is its own) on a SQLite database in a temporary
folder, through the same path as the app: services.ingest.request_document, the task run at once, the text
extracted, then the document, its version with its pages, its original and its source saved. The PDF is written
by fpdf2 (wrapped paragraphs, roman then arabic page labels, running heads and page numbers); the page is an
article inside 2 MB of navigation, scripts and markup. Targets: the PDF under 10 s, the page under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"pdf": 10.0, "html": 2.0}

WORDS = (
    "archives centre regions historians numbers documents purge terror party plenum commission report arrests "
    "sentences quotas telegram secretary oblast committee minutes decree evidence testimony memoir file fond"
).split()


def sentence(rng, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def book_pdf(pages: int) -> bytes:
    """A report: front matter in roman numerals, then arabic from 1; a running head and a page number on each page;
    paragraphs of about 80 words with hyphens where words break (a text PDF as a word processor prints one)."""
    import random

    from fpdf import FPDF

    rng = random.Random(22)
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.set_font("helvetica", size=10)
    pdf.set_title("A long report")
    pdf.set_author("Bench, Ingest")
    for page in range(pages):
        pdf.add_page()
        if page == 0:
            pdf.set_page_label("r", label_start=1)
        elif page == 4:
            pdf.set_page_label("D", label_start=1)
        pdf.set_xy(10, 8)
        pdf.cell(0, 5, "A long report on the archives", align="C")
        pdf.set_xy(10, 16)
        for _ in range(5):
            pdf.multi_cell(0, 4.6, " ".join(sentence(rng, 16) for _ in range(5)), align="J")
            pdf.ln(2.5)
        pdf.set_xy(10, 285)
        pdf.cell(0, 5, str(page + 1), align="C")
    return bytes(pdf.output())


def big_page(size: int) -> bytes:
    """A news page of `size` bytes: an article of a few thousand words inside navigation, inline scripts, styles,
    comments and related-links boxes, as a real one is."""
    import random

    rng = random.Random(23)
    article = "".join(f"<p>{' '.join(sentence(rng, 18) for _ in range(4))}</p>\n" for _ in range(120))
    head = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>The numbers revisited | The Historian"
        "</title><meta name='author' content='Ann Smith'><meta property='og:site_name' content='The Historian'>"
        "<meta property='article:published_time' content='2024-03-05'>"
        "<link rel='canonical' href='https://example.org/numbers'>"
    )
    chunks = [head]
    filler = 0
    while filler < size - len(article) - 2000:
        block = rng.choice(
            [
                "<script>window.dataLayer=window.dataLayer||[];"
                + "x".join(str(rng.random()) for _ in range(200))
                + "</script>\n",
                "<style>" + "".join(f".c{i}{{margin:{i}px}}" for i in range(300)) + "</style>\n",
                "<nav><ul>"
                + "".join(f"<li><a href='/s/{i}'>Section {i}</a></li>" for i in range(60))
                + "</ul></nav>\n",
                "<aside class='related'>"
                + "".join(f"<a href='/r/{i}'>{sentence(rng, 8)}</a>" for i in range(20))
                + "</aside>\n",
            ]
        )
        chunks.append(block)
        filler += len(block)
    chunks.append("</head><body><header>The Historian</header><main><article><h1>The numbers revisited</h1>")
    chunks.append(article)
    chunks.append("</article></main><footer>Copyright</footer></body></html>")
    return "".join(chunks).encode("utf-8")


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(kind: str, path: str) -> dict:
    """In the child: Django up, the file made into a document through the services, the figures."""
    import django

    django.setup()
    from django.test.utils import override_settings

    from annotator.models import DocumentVersion, Project
    from annotator.services import ingest

    data = Path(path).read_bytes()
    project = Project.objects.get(name="Bench ingest")
    manager = project.memberships.get().user
    before = rss_mib()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}):
        started = time.perf_counter()
        extraction = ingest.request_document(user=manager, project=project, name=f"bench.{kind}", data=data)
        seconds = time.perf_counter() - started
    extraction.refresh_from_db()
    assert extraction.state == "done", extraction.message
    version = DocumentVersion.objects.get(document=extraction.document, number=1)
    return {
        "seconds": seconds,
        "bytes": len(data),
        "code_points": len(version.text),
        "pages": len(version.pages),
        "labels": [label for _, label in version.pages[:6]],
        "rss_before_mib": before,
        "rss_peak_mib": rss_mib(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="30 pages and a 200 KB page")
    parser.add_argument("--case", choices=["pdf", "html"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.file)))
        return

    pages, page_size = (30, 200_000) if args.quick else (300, 2 * 1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "DEBUG": "true",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "ANNOTATOR_MAX_UPLOAD_BYTES": str(50 * 1024 * 1024),
        }
        setup = (
            "import django; django.setup();"
            "from django.core.management import call_command; call_command('migrate', verbosity=0);"
            "from django.contrib.auth import get_user_model; from annotator.services import create_project;"
            "user = get_user_model().objects.create_user('bench-manager');"
            "create_project(name='Bench ingest', owner=user)"
        )
        subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True)
        started = time.perf_counter()
        files = {"pdf": Path(folder) / "book.pdf", "html": Path(folder) / "page.html"}
        files["pdf"].write_bytes(book_pdf(pages))
        files["html"].write_bytes(big_page(page_size))
        print(
            f"Made the files in {time.perf_counter() - started:.1f} s: a {pages}-page PDF of "
            f"{files['pdf'].stat().st_size / 1024:.0f} KB and a page of "
            f"{files['html'].stat().st_size / 1024 / 1024:.2f} MB.\n"
        )
        rows = []
        for kind in ("pdf", "html"):
            out = subprocess.run(
                [sys.executable, "-m", "bench.ingest", "--case", kind, "--file", str(files[kind])],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            rows.append((kind, figures))
        print(
            f"{'case':<34} {'time':>8} {'target':>8} {'':>6} {'text':>12} {'pages':>6} {'peak RSS':>10} "
            f"{'(+ over start)':>15}"
        )
        for kind, f in rows:
            name = (
                f"{pages}-page PDF to a document"
                if kind == "pdf"
                else f"{f['bytes'] / 1024 / 1024:.1f} MB web page to a document"
            )
            target = TARGETS[kind]
            met = "met" if f["seconds"] < target or args.quick else "MISSED"
            print(
                f"{name:<34} {f['seconds']:>7.2f}s {target:>7.0f}s {met:>6} {f['code_points']:>10,} cp {f['pages']:>6} "
                f"{f['rss_peak_mib']:>7.0f} MiB {f['rss_peak_mib'] - f['rss_before_mib']:>+11.0f} MiB"
            )
        print(f"\nPDF page labels: {', '.join(rows[0][1]['labels'])}, ...")


if __name__ == "__main__":
    main()
