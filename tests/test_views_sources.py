"""The bibliography pages, citations in the mark panel, import/export, suggestions: driven as a browser and htmx drive them."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Citation, Source
from annotator.services import sources

from .conftest import client_for, events
from .factories import DocumentFactory, ProjectFactory, SourceFactory
from .library_files import WILD_BIB, ZOTERO_LIBRARY

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mark(document, annotator, labels):
    return services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["quotation"]
    )


@pytest.fixture
def source(project):
    return SourceFactory(
        project=project,
        title="Collected Works, Vol. 14",
        authors=[{"family": "Stalin", "given": "J. V."}],
        issued="1978",
        full_text="",
    )


def upload(name, content):
    return SimpleUploadedFile(name, content.encode("utf-8"))


def queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# The bibliography ----------------------------------------------------------------------------------


def test_the_project_page_links_to_its_sources(project, annotator):
    body = client_for(annotator).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert reverse("source_list", args=[project.pk]) in body


def test_the_source_list_searches_title_author_year_and_doi(project, annotator):
    client = client_for(annotator)
    for title, family, issued, doi in [
        ("Collected Works", "Stalin", "1978", ""),
        ("Excesses", "Getty", "2002", "10.2307/2679116"),
    ]:
        sources.create_source(
            user=annotator,
            project=project,
            type="book",
            title=title,
            authors=[{"family": family}],
            issued=issued,
            doi=doi,
        )
    url = reverse("source_list", args=[project.pk])

    def titles(q):
        body = client.get(url, {"q": q}, **HTMX).content.decode()
        return [t for t in ["Collected Works", "Excesses"] if f">{t}</a>" in body]

    assert titles("") == ["Collected Works", "Excesses"]
    assert titles("getty") == ["Excesses"]
    assert titles("1978") == ["Collected Works"]
    assert titles("2679116") == ["Excesses"]
    assert titles("nothing") == []


def test_an_annotator_creates_a_source_with_its_full_text_uploaded(project, annotator):
    response = client_for(annotator).post(
        reverse("source_create", args=[project.pk]),
        {
            "type": "speech",
            "title": "Speech in Reply to Debate",
            "authors": "Stalin, J. V.",
            "issued": "1937-03-05",
            "full_text_file": upload("speech.txt", "\ufeffComrades!\r\nSuch a wholesale approach."),
        },
    )
    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("source_detail", args=[source.pk])
    assert source.authors == [{"family": "Stalin", "given": "J. V."}]
    assert source.full_text == "Comrades!\nSuch a wholesale approach."


@pytest.mark.parametrize(
    "data,message",
    [
        ({"type": "book", "title": ""}, "A source needs a title."),
        ({"type": "book", "title": "A", "issued": "March 1937"}, "The date “March 1937” cannot be read"),
        ({"type": "book", "title": "A", "other_fields": "edition 2"}, "“edition 2” is not “variable: value”"),
        ({"type": "book", "title": "A", "other_fields": "colour: red"}, "“colour” is not one of the CSL variables"),
        ({"type": "book", "title": "A", "other_names": "boss: Stalin, J. V."}, "“boss” is not a CSL name role"),
        ({"type": "book", "title": "A", "doi": "n/a"}, "“n/a” is not a DOI"),
        ({"type": "book", "title": "A", "doi": "10.1/taken"}, "has the DOI 10.1/taken already"),
        ({"type": "film", "title": "A"}, "Select a valid choice"),
    ],
)
def test_bad_source_input_gets_a_message_and_saves_nothing(project, annotator, data, message):
    SourceFactory(project=project, title="Taken", doi="10.1/taken")
    response = client_for(annotator).post(reverse("source_create", args=[project.pk]), data)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body and message in body
    assert Source.objects.count() == 1


def test_a_reviewer_reads_sources_but_may_not_create_them(project, reviewer, source):
    client = client_for(reviewer)
    assert client.get(reverse("source_detail", args=[source.pk])).status_code == 200
    assert client.get(reverse("source_create", args=[project.pk])).status_code == 403
    assert client.post(reverse("source_update", args=[source.pk]), {"type": "book", "title": "X"}).status_code == 403
    assert Source.objects.get().title == "Collected Works, Vol. 14"


def test_an_edit_changes_the_source(annotator, source):
    client = client_for(annotator)
    form = client.get(reverse("source_update", args=[source.pk])).content.decode()
    assert "Stalin, J. V." in form
    response = client.post(
        reverse("source_update", args=[source.pk]), {"type": "book", "title": "Works 14", "authors": "Stalin, J. V."}
    )
    assert response.status_code == 302
    assert Source.objects.get().title == "Works 14"


def test_the_detail_page_lists_every_mark_citing_the_source(document, annotator, mark, source):
    sources.cite_source(user=annotator, annotation=mark, source=source, locator="p. 57")
    body = client_for(annotator).get(reverse("source_detail", args=[source.pk])).content.decode()
    assert "Sample" in body and "Quotation" in body and "p. 57" in body and "ann" in body
    assert mark.span.exact in body


def test_the_bibliography_pages_run_a_fixed_number_of_queries(project, document, annotator, labels, source):
    client = client_for(annotator)
    urls = [
        reverse("source_list", args=[project.pk]),
        reverse("source_detail", args=[source.pk]),
        reverse("source_export", args=[project.pk]),
    ]

    def cite_many(first, n):
        for i in range(first, first + n):
            Source.objects.create(project=project, title=f"S{i}", authors=[{"family": "A"}])
            a = services.annotate(
                user=annotator,
                document=document,
                start=i,
                end=i + 3,
                exact=document.text[i : i + 3],
                label=labels["claim"],
            )
            sources.cite_source(user=annotator, annotation=a, source=source, locator=str(i))

    cite_many(0, 1)
    few = [queries(client, url) for url in urls]
    cite_many(1, 12)
    assert [queries(client, url) for url in urls] == few


# Import and export ------------------------------------------------------------------------------------


def test_csl_json_exported_imports_back_into_another_project(project, annotator, source, outsider):
    SourceFactory(
        project=project,
        title="Excesses",
        doi="10.2307/2679116",
        issued="2002-01",
        authors=[{"family": "Getty", "given": "J. Arch"}],
    )
    response = client_for(annotator).get(reverse("source_export", args=[project.pk]))
    assert response["Content-Disposition"].endswith('-sources.json"')
    items = json.loads(response.content)
    assert {i["title"] for i in items} == {"Collected Works, Vol. 14", "Excesses"}
    assert next(i for i in items if i["title"] == "Excesses")["issued"] == {"date-parts": [[2002, 1]]}
    elsewhere = outsider.memberships.get().project
    client_for(outsider).post(
        reverse("source_import", args=[elsewhere.pk]), {"file": upload("lib.json", response.content.decode())}
    )
    assert Source.objects.filter(project=elsewhere).count() == 2


def _items_without_ids(response) -> list[dict]:
    return [{k: v for k, v in item.items() if k != "id"} for item in json.loads(response.content)]


@pytest.mark.parametrize(
    "name, content",
    [
        ("zotero.json", json.dumps(ZOTERO_LIBRARY)),
        ("library.bib", WILD_BIB),
    ],
)
def test_a_library_imported_exported_and_imported_again_gives_the_same_items(
    project, annotator, outsider, name, content
):
    client = client_for(annotator)
    response = client.post(reverse("source_import", args=[project.pk]), {"file": upload(name, content)})
    assert response.status_code == 302
    first = _items_without_ids(client.get(reverse("source_export", args=[project.pk])))
    assert len(first) == (len(ZOTERO_LIBRARY) if name.endswith(".json") else 6)
    elsewhere = outsider.memberships.get().project
    services.add_member(project=elsewhere, member=annotator, role="annotator")
    exported = json.dumps(json.loads(client.get(reverse("source_export", args=[project.pk])).content))
    assert (
        client.post(reverse("source_import", args=[elsewhere.pk]), {"file": upload("again.json", exported)}).status_code
        == 302
    )
    assert _items_without_ids(client.get(reverse("source_export", args=[elsewhere.pk]))) == first


def test_a_file_with_entries_that_cannot_be_taken_lists_each_and_imports_the_others_when_asked(project, annotator):
    client = client_for(annotator)
    bib = "@book{a, title={Fine}}\n@book{b, title={Bad}, doi={n/a}}\n@book{a, title={Again}}\n@book{c, title={}}"
    response = client.post(reverse("source_import", args=[project.pk]), {"file": upload("lib.bib", bib)})
    assert response.status_code == 422 and not Source.objects.exists()
    body = response.content.decode()
    assert "2 of the file&#x27;s 4 entries cannot be taken, so nothing was imported." in body
    assert "BibTeX entry “b” (line 2)</th><td>“n/a” is not a DOI" in body
    assert "BibTeX entry “c” (line 4)</th><td>the source has no title." in body
    assert "To import the 1 entry that can be taken" in body
    response = client.post(
        reverse("source_import", args=[project.pk]), {"file": upload("lib.bib", bib), "partial": "on"}, follow=True
    )
    body = response.content.decode()
    assert [s.title for s in Source.objects.all()] == ["Fine"]
    assert "Imported 1 source." in body
    assert "Not imported: BibTeX entry “b” (line 2): “n/a” is not a DOI" in body
    assert "Skipped: BibTeX entry “a” (line 3): its key is the key of the entry at line 1" in body


def test_the_form_takes_every_role_date_and_variable_and_an_edit_keeps_them(project, annotator):
    client = client_for(annotator)
    data = {
        "type": "motion_picture",
        "title": "Chapaev",
        "authors": "Vasilyev, Georgi\nVasilyev, Sergei",
        "editors": "",
        "translators": "Leyda, Jay",
        "other_names": "director: Vasilyev, Georgi\ncomposer: Popov, Gavriil",
        "issued": "c. 1934",
        "publisher_place": "Leningrad",
        "doi": "https://doi.org/10.1000/CHAPAEV",
        "other_fields": "medium: 35 mm\naccessed: 2024-01-05",
    }
    response = client.post(reverse("source_create", args=[project.pk]), data)
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.contributors == {
        "translator": [{"family": "Leyda", "given": "Jay"}],
        "director": [{"family": "Vasilyev", "given": "Georgi"}],
        "composer": [{"family": "Popov", "given": "Gavriil"}],
    }
    assert (source.issued, source.doi) == ({"date-parts": [[1934]], "circa": True}, "10.1000/chapaev")
    assert source.other_fields == {"medium": "35 mm", "accessed": {"date-parts": [[2024, 1, 5]]}}
    page = client.get(reverse("source_detail", args=[source.pk])).content.decode()
    for shown in ("Film", "Translators", "Leyda, Jay", "Directors", "c. 1934", "Leningrad", "medium", "2024-01-05"):
        assert shown in page
    form = client.get(reverse("source_update", args=[source.pk]))
    initial = form.context["form"].initial
    resent = {k: v for k, v in initial.items() if v not in (None, False)} | {"issued_as_written": ""}
    assert client.post(reverse("source_update", args=[source.pk]), resent).status_code == 302
    again = Source.objects.get()
    assert (again.contributors, again.issued, again.other_fields) == (
        source.contributors,
        source.issued,
        source.other_fields,
    )


def test_a_date_kept_as_written_is_a_literal_date(project, annotator):
    data = {"type": "manuscript", "title": "Decree", "issued": "Nivôse an II", "issued_as_written": "on"}
    assert client_for(annotator).post(reverse("source_create", args=[project.pk]), data).status_code == 302
    assert Source.objects.get().issued == {"literal": "Nivôse an II"}


def test_the_source_list_finds_a_year_of_a_range_and_an_ancient_year(project, annotator):
    for title, issued in [("Politics", "350 BC"), ("Purges", "1936/1938"), ("Other", "1937")]:
        sources.create_source(user=annotator, project=project, type="book", title=title, issued=issued)
    client = client_for(annotator)
    for q, found in [("350 BC", ["Politics"]), ("1936", ["Purges"]), ("1937", ["Other"])]:
        body = client.get(reverse("source_list", args=[project.pk]), {"q": q}).context["sources"]
        assert [s.title for s in body] == found


def test_one_source_stored_with_a_bad_date_or_names_does_not_take_down_the_export(project, annotator, source, mark):
    # Saved through the admin before it checked them; to_csl's int() on the date answered 500 for everyone.
    bad = SourceFactory(project=project, title="Undated")
    Source.objects.filter(pk=bad.pk).update(issued="sometime in 1937", authors=["Getty", 7])
    sources.cite_source(user=mark.created_by, annotation=mark, source=bad)
    client = client_for(annotator)
    response = client.get(reverse("source_export", args=[project.pk]))
    assert response.status_code == 200
    items = {item["title"]: item for item in json.loads(response.content)}
    assert items["Undated"]["issued"] == {"raw": "sometime in 1937"}
    assert items["Undated"]["author"] == [{"literal": "Getty"}, {"literal": "7"}]
    assert items["Collected Works, Vol. 14"]["issued"] == {"date-parts": [[1978]]}
    for export_format in ("csv", "jsonld"):
        response = client.get(reverse("document_export", args=[mark.span.document_id]), {"format": export_format})
        assert response.status_code == 200 and "Undated" in b"".join(response.streaming_content).decode()
    assert client.get(reverse("source_detail", args=[bad.pk])).status_code == 200


def test_a_bibtex_import_skips_a_doi_already_in_the_project_and_says_so(project, annotator):
    SourceFactory(project=project, title="Excesses", doi="10.2307/2679116")
    bib = "@article{g, title={Excesses Are Not Permitted}, doi={10.2307/2679116}}\n@book{s, title={Collected Works, Vol. 14}, year={1978}}"
    response = client_for(annotator).post(
        reverse("source_import", args=[project.pk]), {"file": upload("lib.bib", bib)}, follow=True
    )
    body = response.content.decode()
    assert "Imported 1 source." in body
    assert "Skipped: BibTeX entry “g” (line 1): DOI 10.2307/2679116 is already “Excesses”" in body
    assert Source.objects.filter(project=project).count() == 2


@pytest.mark.parametrize(
    "name,content,message",
    [
        (
            "lib.json",
            '[{"type": "book", "title": "Fine"}, {"id": "bad", "type": "book", "title": ""}]',
            "Entry 2 (id “bad”)</th><td>the source has no title",
        ),
        ("lib.json", "[{", "not valid JSON"),
        (
            "lib.bib",
            "@book{ok, title={Fine}}\n@book{broken, title={oops",
            "line 2 (“@book{broken, title={oops”)</th><td>it cannot be read",
        ),
        ("lib.txt", "whatever", "Upload a CSL-JSON file"),
        # JSON escapes of text no database holds: saving them answered 500 (a surrogate anywhere, NUL on PostgreSQL).
        ("lib.json", '[{"type": "book", "title": "A\\ud800"}]', "Entry 1</th><td>“title” holds a lone surrogate"),
        (
            "lib.json",
            '[{"type": "book", "title": "T", "publisher": "A\\u0000"}]',
            "Entry 1 (“T”)</th><td>“publisher” holds a NUL character",
        ),
        ("lib.bib", "@book{n, title={A\x00B}}", "holds a NUL character"),
        # json's RecursionError was not caught: 500.
        ("lib.json", "[" * 100_000 + "]" * 100_000, "nested too deeply to read"),
        (
            "lib.json",
            json.dumps([{"type": "book", "title": "T"}] * 5_001),
            "holds 5,001 entries; one import takes at most 5,000",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_the_entry_and_nothing_is_imported(
    project, annotator, name, content, message
):
    response = client_for(annotator).post(reverse("source_import", args=[project.pk]), {"file": upload(name, content)})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body and message in body
    assert not Source.objects.exists()


# Citations in the mark panel ------------------------------------------------------------------------


def test_the_picker_finds_the_projects_sources_as_you_type(annotator, mark, source):
    SourceFactory(project=ProjectFactory(name="Other"), title="Collected Works, Vol. 15")
    body = (
        client_for(annotator).get(reverse("source_picker", args=[mark.pk]), {"q": "collected"}, **HTMX).content.decode()
    )
    assert f'value="{source.pk}"' in body and "Vol. 14" in body and "Vol. 15" not in body


def test_a_nul_character_in_a_search_finds_as_a_space_would(project, annotator, mark, source):
    # PostgreSQL refuses NUL in a query: the list and the picker answered 500 to one typed or pasted in.
    client = client_for(annotator)
    for url in [reverse("source_list", args=[project.pk]), reverse("source_picker", args=[mark.pk])]:
        for q in ["Collected\x00Works", "\x00Collected"]:
            response = client.get(url, {"q": q}, **HTMX)
            assert response.status_code == 200 and "Vol. 14" in response.content.decode()


def test_citing_redraws_the_panel_and_the_mark_lists_source_count(document, annotator, mark, source):
    response = client_for(annotator).post(
        reverse("citation_create", args=[mark.pk]), {"source": source.pk, "locator": "p. 57", "since": 1}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and events(response) == ["citation-changed"]
    assert "Collected Works, Vol. 14" in body and "p. 57" in body
    assert "1 source<" in body and 'id="list-updates" hidden hx-swap-oob="true"' in body
    assert Citation.objects.get().locator == "p. 57"


def test_another_editors_page_sees_the_new_source_count_on_its_next_poll(document, annotator, annotator2, mark, source):
    sources.cite_source(user=annotator, annotation=mark, source=source)
    body = (
        client_for(annotator2)
        .get(reverse("document_changes", args=[document.pk]), {"since": 1}, **HTMX)
        .content.decode()
    )
    assert "1 source<" in body


def test_a_citation_to_another_projects_source_is_refused(annotator, mark):
    foreign = SourceFactory(project=ProjectFactory(name="Other"))
    response = client_for(annotator).post(reverse("citation_create", args=[mark.pk]), {"source": foreign.pk}, **HTMX)
    assert response.status_code == 422
    assert "not one of this project" in response.content.decode()
    assert not Citation.objects.exists()


def test_only_the_author_sees_the_citation_forms_and_forged_posts_are_refused(annotator, annotator2, mark, source):
    other = client_for(annotator2)
    panel = other.get(reverse("annotation_detail", args=[mark.pk]), **HTMX).content.decode()
    assert "Cite a source" not in panel
    response = other.post(reverse("citation_create", args=[mark.pk]), {"source": source.pk}, **HTMX)
    assert response.status_code == 403 and "Only the author" in response.content.decode()
    assert not Citation.objects.exists()


def test_a_new_source_is_created_and_cited_from_the_panel(project, annotator, mark):
    response = client_for(annotator).post(
        reverse("citation_create_new", args=[mark.pk]),
        {
            "new-type": "book",
            "new-title": "Collected Works, Vol. 14",
            "new-authors": "Stalin, J. V.",
            "new-locator": "p. 57",
        },
        **HTMX,
    )
    assert response.status_code == 200
    citation = Citation.objects.get()
    assert (citation.source.title, citation.locator, citation.source.project) == (
        "Collected Works, Vol. 14",
        "p. 57",
        project,
    )


def test_a_new_source_without_a_title_keeps_the_form_and_saves_nothing(annotator, mark):
    response = client_for(annotator).post(
        reverse("citation_create_new", args=[mark.pk]), {"new-type": "book", "new-authors": "Stalin, J."}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 422 and "A source needs a title." in body
    assert "Stalin, J." in body and " open>" in body
    assert not Source.objects.exists()


def test_the_author_removes_a_citation(document, annotator, mark, source):
    citation = sources.cite_source(user=annotator, annotation=mark, source=source)
    response = client_for(annotator).post(reverse("citation_delete", args=[citation.pk]), {"since": 2}, **HTMX)
    assert response.status_code == 200 and "0 sources<" in response.content.decode()
    assert not Citation.objects.exists()


def test_the_panel_shows_the_quotation_checks_verdict_and_diff(project, manager, annotator, labels):
    doc = services.add_document(
        user=manager,
        project=project,
        title="Blog",
        text="He said: “You cannot measure everybody with the same yardstick.” Indeed.",
    )
    start, end = doc.text.index("“"), doc.text.index("”") + 1
    mark = services.annotate(
        user=annotator, document=doc, start=start, end=end, exact=doc.text[start:end], label=labels["quotation"]
    )
    source = SourceFactory(project=project, full_text="You cannot measure everyone with the same <b>yardstick</b>.")
    sources.cite_source(user=annotator, annotation=mark, source=source, locator="p. 57")
    body = client_for(annotator).get(reverse("annotation_detail", args=[mark.pk]), **HTMX).content.decode()
    assert "Quotation found with 3 differences<" in body
    assert '<del title="Only in the marked text">everybody</del>' in body
    assert '<ins title="In the source instead">everyone</ins>' in body
    assert "&lt;b&gt;" in body and "<b>yardstick" not in body


def test_the_mark_panel_runs_a_fixed_number_of_queries_whatever_the_citations(project, annotator, mark):
    client = client_for(annotator)
    url = reverse("annotation_detail", args=[mark.pk])
    sources.cite_source(user=annotator, annotation=mark, source=SourceFactory(project=project, full_text="Did Stalin"))
    # Warm up: a document's layout is kept per process after its first use (one query then), as its text is.
    queries(client, url, **HTMX)
    few = queries(client, url, **HTMX)
    for i in range(8):
        sources.cite_source(
            user=annotator,
            annotation=mark,
            source=SourceFactory(project=project, full_text="Did Stalin"),
            locator=str(i),
        )
    assert queries(client, url, **HTMX) == few


# Quotation suggestions -------------------------------------------------------------------------------


FORUM = (
    "Stalin is unseated by the new nomenklatura for the crime of standing in the way.\n\n"
    "Stalin is unseated by the new nomenklatura for the crime of standing in the way.\nI doubt it.\n"
)


def test_the_suggestions_page_offers_repeats_and_one_click_makes_a_quotation(project, annotator):
    thread = DocumentFactory(project=project, title="Thread", text=FORUM)
    client = client_for(annotator)
    page = client.get(reverse("suggestion_list", args=[thread.pk])).content.decode()
    second = FORUM.index("Stalin", 1)
    assert f'id="suggestion-{second}-' in page and "earlier in this document" in page
    end = FORUM.index("way", second) + 3
    response = client.post(reverse("suggestion_accept", args=[thread.pk]), {"start": second, "end": end}, **HTMX)
    assert response.status_code == 200 and "Marked as a quotation" in response.content.decode()
    annotation = Annotation.objects.get()
    assert (annotation.span.start, annotation.span.end, annotation.label.key) == (second, end, "quotation")
    again = client.post(reverse("suggestion_accept", args=[thread.pk]), {"start": second, "end": end}, **HTMX)
    assert again.status_code == 409 and 'role="alert"' in again.content.decode()
    assert Annotation.objects.count() == 1


def test_the_suggestions_page_runs_a_fixed_number_of_queries(project, annotator):
    thread = DocumentFactory(project=project, title="Thread", text=FORUM)
    client = client_for(annotator)
    url = reverse("suggestion_list", args=[thread.pk])
    few = queries(client, url)
    for i in range(5):
        DocumentFactory(project=project, title=f"D{i}", text=FORUM)
    assert queries(client, url) == few


# Access ---------------------------------------------------------------------------------------------------


def test_outsiders_get_404_on_every_sources_url(project, document, annotator, mark, source, outsider):
    citation = sources.cite_source(user=annotator, annotation=mark, source=source)
    urls = [
        ("get", reverse("source_list", args=[project.pk])),
        ("get", reverse("source_create", args=[project.pk])),
        ("post", reverse("source_create", args=[project.pk])),
        ("get", reverse("source_import", args=[project.pk])),
        ("post", reverse("source_import", args=[project.pk])),
        ("get", reverse("source_export", args=[project.pk])),
        ("get", reverse("source_detail", args=[source.pk])),
        ("get", reverse("source_update", args=[source.pk])),
        ("post", reverse("source_update", args=[source.pk])),
        ("get", reverse("source_picker", args=[mark.pk])),
        ("post", reverse("citation_create", args=[mark.pk])),
        ("post", reverse("citation_create_new", args=[mark.pk])),
        ("post", reverse("citation_delete", args=[citation.pk])),
        ("get", reverse("suggestion_list", args=[document.pk])),
        ("post", reverse("suggestion_accept", args=[document.pk])),
    ]
    client = client_for(outsider)
    for method, url in urls:
        response = getattr(client, method)(
            url, {"source": source.pk, "type": "book", "title": "X", "start": 0, "end": 3}
        )
        assert response.status_code == 404, (method, url, response.status_code)
    assert Citation.objects.count() == 1 and Source.objects.get().title == "Collected Works, Vol. 14"


def test_citation_posts_without_a_csrf_token_are_refused(annotator, mark, source):
    client = client_for(annotator, enforce_csrf_checks=True)
    response = client.post(reverse("citation_create", args=[mark.pk]), {"source": source.pk}, **HTMX)
    assert response.status_code == 403 and not Citation.objects.exists()


@pytest.mark.parametrize(
    "full_text,verdict",
    [
        ("You cannot measure everybody with the same yardstick.", "Quotation found verbatim"),
        ("YOU CANNOT MEASURE EVERYBODY WITH THE SAME  YARDSTICK.", "it differs only in whitespace, case."),
        ("Nothing of the kind was ever said by anyone at the plenum.", "Quotation not found"),
        ("", "Add the source's text to check this quotation"),
    ],
)
def test_the_panel_names_each_verdict(project, manager, annotator, labels, full_text, verdict):
    doc = services.add_document(
        user=manager,
        project=project,
        title="Blog",
        text="He said: “You cannot measure everybody with the same yardstick.” Indeed.",
    )
    start, end = doc.text.index("“"), doc.text.index("”") + 1
    mark = services.annotate(
        user=annotator, document=doc, start=start, end=end, exact=doc.text[start:end], label=labels["quotation"]
    )
    sources.cite_source(user=annotator, annotation=mark, source=SourceFactory(project=project, full_text=full_text))
    body = client_for(annotator).get(reverse("annotation_detail", args=[mark.pk]), **HTMX).content.decode()
    assert verdict in body


def test_a_claim_citing_a_source_with_text_gets_no_quotation_check(document, annotator, labels, project):
    claim = services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["claim"]
    )
    sources.cite_source(
        user=annotator, annotation=claim, source=SourceFactory(project=project, full_text="Did Stalin want")
    )
    body = client_for(annotator).get(reverse("annotation_detail", args=[claim.pk]), **HTMX).content.decode()
    assert "quote-check" not in body and "Add the source" not in body
