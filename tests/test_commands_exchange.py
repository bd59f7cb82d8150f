"""export_annotations and import_annotations, and the round trip: export, import into a fresh copy, export again."""

import csv
import io
import json

import pandas
import pytest
from django.core.management import CommandError, call_command

from annotator import services
from annotator.models import Annotation, Citation, Project, Role, Source, Span
from annotator.seeds import SEED_PROJECT, load_seeds
from annotator.services import sources

from .factories import MembershipFactory

ID_COLUMNS = {"annotation_id", "document_id", "source_ids"}


def export(tmp_path, name="out.csv", **options) -> str:
    path = tmp_path / name
    call_command("export_annotations", output=str(path), **options)
    return path.read_text(encoding="utf-8")


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


SOURCES = [
    dict(
        type="book",
        title="Origins of the Great Purges",
        authors=[{"family": "Getty", "given": "J. Arch"}],
        issued="1985",
        publisher="Cambridge University Press",
        doi="10.1017/CBO9780511572616",
    ),
    dict(
        type="speech",
        title="Collected Works, Vol. 14",
        authors=[{"family": "Stalin", "given": "J. V."}],
        issued="1937-03-05",
    ),
    dict(type="manuscript", title="Politburo protocol", archive="RGASPI", archive_location="f. 17, op. 3, d. 922"),
]


def make_sources(project, manager):
    return [sources.create_source(user=manager, project=project, **fields) for fields in SOURCES]


def mark_up(project, people):
    """Marks on both seed documents: shared spans, overlaps, notes a spreadsheet would run, reviews, citations."""
    labels = {label.key: label for label in project.labels.all()}
    getty, speech, protocol = make_sources(project, people["boss"])
    forum, blog = sorted(project.documents.all(), key=lambda d: d.origin)

    def mark(user, document, exact, label, note="", occurrence=0):
        start = -1
        for _ in range(occurrence + 1):
            start = document.text.index(exact, start + 1)
        return services.annotate(
            user=people[user],
            document=document,
            start=start,
            end=start + len(exact),
            exact=exact,
            label=labels[label],
            note=note,
        )

    quote = mark(
        "editor1", blog, "These comrades do not understand", "quotation", note='=HYPERLINK("x")\nsecond line, "quoted"'
    )
    Citation.objects.create(annotation=quote, source=speech, locator="pp. 241-276", note="the speech")
    Citation.objects.create(annotation=quote, source=protocol, locator="f. 17, op. 3, d. 922, ll. 50-55")
    claim = mark("editor2", blog, "These comrades do not understand", "claim")
    Citation.objects.create(annotation=claim, source=getty)
    mark("editor1", forum, "Stalin is unseated by Sheila Fitzpatrick’s “new” nomenklatura", "claim", occurrence=1)
    evidence = mark("editor2", forum, "Sheila Fitzpatrick", "evidence", note="-1 @ overlap")
    services.review_annotation(user=people["rev"], annotation=claim, status="accepted", note="+ fine")
    services.review_annotation(user=people["rev"], annotation=evidence, status="rejected", note="too short")
    return forum, blog


def fresh_copy_of_the_seeds(people, with_sources):
    """An empty project again, as in a new database: same documents and people, new ids for everything."""
    Annotation.objects.all().delete()  # marks and labels, and citations and sources, protect each other
    Source.objects.all().delete()
    Project.objects.all().delete()
    project, _ = load_seeds(manager=people["boss"])
    for name, role in [("editor1", Role.ANNOTATOR), ("editor2", Role.ANNOTATOR), ("rev", Role.REVIEWER)]:
        MembershipFactory(user=people[name], project=project, role=role)
    if with_sources:
        make_sources(project, people["boss"])
    return project


def without_ids(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ID_COLUMNS} for r in rows]


