"""The benchmark harness (bench/) cannot rot unnoticed: its scenario builder, its client and one figure, tiny."""

import random

import pytest

from annotator import bibliography
from annotator.models import Annotation, Citation, Document, Link
from bench import functions, import_bench, scenario, web
from bench.client import Session
from bench.figures import Figure, table


@pytest.mark.django_db(transaction=True)
def test_the_scale_scenario_builds_through_the_services_and_a_mark_goes_through_a_real_server(live_server):
    built, document = scenario.build_scale(60, text_size=5_000)
    assert Annotation.objects.filter(span__document=document).count() == 60
    assert Annotation.history.filter(history_type="+").count() == 60
    assert Citation.objects.count() == 60 // scenario.CITE_EVERY
    assert Link.objects.exists()
    assert len({a.created_by_id for a in Annotation.objects.all()}) == 4

    session = Session(live_server.url)
    session.login(built.editors[0].username, scenario.PASSWORD)
    claim = built.project.labels.get(key="claim").pk
    added = web.add_mark(session, document, claim, 2, "adding a mark", random.Random(1))
    assert len(added.samples) == 2 and Annotation.objects.count() == 62
    polled = web.idle_poll(session, Document.objects.get(pk=document.pk), 2)
    assert len(polled.samples) == 2
    cite, panel, page = web.hostile_quotation(session, built, 2, megabytes=0.05)
    assert [len(f.samples) for f in (cite, panel, page)] == [2, 2, 2]
    assert Citation.objects.filter(quote_check__verdict="repetitive").count() == 2


def test_the_hostile_quotation_check_figure_reports_its_verdict_and_work():
    figure = functions.quotation_check(0.05, 1)
    assert len(figure.samples) == 1 and figure.note.startswith("repetitive; ")


def test_the_table_judges_each_figure_by_its_statistic():
    figures = [
        Figure("fast", [1.0, 2.0, 50.0], "ms", 10),
        Figure("slow at the tail", [1.0, 2.0, 50.0], "ms", 10, judged="p95"),
        Figure("errors", [0], "", 0),
    ]
    assert [f.met for f in figures] == [True, False, True]
    lines = table(figures).splitlines()
    assert lines[1].endswith("met") and "MISSED" in lines[2] and "= 0" in lines[3]


def test_the_ingest_bench_makes_files_the_extractors_read():
    from annotator import ingest
    from bench.ingest import big_page, book_pdf

    pdf = ingest.extract(book_pdf(6), ingest.PDF)
    assert [label for _, label in pdf.pages] == ["i", "ii", "iii", "iv", "1", "2"]
    assert "A long report on the archives" not in pdf.text  # the running head is dropped
    page = big_page(100_000)
    assert 90_000 < len(page) < 120_000
    html = ingest.extract(page, ingest.HTML)
    assert html.text.startswith("The numbers revisited") and html.metadata["container_title"] == "The Historian"


def test_the_import_benchs_libraries_are_read_whole_as_other_tools_write_them():
    csl = bibliography.read_csl_json(import_bench.csl_json(90))
    assert [e.problem for e in csl] == [""] * 90 and len({e.record["type"] for e in csl}) == 45
    assert any(e.notes for e in csl)  # DOIs given as resolver addresses, made bare
    bib = bibliography.read_bibtex(import_bench.bibtex(60))
    assert [e.problem for e in bib] == [""] * 60
    assert [e.label for e in bib if e.record is None] == ["BibTeX entry “getty_1” (line 17)"]  # the key used twice
    assert {e.record["type"] for e in bib if e.record} == {"book", "paper-conference", "article-journal"}


def test_the_api_bench_makes_its_three_figures(db):
    from bench import api

    built = scenario.start_project("Scale")
    found = api.figures(built, 5_000, 40, runs=1)
    assert [f.name for f in found] == [
        "API: bulk-create 40 marks in one request",
        f"API: all {40 + api.FIRST_MARKS} marks of the document, one request",
        f"API: all {40 + api.FIRST_MARKS} marks, UTF-16 offsets",
        "API: a page of 100 marks",
    ]
    assert all(f.samples for f in found)


@pytest.mark.django_db
def test_the_already_checked_figure_finds_the_earlier_claim_with_its_verdict():
    from bench import verdicts

    figure = verdicts.figures(2, count=50)[0]
    assert len(figure.samples) == 2 and figure.note.endswith("2 times in 2")


def test_the_in_process_bench_times_the_pages_three_requests(db):
    from bench import in_process

    built, document = scenario.build_scale(40, text_size=5_000)
    before = Annotation.objects.count()
    lines = in_process.figures(document, built.editors[0], 2)
    assert [line[:14].strip() for line in lines] == ["idle poll", "adding a mark", "the page"]
    assert [line.rsplit("(", 1)[1] for line in lines] == ["10 runs)", "2 runs)", "5 runs)"]
    assert Annotation.objects.count() == before + 3 + 2  # the warm-up's three marks and the two timed
