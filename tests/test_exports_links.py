"""Links leave the app beside the marks: a links CSV, and 'linking' annotations in the JSON-LD."""

import csv
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Link, Source
from annotator.services import links as link_services

from . import w3c_model
from .conftest import client_for


def _linked(document, annotator, labels):
    text = document.text
    claim = services.annotate(
        user=annotator, document=document, start=0, end=10, exact=text[:10], label=labels["claim"]
    )
    start = text.index("Getty")
    evidence = services.annotate(
        user=annotator, document=document, start=start, end=start + 5, exact="Getty", label=labels["evidence"]
    )
    quote = services.annotate(
        user=annotator,
        document=document,
        start=start + 6,
        end=start + 12,
        exact=text[start + 6 : start + 12],
        label=labels["quotation"],
    )
    types = {t.key: t for t in document.project.link_types.all()}
    supports = link_services.create_link(
        user=annotator, from_annotation=evidence, type=types["supports"], to_annotation=claim, note="=1+1"
    )
    said = link_services.create_link(
        user=annotator, from_annotation=quote, type=types["attributed-to"], speaker="J. V. Stalin"
    )
    return claim, evidence, quote, supports, said


def test_the_links_csv_lists_each_link_with_its_targets(document, annotator, labels):
    claim, evidence, quote, supports, said = _linked(document, annotator, labels)
    response = client_for(annotator).get(reverse("document_export", args=[document.pk]), {"format": "links-csv"})
    assert response["Content-Disposition"].endswith('-links.csv"')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert [(r["link_id"], r["type"], r["from_annotation_id"], r["to_annotation_id"], r["speaker"]) for r in rows] == [
        (str(supports.pk), "supports", str(evidence.pk), str(claim.pk), ""),
        (str(said.pk), "attributed-to", str(quote.pk), "", "J. V. Stalin"),
    ]
    assert rows[0]["note"] == "'=1+1" and rows[0]["author"] == "ann"


def test_the_command_writes_the_links_csv_raw(document, annotator, labels, tmp_path):
    _linked(document, annotator, labels)
    out = tmp_path / "links.csv"
    call_command("export_annotations", format="links-csv", raw=True, output=str(out))
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["note"] for r in rows] == ["=1+1", ""]


def test_links_are_linking_annotations_in_the_jsonld_and_pass_the_checker(document, annotator, labels):
    claim, evidence, quote, supports, said = _linked(document, annotator, labels)
    response = client_for(annotator).get(reverse("project_export", args=[document.project_id]), {"format": "jsonld"})
    collection = json.loads(b"".join(response.streaming_content))
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == 5
    links = [i for i in items if i["motivation"] == "linking"]
    assert [link["target"] for link in links] == [
        [f"http://testserver/annotations/{evidence.pk}/", f"http://testserver/annotations/{claim.pk}/"],
        [f"http://testserver/annotations/{quote.pk}/"],
    ]
    assert links[0]["body"][0] == {
        "type": "TextualBody",
        "purpose": "classifying",
        "value": "supports",
        "format": "text/plain",
    }
    assert {"type": "TextualBody", "purpose": "identifying", "value": "J. V. Stalin", "format": "text/plain"} in links[
        1
    ]["body"]
    assert w3c_model.problems(collection) == []
    for link in links:
        assert w3c_model.problems(link) == []


# The round trip of links: export JSON-LD, import into a fresh copy, export again --------------------

from .test_commands_exchange import export, fresh_copy_of_the_seeds, mark_up, strip_ids  # noqa: E402


def link_up(project, people):
    marks = {(a.label.key, a.created_by.username): a for a in Annotation.objects.select_related("label", "created_by")}
    types = {t.key: t for t in project.link_types.all()}
    getty = Source.objects.get(doi__startswith="10.1017")
    quote, claim_blog = marks[("quotation", "editor1")], marks[("claim", "editor2")]
    claim_forum, evidence = marks[("claim", "editor1")], marks[("evidence", "editor2")]
    supports = link_services.create_link(
        user=people["editor2"],
        from_annotation=evidence,
        type=types["supports"],
        to_annotation=claim_forum,
        note="see the thread",
    )
    link_services.review_link(user=people["rev"], link=supports, status="accepted")
    link_services.create_link(
        user=people["editor1"], from_annotation=claim_blog, type=types["quotes"], to_annotation=quote
    )
    link_services.create_link(
        user=people["editor1"], from_annotation=quote, type=types["attributed-to"], speaker="J. V. Stalin"
    )
    # By someone who made no mark in the file: the import must still know them.
    link_services.create_link(user=people["boss"], from_annotation=quote, type=types["attributed-to"], to_source=getty)


def described(collection):
    """Each link with its marks named by their text, label and author rather than their ids."""
    marks = {
        i["id"]: (i["target"]["selector"][1]["exact"], i["body"][0]["value"], i["creator"]["nickname"])
        for i in collection["first"]["items"]
        if i["motivation"] == "tagging"
    }
    return sorted(
        (
            (
                i["body"][0]["value"],
                marks[i["target"][0]],
                marks.get(i["target"][1])
                if len(i["target"]) > 1 and i["target"][1] in marks
                else (i["target"][1] if len(i["target"]) > 1 else None),
                strip_ids(i["body"][1:]),
                i["creator"]["nickname"],
                i["reviewStatus"],
                i["created"],
            )
            for i in collection["first"]["items"]
            if i["motivation"] == "linking"
        ),
        key=repr,
    )