def strip_ids(value):
    """The JSON-LD without its "id"s (those of annotations, documents and sources are ids of the database)."""
    if isinstance(value, dict):
        return {k: strip_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [strip_ids(v) for v in value]
    return value


def test_the_csv_round_trip_gives_back_the_same_file_but_for_ids(team, tmp_path):
    project, people = team
    mark_up(project, people)
    first = export(tmp_path, "first.csv", raw=True)
    assert len(csv_rows(first)) == 4
    fresh_copy_of_the_seeds(people, with_sources=True)
    call_command("import_annotations", str(tmp_path / "first.csv"))
    second = export(tmp_path, "second.csv", raw=True)
    assert without_ids(csv_rows(second)) == without_ids(csv_rows(first))
    assert csv_rows(second)[0]["annotation_id"] != csv_rows(first)[0]["annotation_id"]
    call_command("check_integrity")  # what the import stored keeps every invariant (it raises if not)


def test_the_jsonld_round_trip_gives_back_the_same_file_but_for_ids_and_makes_the_sources(team, tmp_path):
    project, people = team
    mark_up(project, people)
    first = json.loads(export(tmp_path, "first.jsonld", format="jsonld"))
    fresh_copy_of_the_seeds(people, with_sources=False)
    call_command("import_annotations", str(tmp_path / "first.jsonld"))
    assert Source.objects.count() == 3
    second = json.loads(export(tmp_path, "second.jsonld", format="jsonld"))
    assert second["total"] == 4
    assert strip_ids(second) == strip_ids(first)
    call_command("check_integrity")


def test_a_spreadsheet_safe_csv_round_trips_with_its_flag(team, tmp_path):
    project, people = team
    mark_up(project, people)
    first = export(tmp_path, "first.csv")
    assert "'=HYPERLINK" in first
    fresh_copy_of_the_seeds(people, with_sources=True)
    call_command("import_annotations", str(tmp_path / "first.csv"), spreadsheet_safe=True)
    assert without_ids(csv_rows(export(tmp_path, "second.csv"))) == without_ids(csv_rows(first))
    assert Annotation.objects.filter(note__startswith="=HYPERLINK").count() == 1


def test_every_exported_mark_reads_back_in_pandas_with_text_equal_to_the_document(team, tmp_path):
    project, people = team
    mark_up(project, people)
    frame = pandas.read_csv(io.StringIO(export(tmp_path, raw=True)), dtype=str, keep_default_na=False)
    texts = {d.pk: d.text for d in project.documents.all()}
    for _, r in frame.iterrows():
        assert texts[int(r["document_id"])][int(r["start"]) : int(r["end"])] == r["exact"]
    assert set(frame["source_citations"]) >= {
        "Stalin, J. V. (1937-03-05). Collected Works, Vol. 14, pp. 241-276 | Politburo protocol, f. 17, op. 3, d. 922, ll. 50-55"
    }


def test_export_filters_combine(team, tmp_path):
    project, people = team
    forum, _ = mark_up(project, people)
    by_document = csv_rows(export(tmp_path, project=SEED_PROJECT, document=forum.pk))
    assert {r["document_id"] for r in by_document} == {str(forum.pk)} and len(by_document) == 2
    assert [r["status"] for r in csv_rows(export(tmp_path, project=str(project.pk), status="accepted"))] == ["accepted"]
    assert {r["label"] for r in csv_rows(export(tmp_path, label="claim"))} == {"claim"}
    assert {r["annotator"] for r in csv_rows(export(tmp_path, editor="editor2", label="claim"))} == {"editor2"}


def test_export_writes_to_stdout_without_a_file(team, capsys):
    project, people = team
    mark_up(project, people)
    call_command("export_annotations", "--status", "rejected")
    assert [r["note"] for r in csv_rows(capsys.readouterr().out)] == ["'-1 @ overlap"]


@pytest.mark.parametrize(
    "options,message",
    [
        ({"project": "Nope"}, "No project named"),
        ({"document": 999999}, "No document 999999"),
        ({"label": "opinion"}, "No label with the key “opinion”"),
        ({"editor": "ghost"}, "No user named “ghost”"),
    ],
)
def test_export_refuses_filters_that_name_nothing(team, tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        export(tmp_path, **options)


def test_import_reports_every_bad_row_and_imports_nothing(team, tmp_path, capsys):
    project, people = team
    mark_up(project, people)
    rows = csv_rows(export(tmp_path, raw=True))
    rows[1]["label"] = "opinion"
    rows[3]["document_title"] = "Lost"
    rows[3]["document_id"] = "0"
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    Project.objects.get().documents.get(pk=rows[0]["document_id"]).spans.all().delete()
    before = Annotation.objects.count()
    with pytest.raises(CommandError, match="Nothing was imported: 2 row"):
        call_command("import_annotations", str(path))
    err = capsys.readouterr().err
    assert f"row {_line_of(path, 1)}: unknown label “opinion”" in err
    assert f"row {_line_of(path, 3)}: unknown document “Lost”" in err
    assert Annotation.objects.count() == before
    with pytest.raises(CommandError, match="2 row"):
        call_command("import_annotations", str(path), partial=True)
    assert (
        "imported 1 mark(s) (1 at their offsets, 0 found again by their text), 1 already there"
        in capsys.readouterr().out
    )
    assert Annotation.objects.count() == before + 1


def _line_of(path, index):
    """The line of the file on which data row `index` (0-based) starts."""
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    ended = reader.line_num
    for i, _ in enumerate(reader):
        if i == index:
            return ended + 1
        ended = reader.line_num


def test_import_refuses_a_file_that_is_not_utf8(team, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("annotation_id,project\r\n1,Café\r\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"not UTF-8: byte 28 \(0xe9\)"):
        call_command("import_annotations", str(path))


def test_import_refuses_a_missing_file_and_unknown_options(team, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_annotations", str(tmp_path / "none.csv"))
    export(tmp_path)
    with pytest.raises(CommandError, match="No project named “Nope”"):
        call_command("import_annotations", str(tmp_path / "out.csv"), project="Nope")
    with pytest.raises(CommandError, match="No user named “ghost”"):
        call_command("import_annotations", str(tmp_path / "out.csv"), user="ghost")


def test_import_as_a_user_needs_a_manager(team, tmp_path):
    project, people = team
    mark_up(project, people)
    export(tmp_path, raw=True)
    Span.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("import_annotations", str(tmp_path / "out.csv"), user="editor1")
    assert not Annotation.objects.exists()
    call_command("import_annotations", str(tmp_path / "out.csv"), user="boss")
    assert Annotation.objects.count() == 4


def test_a_dry_run_saves_nothing(team, tmp_path, capsys):
    project, people = team
    mark_up(project, people)
    export(tmp_path, raw=True)
    Span.objects.all().delete()
    call_command("import_annotations", str(tmp_path / "out.csv"), dry_run=True)
    assert "would import 4 mark(s)" in capsys.readouterr().out
    assert not Annotation.objects.exists()
