"""W3C annotations as Hypothesis, RecogitoJS and the W3C's examples write them, placed on our documents (issue 25,
item 7): through exchange.read and services.imports, and the command's dry run, which says how each was placed."""

import json

import pytest
from django.core.management import CommandError, call_command

from annotator import exchange
from annotator.models import Annotation, Link
from annotator.services import imports

from . import other_tools as tools
from .factories import DocumentFactory, SourceFactory


@pytest.fixture
def page(project):
    """The document made from the page Hypothesis's users annotated (its origin is the page's address)."""
    return DocumentFactory(project=project, title="Purge numbers revisited", text=tools.TEXT, origin=tools.PAGE)


def _read(items) -> exchange.Parsed:
    return exchange.read(json.dumps(items).encode())


def _marks():
    return {mark.span.exact: mark for mark in Annotation.objects.select_related("span", "label", "created_by")}


def test_hypothesis_annotations_are_placed_on_the_document_made_from_their_page(page, annotator):
    parsed = _read(
        [
            tools.hypothesis(
                "the centre restrained local zeal", comment="Getty's **central** claim", tags=["purges", "claim"]
            ),
            tools.hypothesis("mass terror", comment="Numbers", tags=["nkvd", "statistics"], shift=3),
            tools.hypothesis("a plan made in Moscow"),  # a highlight: no body at all
        ]
    )
    assert parsed.problems == []
    report = imports.import_marks(
        rows=parsed.rows,
        links=parsed.links,
        project=page.project,  # the file names none
        mapping=imports.Mapping(label="evidence", as_user=annotator),
    )
    assert (report.created, report.reanchored, report.problems) == (2, 1, [])
    marks = _marks()
    claim, terror, plan = (
        marks[t] for t in ("the centre restrained local zeal", "mass terror", "a plan made in Moscow")
    )
    assert {m.span.document for m in marks.values()} == {page}
    # A tag that is one of the project's labels is the label; the other tags, the comment and the creator, the note.
    assert (claim.label.key, claim.created_by) == ("claim", annotator)
    assert claim.note == "Getty's **central** claim\n\nTags: purges\n\nMade by acct:historian@hypothes.is (imported)"
    assert (terror.label.key, terror.note) == (
        "evidence",
        "Numbers\n\nTags: nkvd, statistics\n\nMade by acct:historian@hypothes.is (imported)",
    )
    assert (plan.label.key, plan.note) == ("evidence", "Made by acct:historian@hypothes.is (imported)")
    assert (terror.span.start, terror.span.end) == (
        tools.TEXT.index("mass terror"),
        tools.TEXT.index("mass terror") + 11,
    )
    assert terror.created_at.isoformat() == "2024-03-01T10:15:00.123456+00:00"
    lines = {p.line: p.message for p in report.placed}
    assert lines[1] == (
        f"saved; into “Purge numbers revisited” (by its address https://example.org/purge-numbers); at "
        f"{claim.span.start}–{claim.span.end}, its offsets, where its quote is; labelled “claim”; "
        "by ann (the user chosen for acct:historian@hypothes.is)"
    )
    assert "found by its quote and context (the file says" in lines[2]
    assert "labelled “evidence” (the label chosen: tags nkvd, statistics name no label)" in lines[2]
    assert "labelled “evidence” (the label chosen: no tag)" in lines[3]


def test_without_a_label_or_a_user_chosen_each_annotation_says_what_is_missing(page, annotator):
    parsed = _read([tools.hypothesis("mass terror", tags=["nkvd"]), tools.hypothesis("a plan made in Moscow")])
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_marks(rows=parsed.rows, project=page.project, mapping=imports.Mapping(as_user=annotator))
    assert [str(p) for p in failed.value.report.problems] == [
        "row 1: unknown label “nkvd” in project “Purge project” (its labels: claim, evidence, quotation)",
        "row 2: no label: the annotation has no tagging body naming one of the project's labels; "
        "choose a label for such marks",
    ]
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_marks(rows=parsed.rows, project=page.project, mapping=imports.Mapping(label="claim"))
    assert [str(p) for p in failed.value.report.problems] == [
        "row 1: unknown editor “acct:historian@hypothes.is”",
        "row 2: unknown editor “acct:historian@hypothes.is”",
    ]
    assert not Annotation.objects.exists()


def test_a_page_no_document_comes_from_is_reported(page, annotator):
    parsed = _read([tools.hypothesis("mass terror", page="https://elsewhere.example/other")])
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_marks(
            rows=parsed.rows, project=page.project, mapping=imports.Mapping(label="claim", as_user=annotator)
        )
    assert str(failed.value.report.problems[0]) == (
        "row 1: no document of “Purge project” comes from https://elsewhere.example/other; choose the document to "
        "import into"
    )


