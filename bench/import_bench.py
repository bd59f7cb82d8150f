"""Benchmark: importing a bibliography through the web, at the entry cap and beyond it.

    .venv/bin/python bench/import_bench.py               # 3 runs of each file
    .venv/bin/python bench/import_bench.py --runs 1

Each file is POSTed to the import page through Django's test client (upload, parse, check, save: the whole
request, with DEBUG off and the static files collected), as an annotator of a fresh project on a scratch SQLite database, or on DATABASE_URL's
database when it is set (FLUSHED first). The sources a run made are deleted before the next run. Files are made
as Zotero exports them (titles with braced capitals, accented names as LaTeX, an abstract on every entry); the
last ones are the attacks of issue 18, which must be refused, quickly. Prints the figures/table and the CPU time.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH = tempfile.mkdtemp(prefix="annotator-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{SCRATCH}/bench.sqlite3")
os.environ.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", "ALLOWED_HOSTS": "testserver",
                   "STATIC_ROOT": f"{SCRATCH}/static",
                   "SECRET_KEY": secrets.token_urlsafe(48), "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false"})

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from annotator import bibliography, services  # noqa: E402
from annotator.models import Source  # noqa: E402
from bench.figures import Figure, table  # noqa: E402

RARE_LATEX = "\\emph{x}" * 250  # a title's most before decoding, of a command only pylatexenc decodes
ABSTRACT = "The archives opened in the 1990s changed what historians could say about the purges. " * 3


def csl_json(entries: int) -> str:
    return json.dumps([
        {"id": f"http://zotero.org/users/1/items/{i}", "type": "article-journal",
         "title": f"Excesses Are Not Permitted: Mass Terror and Stalinist Governance, part {i}",
         "author": [{"family": "Getty", "given": "J. Arch"}, {"family": "Müller", "given": "Jörg"}],
         "issued": {"date-parts": [[2002, 1]]}, "container-title": "The Russian Review", "volume": "61",
         "issue": "1", "page": "113-138", "DOI": f"10.2307/{i}", "URL": f"https://www.jstor.org/stable/{i}",
         "abstract": ABSTRACT}
        for i in range(entries)
    ], indent=2)


def bibtex(entries: int) -> str:
    return "".join(
        f"@article{{getty_{i},\n\ttitle = {{'{{Excesses}} {{Are}} {{Not}} {{Permitted}}': {{Mass}} {{Terror}} and "
        f"{{Stalinist}} {{Governance}} \\& the {{Party}}, part {i}}},\n"
        f"\tauthor = {{Getty, J. Arch and M{{\\\"u}}ller, J{{\\\"o}}rg}},\n\tjournal = {{The {{Russian}} {{Review}}}},\n"
        f"\tvolume = {{61}},\n\tnumber = {{1}},\n\tpages = {{113--138}},\n\tyear = {{2002}},\n\tmonth = jan,\n"
        f"\tdoi = {{10.2307/{i}}},\n\turl = {{https://www.jstor.org/stable/{i}}},\n\tabstract = {{{ABSTRACT}}},\n}}\n"
        for i in range(entries)
    )


def files() -> list[tuple[str, str, str, bool, float]]:
    """(figure name, file name, content, whether it is imported, target in seconds)."""
    limit = 5 * 1024 * 1024
    tiny = json.dumps({"type": "book", "title": "T"})
    over_the_cap = "[" + ",".join([tiny] * (limit // (len(tiny) + 1) - 1)) + "]"
    return [
        ("CSL-JSON, 2,000 entries", "lib.json", csl_json(2_000), True, 5.0),
        ("BibTeX, 2,000 entries", "lib.bib", bibtex(2_000), True, 5.0),
        (f"CSL-JSON, {bibliography.MAX_ENTRIES:,} entries (the cap)", "lib.json", csl_json(bibliography.MAX_ENTRIES), True, 10.0),
        (f"BibTeX, {bibliography.MAX_ENTRIES:,} entries (the cap)", "lib.bib", bibtex(bibliography.MAX_ENTRIES), True, 10.0),
        ("refused: CSL-JSON of 5 MB, over the cap", "lib.json", over_the_cap, False, 2.0),
        ("refused: BibTeX of 5 MB, tiny entries", "lib.bib", "@misc{a,}\n" * (limit // 10), False, 2.0),
        ("refused: 1 MB of LaTeX in one field", "lib.bib", "@book{k, title={T}, publisher={" + "\\'{e}" * 200_000 + "}}", False, 2.0),
        ("refused: LaTeX past the file's budget", "lib.bib",
         "".join(f"@book{{k{i}, title={{{RARE_LATEX}}}}}\n" for i in range(2_000)), False, 6.0),
        ("refused: CSL-JSON nested 100,000 deep", "lib.json", "[" * 100_000 + "]" * 100_000, False, 2.0),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # each refusal would log its 422
    call_command("flush" if "postgres" in os.environ["DATABASE_URL"] else "migrate", verbosity=0, interactive=False)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # the refusals render pages, as deployed
    project = services.create_project(name="Import bench")
    user = get_user_model().objects.create_user("importer", password=secrets.token_urlsafe(12))
    services.add_member(project=project, member=user, role="annotator")
    client = Client()
    client.force_login(user)
    url = reverse("source_import", args=[project.pk])
    figures, load = [], os.getloadavg()[0]
    for name, filename, content, imported, target in files():
        upload = content.encode()
        seconds, cpu = [], []
        for _ in range(args.runs):
            Source.objects.filter(project=project).delete()
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.post(url, {"file": SimpleUploadedFile(filename, upload)})
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        expected = 302 if imported else 422
        made = Source.objects.filter(project=project).count()
        note = f"{len(upload) / 1e6:.1f} MB; CPU {statistics.median(cpu):.2f} s; {made:,} sources made"
        if response.status_code != expected:
            note = f"answered {response.status_code}, expected {expected}; " + note
            seconds = []
        figures.append(Figure(name, seconds, "s", target, note=note))
    print(f"Import benchmark: {os.cpu_count()} cores, load average {load:.1f} at the start; "
          f"{'PostgreSQL' if 'postgres' in os.environ['DATABASE_URL'] else 'SQLite'}; through Django's test client")
    print(table(figures))


if __name__ == "__main__":
    main()
