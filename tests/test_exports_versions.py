"""Exports and imports across revisions of a document's text: the current version by default, an earlier one on request."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from annotator import exchange, services
from annotator.models import Annotation
from annotator.services import imports, versions

FIRST = "The purge began in 1936. Getty argues the centre restrained local zeal. Others disagree."
SECOND = "Preface added.\n\nThe purge began in 1936. Getty argues the centre restrained local zeal. Khlevniuk: no."


@pytest.fixture
def revised(project, annotator, manager, labels):
    """A document marked on its first version, then revised: one mark is carried, one is orphaned."""
    document = services.add_document(user=manager, project=project, title="Revised", text=FIRST)
    getty = FIRST.index("Getty argues")
    year = FIRST.index("Others disagree")
    carried = services.annotate(
        user=annotator, document=document, start=getty, end=getty + 12, exact="Getty argues", label=labels["claim"]
    )
    orphan = services.annotate(
        user=annotator, document=document, start=year, end=year + 15, exact="Others disagree", label=labels["evidence"]
    )
    versions.add_version(user=manager, document=document, text=SECOND)
    document.refresh_from_db()
    carried.refresh_from_db()
    orphan.refresh_from_db()
    assert (carried.placement, orphan.placement) == ("shifted", "orphaned")
    return document, carried, orphan


def export(tmp_path, **options) -> str:
    path = tmp_path / "out"
    call_command("export_annotations", output=str(path), **options)
    return path.read_text(encoding="utf-8")


def test_exports_hold_the_marks_of_the_current_text_and_match_it_exactly(revised, tmp_path):
    document, carried, orphan = revised
    rows = list(csv.DictReader(io.StringIO(export(tmp_path, document=document.pk, raw=True), newline="")))
    assert [int(r["annotation_id"]) for r in rows] == [carried.pk]  # the orphan's offsets are for the old text
    (row,) = rows
    assert SECOND[int(row["start"]) : int(row["end"])] == row["exact"] == "Getty argues"
    item = json.loads(export(tmp_path, document=document.pk, format="jsonld"))["first"]["items"][0]
    assert item["target"]["source"]["id"].endswith(f"/documents/{document.pk}/versions/2/")


def test_an_earlier_version_is_exported_as_its_marks_stood_on_it(revised, tmp_path):
    document, carried, orphan = revised
    rows = list(
        csv.DictReader(io.StringIO(export(tmp_path, document=document.pk, text_version=1, raw=True), newline=""))
    )
    assert sorted((r["exact"], FIRST[int(r["start"]) : int(r["end"])]) for r in rows) == [
        ("Getty argues", "Getty argues"),
        ("Others disagree", "Others disagree"),
    ]
    collection = json.loads(export(tmp_path, document=document.pk, text_version=1, format="jsonld"))
    assert collection["total"] == 2
    assert all(
        i["target"]["source"]["id"].endswith(f"/documents/{document.pk}/versions/1/")
        for i in collection["first"]["items"]
    )


def test_a_version_needs_its_document_and_must_exist(revised, tmp_path):
    document, _, _ = revised
    with pytest.raises(CommandError, match="needs --document"):
        export(tmp_path, text_version=1)
    with pytest.raises(CommandError, match="no earlier version 7"):
        export(tmp_path, document=document.pk, text_version=7)


def test_imported_marks_land_on_the_current_version_and_show_on_the_page(revised, tmp_path):
    document, carried, orphan = revised
    export(tmp_path, document=document.pk, raw=True)
    carried.delete()
    parsed = exchange.read((tmp_path / "out").read_bytes())
    report = imports.import_marks(rows=parsed.rows)
    assert report.created == 1
    shown = list(Annotation.objects.current(document).in_text_order().select_related("span"))
    assert [(a.span.version, a.span.exact) for a in shown] == [(2, "Getty argues")]
    assert Annotation.objects.count() == 2  # and the orphan still waits to be re-attached
