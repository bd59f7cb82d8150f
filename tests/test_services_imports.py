"""Importing marks: matching rows to projects, documents, labels, people and sources; all or nothing; re-runs."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from annotator.exchange import readers
from annotator.exchange.readers import ImportCitation, ImportRow
from annotator.models import Annotation, Citation, Document, Role, Source, Span, Status
from annotator.services import imports

from .factories import DocumentFactory, MembershipFactory, ProjectFactory, SourceFactory

WHEN = datetime(2024, 3, 1, 10, 15, tzinfo=UTC)


def row(document, start, end, **changes) -> ImportRow:
    text = document.text
    base = ImportRow(
        line=2,
        project=document.project.name,
        document_id=document.pk,
        document_title=document.title,
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - 32) : start],
        suffix=text[end : end + 32],
        label="claim",
        note="",
        annotator="ann",
        status="pending",
        reviewer="",
        reviewed_at=None,
        review_note="",
        citations=(),
        created_at=WHEN,
        updated_at=WHEN,
    )
    return replace(base, **changes)


def test_a_row_becomes_a_mark_with_its_review_state_and_times(document, annotator, reviewer):
    report = imports.import_marks(
        rows=[
            row(
                document,
                0,
                10,
                note="n",
                status="accepted",
                reviewer="rev",
                reviewed_at=WHEN,
                review_note="ok",
            )
        ]
    )
    assert (report.created, report.reanchored, report.unchanged, report.problems) == (1, 0, 0, [])
    mark = Annotation.objects.select_related("span", "label").get()
    assert (mark.span.document, mark.span.start, mark.span.end, mark.span.exact) == (
        document,
        0,
        10,
        document.text[:10],
    )
    assert (mark.label.key, mark.note, mark.created_by, mark.status, mark.reviewed_by, mark.review_note) == (
        "claim",
        "n",
        annotator,
        Status.ACCEPTED,
        reviewer,
        "ok",
    )
    assert mark.created_at == mark.updated_at == mark.reviewed_at == WHEN
    assert mark.history.count() == 1
    assert Document.objects.get(pk=document.pk).revision == 1  # open pages redraw


def test_a_pending_row_of_an_older_export_is_imported_without_the_review_it_carried(document, annotator):
    # Exports made before a pending mark lost its old review carry one; the reviewer need not even exist here.
    report = imports.import_marks(rows=[row(document, 0, 10, reviewer="gone", reviewed_at=WHEN, review_note="ok")])
    assert (report.created, report.problems) == (1, [])
    mark = Annotation.objects.get()
    assert (mark.status, mark.reviewed_by, mark.reviewed_at, mark.review_note) == ("pending", None, None, "")


def test_a_mark_whose_text_moved_is_placed_by_its_context(document, annotator):
    moved = row(document, 11, 24)
    report = imports.import_marks(rows=[replace(moved, start=5, end=18)])
    assert (report.created, report.reanchored) == (0, 1)
    assert Span.objects.get().start == 11


def test_a_row_is_matched_to_its_document_by_title_when_ids_differ(document, annotator):
    DocumentFactory(project=document.project, title="Another", text="Something else entirely.")
    imports.import_marks(rows=[row(document, 0, 3, document_id=999)])
    assert Span.objects.get().document == document


def test_running_an_import_again_changes_nothing(document, annotator):
    rows = [row(document, 0, 10), row(document, 11, 24, label="evidence")]
    imports.import_marks(rows=rows)
    again = imports.import_marks(rows=rows)
    assert (again.saved, again.unchanged) == (0, 2)
    assert Annotation.objects.count() == 2
    assert Document.objects.get(pk=document.pk).revision == 1


@pytest.mark.parametrize(
    "change,message",
    [
        (
            {"label": "opinion"},
            "unknown label “opinion” in project “Purge project” (its labels: claim, evidence, quotation)",
        ),
        ({"document_title": "Missing", "document_id": 999}, "unknown document “Missing” in project “Purge project”"),
        ({"project": "Nowhere"}, "unknown project “Nowhere”"),
        ({"annotator": "nobody"}, "unknown editor “nobody”"),
        ({"annotator": "outsider"}, "“outsider” is not a member of project “Purge project”"),
        ({"reviewer": "ghost", "status": "accepted"}, "unknown reviewer “ghost”"),
        (
            {"exact": "not in the text", "start": 0, "end": 15},
            "cannot be placed in “Sample”: its text is not in the document",
        ),
        (
            {"citations": (ImportCitation(reference="Conquest (1968). The Great Terror", source_id=1),)},
            "no source in project “Purge project” matches the citation “Conquest (1968). The Great Terror”",
        ),
    ],
)
def test_a_row_that_cannot_be_imported_stops_the_whole_import(document, annotator, outsider, change, message):
    rows = [row(document, 0, 10), replace(row(document, 11, 24), line=3, **change)]
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_marks(rows=rows)
    assert [str(p) for p in failed.value.report.problems] == [f"row 3: {message}"]
    assert not Annotation.objects.exists() and not Span.objects.exists()
    assert Document.objects.get(pk=document.pk).revision == 0


def test_partial_imports_the_rows_that_can_be_and_reports_the_others(document, annotator):
    rows = [row(document, 0, 10), replace(row(document, 11, 24), line=3, label="opinion")]
    parsed_problem = readers.Problem(4, "start must be a whole number")
    report = imports.import_marks(rows=rows, problems=[parsed_problem], partial=True)
    assert report.created == 1
    assert [p.line for p in report.problems] == [3, 4]
    assert Annotation.objects.count() == 1


def test_a_dry_run_reports_and_saves_nothing(document, annotator):
    report = imports.import_marks(rows=[row(document, 0, 10)], dry_run=True)
    assert report.created == 1 and not Annotation.objects.exists()
    imports.import_marks(rows=[row(document, 0, 10)])
    again = imports.import_marks(
        rows=[row(document, 0, 10), replace(row(document, 11, 24), start=5, end=18)], dry_run=True
    )
    assert (again.created, again.reanchored, again.unchanged) == (0, 1, 1)
    assert Annotation.objects.count() == 1


def test_a_renamed_document_is_found_by_its_id_only_where_the_text_is_the_marks(document, annotator):
    imports.import_marks(rows=[row(document, 0, 10, document_title="Old title")])
    assert Span.objects.get().document == document
    with pytest.raises(imports.ImportFailed, match="1 row"):
        imports.import_marks(rows=[replace(row(document, 11, 24, document_title="Old title"), start=0, end=13)])


def test_rows_can_be_sent_to_another_project(document, annotator):
    other = ProjectFactory(name="Copy")
    copy = DocumentFactory(project=other, title=document.title, text=document.text)
    MembershipFactory(user=annotator, project=other, role=Role.ANNOTATOR)
    imports.import_marks(rows=[row(document, 0, 10)], project=other)
    assert Span.objects.get().document == copy


def test_only_a_manager_of_the_project_may_import_into_it(document, annotator, manager):
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_marks(user=annotator, rows=[row(document, 0, 10)])
    assert "only the managers of “Purge project” may import" in str(failed.value.report.problems[0])
    imports.import_marks(user=manager, rows=[row(document, 0, 10)])
    mark = Annotation.objects.get()
    assert mark.created_by == annotator and mark.history.get().history_user == manager


def test_csv_citations_are_matched_to_the_projects_sources(document, annotator):
    getty = SourceFactory(
        project=document.project, title="Origins", authors=[{"family": "Getty", "given": "J."}], issued="1985"
    )
    SourceFactory(
        project=ProjectFactory(name="Other"),
        title="Origins",
        authors=[{"family": "Getty", "given": "J."}],
        issued="1985",
    )
    citations = (
        ImportCitation(reference="Getty, J. (1985). Origins, pp. 113-138", source_id=4242),
        ImportCitation(reference="Getty, J. (1985). Origins", source_id=getty.pk),
    )
    imports.import_marks(rows=[row(document, 0, 10, citations=citations)])
    assert list(Citation.objects.values_list("source", "locator")) == [(getty.pk, "pp. 113-138"), (getty.pk, "")]


def test_two_sources_that_read_the_same_are_not_guessed_between(document, annotator):
    # (The source id in the file would settle it, but it names no source here.)
    for _ in range(2):
        SourceFactory(project=document.project, title="Report", authors=[], issued="")
    with pytest.raises(imports.ImportFailed) as failed:
        imports.import_marks(
            rows=[row(document, 0, 10, citations=(ImportCitation(reference="Report", source_id=99999),))]
        )
    assert "2 sources of project “Purge project” read “Report”" in str(failed.value.report.problems[0])


CSL = {
    "type": "book",
    "title": "The Great Terror",
    "author": [{"family": "Conquest", "given": "Robert"}],
    "issued": {"date-parts": [[1968]]},
    "publisher": "Macmillan",
}


def test_jsonld_citations_make_their_source_once_when_the_project_lacks_it(document, annotator):
    cite = ImportCitation(reference="Conquest", locator="ch. 2", note="n", iri="https://x.example/s/1", csl=CSL)
    report = imports.import_marks(
        rows=[row(document, 0, 10, citations=(cite,)), row(document, 11, 24, citations=(cite,))]
    )
    source = Source.objects.get()
    assert report.sources_created == 1
    assert (source.project, source.title, str(source.issued), source.publisher, source.authors) == (
        document.project,
        "The Great Terror",
        "1968",
        "Macmillan",
        CSL["author"],
    )
    assert list(Citation.objects.values_list("locator", "note")) == [("ch. 2", "n"), ("ch. 2", "n")]


def test_jsonld_citations_reuse_a_source_with_the_same_doi(document, annotator):
    existing = SourceFactory(project=document.project, title="Other title", doi="10.1/abc")
    cite = ImportCitation(reference="", locator="", iri="https://doi.org/10.1/abc", csl={**CSL, "DOI": "10.1/abc"})
    report = imports.import_marks(rows=[row(document, 0, 10, citations=(cite,))])
    assert report.sources_created == 0 and Citation.objects.get().source == existing


def test_two_rows_citing_one_doi_make_one_source_even_if_their_records_differ(document, annotator):
    first = ImportCitation(reference="", locator="", iri="https://doi.org/10.1/xyz", csl={**CSL, "DOI": "10.1/xyz"})
    second = replace(first, csl={**CSL, "DOI": "10.1/XYZ", "publisher": "Another"})
    report = imports.import_marks(
        rows=[row(document, 0, 10, citations=(first,)), row(document, 11, 24, citations=(second,))]
    )
    assert report.sources_created == 1 and Citation.objects.count() == 2


def test_a_citation_given_only_by_its_doi_address_finds_its_source(document, annotator):
    existing = SourceFactory(
        project=document.project, title="Wiley", doi="10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0"
    )
    cite = ImportCitation(
        reference="",
        locator="p. 1",
        iri="https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0",
    )
    imports.import_marks(rows=[row(document, 0, 10, citations=(cite,))])
    assert Citation.objects.get().source == existing


def test_a_cited_source_without_a_title_is_refused(document, annotator):
    cite = ImportCitation(reference="", locator="", iri="https://x.example/1", csl={"type": "book"})
    with pytest.raises(imports.ImportFailed, match="1 row"):
        imports.import_marks(rows=[row(document, 0, 10, citations=(cite,))])
    assert not Source.objects.exists()


def test_a_mark_already_there_by_someone_else_is_added_beside_it(document, annotator, annotator2):
    imports.import_marks(rows=[row(document, 0, 10)])
    imports.import_marks(rows=[row(document, 0, 10, annotator="ann2")])
    assert Span.objects.count() == 1 and Annotation.objects.count() == 2


def test_ids_in_the_file_never_reach_another_projects_document(document, annotator):
    foreign = DocumentFactory(project=ProjectFactory(name="Secret"), title="Secret doc", text=document.text)
    with pytest.raises(imports.ImportFailed):
        imports.import_marks(rows=[row(document, 0, 10, document_id=foreign.pk, document_title="Secret doc")])
    assert not Span.objects.filter(document=foreign).exists()


def test_a_partial_import_leaves_out_a_link_it_reported_and_saves_the_marks(document, annotator, annotator2):
    # The link's problem was reported, then the link was saved all the same: KeyError on its unknown author.
    rows = [replace(row(document, 0, 10), iri="mark:1"), replace(row(document, 11, 24, line=3), iri="mark:2")]
    link = readers.ImportLink(
        line=4, type="same-as", from_iri="mark:1", to_iri="mark:2", speaker="", note="", author="", status="pending"
    )
    report = imports.import_marks(rows=rows, links=[link], partial=True)
    assert (report.created, report.links_created) == (2, 0)
    assert [str(p) for p in report.problems] == ["row 4: the link names no creator; choose a user"]


def test_an_imports_links_are_checked_one_by_one_and_saved_at_once(document, annotator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotator.models import Link

    places = [(0, 10), (11, 24), (25, 40), (41, 55), (56, 70)]
    rows = [
        replace(row(document, s, e, line=n + 2, label="evidence" if n == 0 else "claim"), iri=f"mark:{n + 1}")
        for n, (s, e) in enumerate(places)
    ]

    def supports(line, to, status="pending"):
        return readers.ImportLink(
            line=line,
            type="supports",
            from_iri="mark:1",
            to_iri=f"mark:{to}",
            speaker="",
            note="",
            author="ann",
            status=status,
            created_at=WHEN,
        )

    def queries(links):
        Annotation.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            report = imports.import_marks(rows=rows, links=links, partial=True)
        return report, len(captured)

    one, few = queries([supports(10, 2)]), queries([supports(10, 2), supports(11, 3), supports(12, 4), supports(13, 5)])
    assert (one[0].links_created, few[0].links_created) == (1, 4)
    assert few[1] == one[1]  # three links more, not one query more
    wrong_way = readers.ImportLink(
        line=14,
        type="supports",
        from_iri="mark:2",
        to_iri="mark:1",
        speaker="",
        note="",
        author="ann",
        status="pending",
    )
    report, _ = queries([supports(10, 2, "accepted"), supports(11, 2), wrong_way])
    assert (report.links_created, report.links_unchanged) == (1, 1)  # the file's second copy of it is no new link
    assert [p.line for p in report.problems] == [14]
    link = Link.objects.get()
    assert (link.status, link.created_at, link.created_by.username) == ("accepted", WHEN, "ann")
    assert link.history.get().history_change_reason == "Imported as accepted"
