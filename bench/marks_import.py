"""Importing marks from the app at the largest file it takes: the background check and the import, timed.

    .venv/bin/python -m bench.marks_import [--runs 3] [--marks 2000] [--links 200]

A document of the scale scenario's text (1 MB) gets `--marks` marks by one editor and up to `--links` links between
them (evidence supports a claim, a claim quotes a quotation: bench/scenario.plan_links); they are exported as JSON-LD
(marks and links in one file) and as our CSV with its links CSV, then deleted. Each file is uploaded as a manager
(services/import_uploads.check_import: the file read and queued), then the two background tasks are run here as the
worker would run them: the check (the import done and rolled back) and, once confirmed, the import. Each run deletes
what the import made. SQLite in a temporary folder, or DATABASE_URL's database (flushed first). No target: the
figures say how long a full file holds the worker, and the one transaction that other writers wait for.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from .figures import Figure, table


def figures(marks: int, links: int, runs: int) -> list[Figure]:
    from annotator import exchange
    from annotator.models import Annotation, ImportUpload, Label, Link, Membership, Role, Span
    from annotator.services import import_uploads
    from annotator.services.bulk import NewMark, bulk_link, bulk_mark_ids

    from . import scenario
    from .anchoring import scale_text
    from .api import bulk_body

    scale = scenario.start_project("Scale")
    document = scenario.add_document(scale, "Import: the seeds repeated", scale_text(1_000_000))
    editor, body = bulk_body(scale, document, marks)
    labels = {label.key: label for label in Label.objects.filter(project=document.project)}
    made = [NewMark(m["start"], m["end"], m["exact"], labels[m["label"]], m["note"]) for m in body["marks"]]
    ids = bulk_mark_ids(user=editor, document=document, marks=made, cap=None)
    selection = Annotation.objects.filter(pk__in=ids)
    planned = scenario.plan_links(scale, list(selection.select_related("label", "span__document")))[:links]
    if planned:
        bulk_link(user=editor, links=[link for _, link in planned], cap=None)
    files = {
        "JSON-LD": ("marks.jsonld", "".join(exchange.export(selection, "jsonld")).encode(), None),
        "CSV": (
            "marks.csv",
            "".join(exchange.export(selection, "csv", raw=True)).encode(),
            "".join(exchange.export(selection, "links-csv", raw=True)).encode(),
        ),
    }
    selection.delete()
    manager = Membership.objects.filter(project=document.project, role=Role.MANAGER).first().user

    def undo() -> None:
        Annotation.objects.filter(span__document=document).delete()
        Span.objects.filter(document=document).delete()
        ImportUpload.objects.all().delete()

    found = []
    for kind, (name, data, links_file) in files.items():
        checks, imports_ = [], []
        for _ in range(runs):
            upload = import_uploads.check_import(
                user=manager, project=document.project, name=name, data=data, links=links_file
            )
            started = time.perf_counter()
            import_uploads.check_upload.call(upload.pk)
            checks.append(time.perf_counter() - started)
            upload = import_uploads.confirm_import(user=manager, upload=ImportUpload.objects.get(pk=upload.pk))
            started = time.perf_counter()
            import_uploads.run_import.call(upload.pk)
            imports_.append(time.perf_counter() - started)
            upload.refresh_from_db()
            report = upload.report
            note = (
                f"{report['created'] + report['reanchored']:,} marks, {report['links_created']:,} links, "
                f"{len(data) / 1e6:.1f} MB"
            )
            undo()
        found.append(Figure(f"import from the app, {kind}: the check", checks, "s", None, note=note))
        found.append(Figure(f"import from the app, {kind}: the import", imports_, "s", None, note=note))
    Link.objects.filter(project=document.project).delete()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--marks", type=int, default=2_000)
    parser.add_argument("--links", type=int, default=200)
    options = parser.parse_args()
    from .export_bench import production_env

    folder = Path(tempfile.mkdtemp(prefix="annotator-import-bench-"))
    os.environ.update(production_env(str(folder)))
    import django

    django.setup()
    try:
        from .run import prepare_database

        prepare_database(print)
        print(table(figures(options.marks, options.links, options.runs)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