def test_links_make_the_round_trip_through_jsonld(team, tmp_path):
    project, people = team
    mark_up(project, people)
    link_up(project, people)
    first = json.loads(export(tmp_path, "first.jsonld", format="jsonld"))
    assert first["total"] == 8
    links = described(first)
    assert [link[0] for link in links] == ["attributed-to", "attributed-to", "quotes", "supports"]
    supports = links[-1]
    assert supports[1] == ("Sheila Fitzpatrick", "evidence", "editor2") and supports[2][1:] == ("claim", "editor1")
    assert supports[4:6] == ("editor2", "accepted")
    assert "boss" in [link[4] for link in links]
    assert "https://doi.org/10.1017/cbo9780511572616" in [link[2] for link in links]
    fresh_copy_of_the_seeds(people, with_sources=False)
    call_command("import_annotations", str(tmp_path / "first.jsonld"))
    assert Link.objects.count() == 4
    second = json.loads(export(tmp_path, "second.jsonld", format="jsonld"))
    assert second["total"] == 8
    assert described(second) == described(first)
    accepted = Link.objects.get(status="accepted")
    assert accepted.history.first().history_change_reason == "Imported as accepted"
    call_command("check_integrity")
    # Importing the same file again changes nothing.
    call_command("import_annotations", str(tmp_path / "first.jsonld"))
    assert Link.objects.count() == 4


@pytest.mark.parametrize("file_format", ["jsonld", "csv"])
def test_a_dry_run_reports_the_links_and_sources_the_import_makes_and_saves_nothing(
    team, tmp_path, capsys, file_format
):
    # The dry run counted marks only: "0 link(s) made" where the import then made them.
    project, people = team
    mark_up(project, people)
    link_up(project, people)
    if file_format == "jsonld":
        export(tmp_path, "marks.jsonld", format="jsonld")
        files, options = [str(tmp_path / "marks.jsonld")], {}
    else:
        export(tmp_path, "marks.csv", raw=True)
        export(tmp_path, "links.csv", raw=True, format="links-csv")
        files, options = [str(tmp_path / "marks.csv")], {"links": str(tmp_path / "links.csv")}
    fresh_copy_of_the_seeds(people, with_sources=file_format == "csv")
    sources_before = Source.objects.count()
    call_command("import_annotations", *files, dry_run=True, **options)
    dry = capsys.readouterr().out
    assert not Annotation.objects.exists() and not Link.objects.exists() and Source.objects.count() == sources_before
    call_command("import_annotations", *files, **options)
    real = capsys.readouterr().out
    assert "4 link(s) made" in real
    # The dry run says how each mark would be placed (issue 25), then what the import says.
    placements = [line for line in dry.splitlines(keepends=True) if ": row " in line]
    assert len(placements) == Annotation.objects.count()
    assert (
        "".join(line for line in dry.splitlines(keepends=True) if line not in placements).replace(
            "would import", "imported"
        )
        == real
    )


def test_a_link_whose_mark_is_not_in_the_file_is_reported_and_nothing_is_imported(team, tmp_path, capsys):
    project, people = team
    mark_up(project, people)
    link_up(project, people)
    collection = json.loads(export(tmp_path, "first.jsonld", format="jsonld"))
    # Drop the forum claim: the "supports" link now points at a mark the file does not hold.
    collection["first"]["items"] = [
        i
        for i in collection["first"]["items"]
        if not (
            i["motivation"] == "tagging" and i["body"][0]["value"] == "claim" and i["creator"]["nickname"] == "editor1"
        )
    ]
    collection["total"] = len(collection["first"]["items"])
    (tmp_path / "broken.jsonld").write_text(json.dumps(collection), encoding="utf-8")
    fresh_copy_of_the_seeds(people, with_sources=False)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_annotations", str(tmp_path / "broken.jsonld"))
    assert "points at a mark that is not imported from this file" in capsys.readouterr().err
    assert not Annotation.objects.exists() and not Link.objects.exists()


def described_csv(marks_csv: str, links_csv: str):
    marks = {
        r["annotation_id"]: (r["exact"], r["label"], r["annotator"])
        for r in csv.DictReader(io.StringIO(marks_csv, newline=""))
    }
    sources = {}
    for r in csv.DictReader(io.StringIO(marks_csv, newline="")):
        for source_id, citation in zip(r["source_ids"].split(" | "), r["source_citations"].split(" | ")):
            sources[source_id] = citation.split(",")[0]
    return sorted(
        (
            (
                r["type"],
                marks[r["from_annotation_id"]],
                marks.get(r["to_annotation_id"]),
                sources.get(r["to_source_id"]),
                r["speaker"],
                r["note"],
                r["author"],
                r["status"],
            )
            for r in csv.DictReader(io.StringIO(links_csv, newline=""))
        ),
        key=repr,
    )


