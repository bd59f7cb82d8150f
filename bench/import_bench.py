"""Benchmark: importing a bibliography through the web, at 2,000 entries, at the entry cap, and beyond it.

    .venv/bin/python bench/import_bench.py               # 3 runs of each file
    .venv/bin/python bench/import_bench.py --runs 1

Each file is POSTed to the import page through Django's test client (upload, parse, check, save in bulk in one
transaction: the whole request, with DEBUG off and the static files collected), as an annotator of a fresh project on
a scratch SQLite database, or on DATABASE_URL's database when it is set (FLUSHED first). The sources a run made are
deleted before the next run. Files are made as Zotero, Better BibTeX and JabRef write them (issue 25: every CSL type,
names in several roles with particles and suffixes, date ranges and ancient dates, DOIs as resolver addresses;
@string macros, crossrefs, biblatex's fields, LaTeX and math in titles, a key used twice; an abstract on every entry),
the cap's files padded to the upload limit (5 MB); the last ones are the attacks of issue 18, which must be refused,
quickly. Prints the figures' table and the CPU time. `make bench` prints the same figures (measure()).
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
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RARE_LATEX = "\\emph{x}" * 250  # a title's most before decoding, of a command only pylatexenc decodes
ABSTRACT = "The archives opened in the 1990s changed what historians could say about the purges. " * 3


TYPES = [
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
]
DATES = [
    {"date-parts": [[2002, 1]]},
    {"date-parts": [[1984], [1986]]},
    {"date-parts": [[-334]]},
    {"date-parts": [[1937]], "season": 2},
    {"date-parts": [["1850"]], "circa": 1},
    {"literal": "Nivôse an II"},
    {"raw": "1917-10-25/1917-11-07"},
]


def csl_json(entries: int, abstract: str = ABSTRACT) -> str:
    """A Zotero library: every CSL type in turn, names in three roles, CSL's dates, DOIs as Zotero and ACM write them."""
    return json.dumps(
        [
            {
                "id": f"http://zotero.org/users/1/items/{i}",
                "type": TYPES[i % len(TYPES)],
                "title": f"Excesses Are Not Permitted: Mass Terror and Stalinist Governance, part {i}",
                "author": [
                    {"family": "Getty", "given": "J. Arch"},
                    {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
                    {"family": "Fulton", "given": "James E.", "suffix": "Jr."},
                    {"literal": "NKVD"},
                ],
                "editor": [{"family": "Conquest", "given": "Robert"}],
                "translator": [{"family": "Müller", "given": "Jörg"}],
                "issued": DATES[i % len(DATES)],
                "container-title": "The Russian Review",
                "volume": "61",
                "issue": "1",
                "page": "113-138",
                "publisher-place": "Cambridge",
                "edition": "2",
                "ISBN": "978-0-19-505580-4",
                "accessed": {"date-parts": [[2024, 1, 5]]},
                "DOI": f"http://dx.doi.org/10.2307/{i}" if i % 3 == 0 else f"10.2307/{i}",
                "URL": f"https://www.jstor.org/stable/{i}",
                "abstract": abstract,
            }
            for i in range(entries)
        ],
        indent=1 if entries <= 2_000 else None,
    )  # the cap's entries fill 5 MB without the indentation


def bibtex(entries: int, abstract: str = ABSTRACT) -> str:
    """A Better BibTeX / JabRef library: macros, a proceedings every 20 entries that papers crossref, biblatex's
    fields and dates, names with particles and suffixes, LaTeX accents and math, one key used twice."""
    head = '@String{rr = {The {Russian} {Review}}}\n@String{cup = "Cambridge University Press"}\n'
    parts = [head]
    for i in range(entries):
        if i % 20 == 0:
            parts.append(
                f"@proceedings{{proc{i},\n\teditor = {{Cooper, Julian and Perrie, Maureen}},\n"
                f"\ttitle = {{Soviet History, 1917--53, volume {i}}},\n\tpublisher = cup, location = {{Cambridge}},\n"
                f"\tdate = {{1995/1996}},\n}}\n"
            )
            continue
        key = "getty_1" if i == 2 else f"getty_{i}"  # the third entry repeats the second's key
        if i % 4 == 1:
            parts.append(
                f"@inproceedings{{{key},\n\tauthor = {{Khlevniuk, Oleg and de la Fontaine, Jean}},\n"
                f"\ttitle = {{The Objectives of the {{Great}} {{Terror}}, part {i}}},\n\tcrossref = {{proc{i - i % 20}}},\n"
                f"\tpages = {{158--176}},\n\tdoi = {{https://doi.org/10.1000/{i}}},\n\tabstract = {{{abstract}}},\n}}\n"
            )
            continue
        parts.append(
            f"@article{{{key},\n\ttitle = {{'{{Excesses}} {{Are}} {{Not}} {{Permitted}}': H{{$_2$}}O, {{Mass}} {{Terror}} and "
            f"{{Stalinist}} {{Governance}} \\& the {{Party}}, part {i}}},\n"
            f'\tauthor = {{Getty, J. Arch and M{{\\"u}}ller, J{{\\"o}}rg and Fulton, James E., Jr. and {{Memorial Society}}}},\n'
            f"\ttranslator = {{van der Berg, Jan}},\n\tjournaltitle = rr,\n"
            f"\tvolume = {{61}},\n\tnumber = {{1}},\n\tpages = {{113--138}},\n\tdate = {{{1900 + i % 100}-01/{1901 + i % 100}}},\n"
            f"\tlocation = {{Moscow}},\n\turldate = {{2024-01-05}},\n"
            f"\tdoi = {{http://doi.acm.org/10.2307/{i}}},\n\turl = {{https://www.jstor.org/stable/{i}}},\n"
            f"\tabstract = {{{abstract}}},\n}}\n"
        )
    return "".join(parts)


def _padded(make, entries: int, limit: int) -> str:
    """The file of `entries` entries whose abstracts make it as large as an upload may be, less a little."""
    bare = len(make(entries, "").encode())
    each = max(0, (limit - 4096 - bare) // entries)
    return make(entries, ("The archives opened in the 1990s. " * (each // 34 + 1))[:each])


def files() -> list[tuple[str, str, str, bool, float]]:
    """(figure name, file name, content, whether it is imported, target in seconds). The 5 MB files must stay well
    inside a worker's timeout (gunicorn's 30 s): 10 s."""
    from django.conf import settings

    from annotator import bibliography

    limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
    tiny = json.dumps({"type": "book", "title": "T"})
    over_the_cap = "[" + ",".join([tiny] * (limit // (len(tiny) + 1) - 1)) + "]"
    cap = bibliography.MAX_ENTRIES
    return [
        ("CSL-JSON, 2,000 entries", "lib.json", csl_json(2_000), True, 5.0),
        ("BibTeX, 2,000 entries", "lib.bib", bibtex(2_000), True, 5.0),
        (f"CSL-JSON, {cap:,} entries (the cap), 5 MB", "lib.json", _padded(csl_json, cap, limit), True, 10.0),
        # Its two @string macros count as entries against the cap.
        (f"BibTeX, {cap - 2:,} entries (the cap), 5 MB", "lib.bib", _padded(bibtex, cap - 2, limit), True, 10.0),
        ("refused: CSL-JSON of 5 MB, over the cap", "lib.json", over_the_cap, False, 2.0),
        ("refused: BibTeX of 5 MB, tiny entries", "lib.bib", "@misc{a,}\n" * (limit // 10), False, 2.0),
        (
            "refused: 1 MB of LaTeX in one field",
            "lib.bib",
            "@book{k, title={T}, publisher={" + "\\'{e}" * 200_000 + "}}",
            False,
            2.0,
        ),
        (
            "refused: LaTeX past the file's budget",
            "lib.bib",
            "".join(f"@book{{k{i}, title={{{RARE_LATEX}}}}}\n" for i in range(2_000)),
            False,
            6.0,
        ),
        ("refused: CSL-JSON nested 100,000 deep", "lib.json", "[" * 100_000 + "]" * 100_000, False, 2.0),
    ]


def measure(runs: int = 3) -> list:
    """The figures, on the database Django is set up with (a project and a user of their own are made)."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from annotator import services
    from annotator.models import Source
    from bench.figures import Figure

    logging.getLogger("django.request").setLevel(logging.ERROR)  # each refusal would log its 422
    project = services.create_project(name=f"Import bench {secrets.token_hex(4)}")
    user = get_user_model().objects.create_user(f"importer-{secrets.token_hex(4)}", password=secrets.token_urlsafe(12))
    services.add_member(project=project, member=user, role="annotator")
    client = Client()
    client.force_login(user)
    url = reverse("source_import", args=[project.pk])
    figures = []
    for name, filename, content, imported, target in files():
        upload = content.encode()
        seconds, cpu = [], []
        for _ in range(runs):
            Source.objects.filter(project=project).delete()
            started, cpu_started = time.perf_counter(), time.process_time()
            data = {"file": SimpleUploadedFile(filename, upload)}
            if imported:
                data["partial"] = "on"  # the key used twice is skipped and listed, the rest imported
            response = client.post(url, data)
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        expected = 302 if imported else 422
        made = Source.objects.filter(project=project).count()
        note = f"{len(upload) / 1e6:.1f} MB; CPU {statistics.median(cpu):.2f} s; {made:,} sources made"
        if response.status_code != expected:
            note = f"answered {response.status_code}, expected {expected}; " + note
            seconds = []
        figures.append(Figure(name, seconds, "s", target, note=note))
    Source.objects.filter(project=project).delete()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="annotator-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver",
            "STATIC_ROOT": f"{scratch}/static",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from bench.figures import table

    call_command("flush" if "postgres" in os.environ["DATABASE_URL"] else "migrate", verbosity=0, interactive=False)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # the refusals render pages, as deployed
    load = os.getloadavg()[0]
    figures = measure(args.runs)
    print(
        f"Import benchmark: {os.cpu_count()} cores, load average {load:.1f} at the start; "
        f"{'PostgreSQL' if 'postgres' in os.environ['DATABASE_URL'] else 'SQLite'}; through Django's test client"
    )
    print(table(figures))


if __name__ == "__main__":
    main()