def test_recogito_annotations_and_their_relations_go_into_the_document_chosen(page, annotator):
    parsed = _read(
        [
            tools.recogito("a1", "the centre restrained local zeal", tags=["evidence"], comment="Getty"),
            tools.recogito("a2", "Khlevniuk reads the same orders as a plan made in Moscow", tags=["claim"]),
            tools.recogito("a3", "mass terror", tags=["place"]),
            tools.recogito_relation("r1", "a1", "a2", "supports"),
            tools.recogito_relation("r2", "a3", "a2", "is located in"),
        ]
    )
    assert parsed.problems == [] and len(parsed.links) == 2
    report = imports.import_marks(
        rows=parsed.rows,
        links=parsed.links,
        mapping=imports.Mapping(document=page, label="evidence", as_user=annotator, link_type="supports"),
    )
    assert (report.created, report.links_created, report.problems) == (3, 2, [])
    marks = _marks()
    zeal = marks["the centre restrained local zeal"]
    orders = marks["Khlevniuk reads the same orders as a plan made in Moscow"]
    terror = marks["mass terror"]
    assert (zeal.label.key, orders.label.key, terror.label.key) == ("evidence", "claim", "evidence")
    assert zeal.note == "Getty\n\nMade by Rainer (imported)"
    assert terror.note == "Tags: place\n\nMade by Rainer (imported)"
    supports = Link.objects.get(from_annotation=zeal)
    assert (supports.type.key, supports.to_annotation, supports.note) == ("supports", orders, "")
    located = Link.objects.get(from_annotation=terror)
    assert (located.type.key, located.to_annotation, located.created_by) == ("supports", orders, annotator)
    assert located.note == "Relation in the file: is located in"
    assert "into “Purge numbers revisited” (the document chosen)" in report.placed[0].message


def test_a_recogito_relation_without_a_link_type_chosen_is_reported(page, annotator):
    parsed = _read(
        [
            tools.recogito("a1", "the centre restrained local zeal", tags=["evidence"]),
            tools.recogito("a2", "mass terror", tags=["claim"]),
            tools.recogito_relation("r1", "a1", "a2", "is located in"),
            tools.recogito_relation("r2", "a1", "zz", "supports"),
        ]
    )
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_marks(
            rows=parsed.rows, links=parsed.links, mapping=imports.Mapping(document=page, as_user=annotator)
        )
    assert [str(p) for p in failed.value.report.problems] == [
        "row 3: the project has no link type “is located in”",
        "row 4: the link points at a mark that is not imported from this file",
    ]


def test_the_w3c_examples_are_placed_by_quote_by_position_and_inside_refined_by(project, annotator):
    source = SourceFactory(project=project, type="webpage", url=tools.W3C_PAGE)
    page = DocumentFactory(project=project, title="Page one", text=tools.TEXT, source=source)
    parsed = _read(tools.w3c_examples())
    # Example 38's only selector is a position inside refinedBy, which counts from its fragment: it cannot be placed.
    assert [str(p) for p in parsed.problems] == [
        "row 4: the target has no TextQuoteSelector with the exact text, nor a TextPositionSelector"
    ]
    report = imports.import_marks(
        rows=parsed.rows,
        problems=parsed.problems,
        partial=True,
        project=project,
        mapping=imports.Mapping(label="claim", as_user=annotator),
    )
    assert (report.created, report.reanchored, len(report.problems)) == (1, 2, 1)  # quotes alone are found again
    marks = _marks()
    assert {m.span.document for m in marks.values()} == {page}
    assert marks["restrained"].note == "Body: http://example.org/comment1"
    assert marks["Khlevniuk reads the same orders"].note == "Body: http://example.org/review1"
    assert marks["mass terror"].note == "Comment text"
    placed = {p.line: p.message for p in report.placed}
    assert "by its address http://example.org/page1" in placed[1]
    assert "by its position alone (the file gives no quote)" in placed[2]
    assert placed[3].endswith("; its quote is inside refinedBy")
    assert "by ann (the user chosen: no creator in the file)" in placed[3]


def test_a_choice_body_and_a_creators_nickname_are_read():
    [example] = [e for e in tools.w3c_examples() if e["id"].endswith("anno38")]
    example["target"]["selector"]["refinedBy"] = {"type": "TextQuoteSelector", "exact": "mass terror"}
    [row] = _read([example]).rows
    assert (row.tags, row.note, row.annotator, row.document_url) == (
        ("love",),
        "I really love this particular bit of text.",
        "user1",
        tools.W3C_PAGE,
    )


def test_the_commands_dry_run_says_how_each_was_placed_and_saves_nothing(page, annotator, manager, tmp_path, capsys):
    path = tmp_path / "hypothesis.jsonld"
    path.write_text(
        json.dumps(
            [
                tools.hypothesis("mass terror", tags=["nkvd"], shift=3),
                tools.hypothesis("the centre restrained local zeal", tags=["claim"]),
            ]
        )
    )
    call_command(
        "import_annotations",
        str(path),
        dry_run=True,
        user="boss",
        label="evidence",
        as_user="ann",
        project=page.project.name,
    )
    out = capsys.readouterr().out
    assert (
        f"{path}: row 1: saved; into “Purge numbers revisited” (by its address https://example.org/purge-numbers)"
        in out
    )
    assert "found by its quote and context (the file says" in out and "labelled “evidence” (the label chosen" in out
    assert f"{path}: row 2: saved;" in out and "would import 2 mark(s)" in out
    assert not Annotation.objects.exists()
    with pytest.raises(CommandError, match="No user named “ghost”"):
        call_command("import_annotations", str(path), as_user="ghost")
    with pytest.raises(CommandError, match="No document 999"):
        call_command("import_annotations", str(path), document=999)