def test_links_make_the_round_trip_through_the_two_csv_files(team, tmp_path):
    project, people = team
    mark_up(project, people)
    link_up(project, people)
    marks_first = export(tmp_path, "marks.csv", raw=True)
    links_first = export(tmp_path, "links.csv", raw=True, format="links-csv")
    before = described_csv(marks_first, links_first)
    assert len(before) == 4 and before[-1][0] == "supports"
    assert any(row[3] and row[3].startswith("Getty") for row in before)  # the attribution to a source survives
    fresh_copy_of_the_seeds(people, with_sources=True)
    call_command("import_annotations", str(tmp_path / "marks.csv"), links=str(tmp_path / "links.csv"))
    after = described_csv(
        export(tmp_path, "marks2.csv", raw=True), export(tmp_path, "links2.csv", raw=True, format="links-csv")
    )
    assert after == before
    call_command("check_integrity")


def test_a_links_csv_with_an_unknown_type_imports_nothing(team, tmp_path, capsys):
    project, people = team
    mark_up(project, people)
    link_up(project, people)
    export(tmp_path, "marks.csv", raw=True)
    links = export(tmp_path, "links.csv", raw=True, format="links-csv").replace(",supports,", ",contradicts,")
    (tmp_path / "links.csv").write_text(links, encoding="utf-8")
    fresh_copy_of_the_seeds(people, with_sources=True)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_annotations", str(tmp_path / "marks.csv"), links=str(tmp_path / "links.csv"))
    assert "no link type “contradicts”" in capsys.readouterr().err
    assert not Annotation.objects.exists() and not Link.objects.exists()


@pytest.mark.parametrize(
    "links,message",
    [(b"", "The links file is empty"), (b"\xff", "not UTF-8"), (b"id,text\r\n", "links CSV header lacks link_id")],
)
def test_a_links_file_that_cannot_be_read_is_named_in_the_error_and_nothing_is_imported(team, tmp_path, links, message):
    project, people = team
    mark_up(project, people)
    export(tmp_path, "marks.csv", raw=True)
    (tmp_path / "links.csv").write_bytes(links)
    Annotation.objects.all().delete()
    with pytest.raises(CommandError, match=f"^{re.escape(str(tmp_path / 'links.csv'))}: .*{message}"):
        call_command("import_annotations", str(tmp_path / "marks.csv"), links=str(tmp_path / "links.csv"))
    assert not Annotation.objects.exists()


def test_a_partial_import_reports_a_link_of_an_unknown_type_and_imports_the_rest(team, tmp_path, capsys):
    # Found by the import fuzzer: with --partial, a link whose type the project lacks went on to its save and failed.
    project, people = team
    mark_up(project, people)
    link_up(project, people)
    export(tmp_path, "marks.csv", raw=True)
    links = export(tmp_path, "links.csv", raw=True, format="links-csv").replace(",supports,", ",,")
    (tmp_path / "links.csv").write_text(links, encoding="utf-8")
    fresh_copy_of_the_seeds(people, with_sources=True)
    with pytest.raises(CommandError, match="were not imported"):  # the command says so, and exits non-zero
        call_command("import_annotations", str(tmp_path / "marks.csv"), "--partial", links=str(tmp_path / "links.csv"))
    assert "no link type" in capsys.readouterr().err
    assert Annotation.objects.exists() and not Link.objects.filter(type__key="").exists()


def test_a_filtered_export_leaves_out_links_to_marks_it_leaves_out_and_imports_whole(team, tmp_path):
    project, people = team
    mark_up(project, people)
    link_up(project, people)
    only_quotes = json.loads(export(tmp_path, "quotes.jsonld", format="jsonld", label="quotation"))
    kinds = [i["body"][0]["value"] for i in only_quotes["first"]["items"] if i["motivation"] == "linking"]
    assert kinds == ["attributed-to", "attributed-to"]  # "supports" and "quotes" end at marks left out
    # The bibliography is there (the file's marks do not cite Getty, whom one attribution names).
    fresh_copy_of_the_seeds(people, with_sources=True)
    call_command("import_annotations", str(tmp_path / "quotes.jsonld"))
    assert Link.objects.count() == 2


def test_a_link_that_fails_after_the_marks_were_saved_rolls_everything_back(team, tmp_path, capsys):
    project, people = team
    mark_up(project, people)
    link_up(project, people)
    collection = json.loads(export(tmp_path, "first.jsonld", format="jsonld"))
    for item in collection["first"]["items"]:
        if item["motivation"] == "linking" and len(item["target"]) == 2 and "doi.org" in item["target"][1]:
            item["target"][1] = "https://doi.org/10.9999/nowhere"
    (tmp_path / "bad.jsonld").write_text(json.dumps(collection), encoding="utf-8")
    fresh_copy_of_the_seeds(people, with_sources=False)
    with pytest.raises(CommandError):
        call_command("import_annotations", str(tmp_path / "bad.jsonld"))
    assert "a source the project does not have" in capsys.readouterr().err
    assert not Annotation.objects.exists() and not Link.objects.exists() and not Source.objects.exists()
