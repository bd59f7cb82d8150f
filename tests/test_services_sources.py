"""Writes on sources and citations, hitting the real database: permissions, validation, all-or-nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import bibliography, services
from annotator.models import Annotation, Citation, Document, Source
from annotator.services import sources

from .factories import DocumentFactory, ProjectFactory, SourceFactory

COLLECTED_WORKS = {
    "type": "book",
    "title": "Collected Works, Vol. 14",
    "authors": [{"family": "Stalin", "given": "J. V."}],
    "issued": "1978",
    "publisher": "Red Star Press",
}


@pytest.fixture
def mark(document, annotator, labels):
    return services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["quotation"]
    )


def revision(document):
    return Document.objects.get(pk=document.pk).revision


def test_an_annotator_creates_a_source_with_its_author_names_for_search(project, annotator):
    source = sources.create_source(user=annotator, project=project, **COLLECTED_WORKS, doi="https://doi.org/10.1/ABC")
    assert source.created_by == annotator and source.doi == "10.1/abc"
    assert source.author_names == "Stalin, J. V."
    assert source.history.count() == 1


def test_it_refuses_a_source_without_a_title(project, manager):
    with pytest.raises(services.ActionRefused, match="The source has no title"):
        sources.create_source(user=manager, project=project, type="book", title="  ")
    assert not Source.objects.exists()


def test_it_refuses_a_duplicate_doi_in_a_project_but_not_in_another(project, annotator, outsider):
    sources.create_source(user=annotator, project=project, type="book", title="A", doi="10.1/x")
    with pytest.raises(services.ActionRefused, match="“A” has the DOI 10.1/x already"):
        sources.create_source(user=annotator, project=project, type="book", title="B", doi="doi:10.1/X")
    elsewhere = outsider.memberships.get().project
    sources.create_source(user=outsider, project=elsewhere, type="book", title="B", doi="10.1/x")
    assert Source.objects.count() == 2


def test_reviewers_and_outsiders_may_not_create_or_edit_sources(project, reviewer, outsider, annotator):
    for user in (reviewer, outsider):
        with pytest.raises(services.Forbidden):
            sources.create_source(user=user, project=project, type="book", title="A")
    source = SourceFactory(project=project)
    with pytest.raises(services.Forbidden):
        sources.update_source(user=reviewer, source=source, type="book", title="B")


def test_an_edit_keeps_the_full_text_unless_given_and_refuses_a_taken_doi(project, annotator):
    source = sources.create_source(user=annotator, project=project, type="book", title="A", full_text="Text.")
    sources.create_source(user=annotator, project=project, type="book", title="B", doi="10.1/b")
    source = sources.update_source(user=annotator, source=source, type="speech", title="A2", issued="1937-03-05")
    assert (source.type, source.title, source.full_text) == ("speech", "A2", "Text.")
    with pytest.raises(services.ActionRefused, match="DOI 10.1/b"):
        sources.update_source(user=annotator, source=source, type="book", title="A3", doi="10.1/B")
    assert Source.objects.get(pk=source.pk).title == "A2"


def test_an_import_skips_dois_already_in_the_project_or_earlier_in_the_file(project, annotator):
    SourceFactory(project=project, title="Old", doi="10.1/old")
    records = [
        dict(COLLECTED_WORKS, doi=""),
        {"type": "book", "title": "Again", "doi": "10.1/OLD"},
        {"type": "book", "title": "New", "doi": "10.1/new"},
        {"type": "book", "title": "New twice", "doi": "10.1/new"},
    ]
    result = sources.import_sources(user=annotator, project=project, entries=records)
    assert [s.title for s in result.created] == ["Collected Works, Vol. 14", "New"]
    assert result.skipped == [
        ("Entry 2 (“Again”)", "DOI 10.1/old is already “Old”"),
        ("Entry 4 (“New twice”)", "DOI 10.1/new is already “New”"),
    ]
    assert Source.objects.filter(project=project).count() == 3


def _import_queries(user, project, records) -> int:
    with CaptureQueriesContext(connection) as ctx:
        sources.import_sources(user=user, project=project, entries=records)
    return len(ctx.captured_queries)


def test_an_import_saves_in_bulk_with_a_history_row_each(project, annotator):
    # One INSERT per source (and one per history row) made a 20,000-entry import take 17 s.
    few = [dict(COLLECTED_WORKS, title=f"A{i}", doi=f"10.1/a{i}") for i in range(2)]
    many = [dict(COLLECTED_WORKS, title=f"B{i}", doi=f"10.1/b{i}") for i in range(400)]
    # Inserts go in batches (SQLite's are smaller: it takes at most 999 parameters a statement), never a row at a time:
    # into three tables (the sources, their history rows, their search entries), so a row at a time would be 1,200.
    assert _import_queries(annotator, project, many) - _import_queries(annotator, project, few) < len(many) / 10
    source = Source.objects.get(title="B399")
    assert source.created_by == annotator and source.created_at is not None and source.author_names == "Stalin, J. V."
    [row] = source.history.all()
    assert (row.history_type, row.history_user, row.title) == ("+", annotator, "B399")
    assert Source.history.count() == 402


def test_an_import_of_more_sources_than_one_import_takes_is_refused(project, annotator, settings):
    records = [dict(COLLECTED_WORKS, title=f"T{i}") for i in range(bibliography.MAX_ENTRIES + 1)]
    with pytest.raises(services.ActionRefused, match=f"at most {bibliography.MAX_ENTRIES:,} sources"):
        sources.import_sources(user=annotator, project=project, entries=records)
    assert not Source.objects.exists()


def test_an_import_with_one_bad_record_saves_nothing_and_reports_every_bad_one(project, annotator):
    records = [COLLECTED_WORKS, {"type": "book", "title": "", "doi": "10.1/z"}, {"type": "film", "title": "Chapaev"}]
    with pytest.raises(sources.SourceImportRefused, match="2 of the file's 3 entries cannot be taken") as refused:
        sources.import_sources(user=annotator, project=project, entries=records)
    assert refused.value.report.refused == [
        ("Entry 2 (“”)", "the source has no title."),
        (
            "Entry 3 (“Chapaev”)",
            "the type “film” is not one of CSL's item types (book, article-journal, chapter, "
            "manuscript, map, motion_picture, legislation, dataset…).",
        ),
    ]
    assert refused.value.report.importable == 1
    assert not Source.objects.exists() and not Source.history.exists()


def test_a_partial_import_saves_the_entries_that_can_be_taken_and_reports_the_others(project, annotator):
    entries = bibliography.read_bibtex(
        "@book{ok, title={Fine}, doi={https://dx.doi.org/10.1/OK}}\n"
        "@book{ok, title={Fine again}}\n"
        "@book{bad, title={Bad}, doi={not a doi}}\n"
    )
    report = sources.import_sources(user=annotator, project=project, entries=entries, partial=True)
    assert [(s.title, s.doi) for s in report.created] == [("Fine", "10.1/ok")]
    assert report.notes == [("BibTeX entry “ok” (line 1)", "the DOI given as a web address is kept as the DOI 10.1/ok")]
    assert report.skipped == [
        ("BibTeX entry “ok” (line 2)", "its key is the key of the entry at line 1, which is taken in its place"),
    ]
    assert report.refused == [("BibTeX entry “bad” (line 3)", "“not a doi” is not a DOI (a DOI reads 10.NNNN/…).")]


def test_a_duplicate_bibtex_key_does_not_keep_the_file_out(project, annotator):
    entries = bibliography.read_bibtex("@book{k, title={First}}\n@book{k, title={Second}}\n@book{j, title={Third}}")
    report = sources.import_sources(user=annotator, project=project, entries=entries)
    assert [s.title for s in report.created] == ["First", "Third"] and len(report.skipped) == 1


def test_a_source_keeps_every_csl_role_date_and_variable_and_names_all_its_people_for_search(project, annotator):
    source = sources.create_source(
        user=annotator,
        project=project,
        type="map",
        title="Moscow",
        issued="c. 1937/1939",
        contributors={"editor": [{"family": "Smith", "given": "A."}], "illustrator": [{"literal": "GUGK"}]},
        other_fields={"scale": "1:10000", "accessed": {"date-parts": [[2024, 1, 5]]}},
        publisher_place="Moscow",
    )
    source.refresh_from_db()
    assert source.issued == {"date-parts": [[1937], [1939]], "circa": True} and str(source.issued) == "c. 1937/1939"
    assert source.author_names == "Smith, A. GUGK"
    assert source.other_fields == {"scale": "1:10000", "accessed": {"date-parts": [[2024, 1, 5]]}}
    with pytest.raises(services.ActionRefused, match="“boss” is not a CSL name role"):
        sources.create_source(user=annotator, project=project, title="T", contributors={"boss": [{"family": "X"}]})
    with pytest.raises(services.ActionRefused, match="“colour” is not one of the CSL variables"):
        sources.create_source(user=annotator, project=project, title="T", other_fields={"colour": "red"})


def test_the_author_cites_a_source_and_the_document_revision_moves(document, annotator, mark):
    source = SourceFactory(project=document.project)
    before = revision(document)
    citation = sources.cite_source(user=annotator, annotation=mark, source=source, locator="  p.  113 ", note="n")
    assert (citation.locator, citation.note) == ("p. 113", "n")
    assert revision(document) == before + 1
    with pytest.raises(services.ActionRefused, match="cites .* at “p. 113” already"):
        sources.cite_source(user=annotator, annotation=mark, source=source, locator="p. 113")


def test_it_refuses_a_citation_to_another_projects_source(document, annotator, mark):
    foreign = SourceFactory(project=ProjectFactory(name="Other"))
    with pytest.raises(services.ActionRefused, match="another project"):
        sources.cite_source(user=annotator, annotation=mark, source=foreign)
    assert not Citation.objects.exists()


def test_only_the_marks_author_cites_and_removes(document, annotator, annotator2, manager, mark):
    source = SourceFactory(project=document.project)
    for user in (annotator2, manager):
        with pytest.raises(services.Forbidden, match="Only the author"):
            sources.cite_source(user=user, annotation=mark, source=source)
    citation = sources.cite_source(user=annotator, annotation=mark, source=source)
    with pytest.raises(services.Forbidden):
        sources.remove_citation(user=annotator2, citation=citation)
    before = revision(document)
    sources.remove_citation(user=annotator, citation=citation)
    assert not Citation.objects.exists() and revision(document) == before + 1


def test_a_new_source_made_from_a_mark_is_cited_or_nothing_is_kept(project, annotator, mark):
    citation = sources.cite_new_source(user=annotator, annotation=mark, locator="p. 1", **COLLECTED_WORKS)
    assert citation.source.title == "Collected Works, Vol. 14" and citation.source.project == project
    with pytest.raises(services.ActionRefused):
        sources.cite_new_source(user=annotator, annotation=mark, locator="x" * 201, type="book", title="Kept?")
    assert not Source.objects.filter(title="Kept?").exists()


def _forum(project, manager):
    text = (
        "First post: the purges of the party and army were demanded by the party itself.\n\n"
        "Reply quoting it: the purges of the party and army were demanded by the party itself. I disagree.\n"
    )
    return services.add_document(user=manager, project=project, title="Thread", text=text)


def test_suggestions_point_to_the_first_appearance_and_accepting_one_makes_a_quotation_mark(
    project, manager, annotator
):
    thread = _forum(project, manager)
    [suggestion] = sources.quotation_suggestions(thread)
    assert suggestion.same_document and suggestion.source_start < suggestion.start
    assert suggestion.exact == "the purges of the party and army were demanded by the party itself"
    annotation = sources.accept_suggestion(user=annotator, document=thread, start=suggestion.start, end=suggestion.end)
    assert annotation.label.key == "quotation" and annotation.created_by == annotator
    assert "earlier in this document" in annotation.note
    assert sources.quotation_suggestions(thread) == []
    with pytest.raises(services.Conflict, match="no longer suggested"):
        sources.accept_suggestion(user=annotator, document=thread, start=suggestion.start, end=suggestion.end)
    assert Annotation.objects.count() == 1


def test_only_members_accept_suggestions_and_an_outsider_learns_nothing_of_them(project, manager, outsider):
    thread = _forum(project, manager)
    [suggestion] = sources.quotation_suggestions(thread)
    for start, end in [(suggestion.start, suggestion.end), (0, 5)]:  # suggested or not, the same refusal
        with pytest.raises(services.Forbidden, match="not a member"):
            sources.accept_suggestion(user=outsider, document=thread, start=start, end=end)
    assert not Annotation.objects.exists()


def test_a_document_repeating_an_earlier_one_points_to_it(project, manager):
    first = DocumentFactory(
        project=project,
        title="Speech",
        text="Such a wholesale approach can only hinder the fight against the real wreckers.",
    )
    second = DocumentFactory(
        project=project, title="Blog", text="Stalin said: such a wholesale approach can only hinder the fight. Indeed."
    )
    [suggestion] = sources.quotation_suggestions(second)
    assert suggestion.source_document == first and not suggestion.same_document
    assert sources.quotation_suggestions(first) == []
