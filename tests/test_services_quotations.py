"""Stored quotation checks (issue 18): made by the writes that change what a check depends on (the mark's text and
label, the source's text), read by the pages, which never work one out."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import integrity, services
from annotator.exchange.readers import ImportCitation
from annotator.models import Annotation, Citation, Label, Source
from annotator.services import NewCitation, bulk_cite, quotations, sources, versions
from annotator.services import imports as import_services

from .conftest import client_for
from .factories import SourceFactory, UserFactory
from .test_services_imports import row

HTMX = {"HTTP_HX_REQUEST": "true"}
SAID = "He said: “You cannot measure everybody with the same yardstick.” Indeed, he did.\n\nAnd then he left."
QUOTE = "“You cannot measure everybody with the same yardstick.”"
HOSTILE_QUOTE = "= " * 1000 + "end"
HOSTILE_SOURCE = "= " * 524288  # 1 MB, under the upload limit


@pytest.fixture
def doc(project, manager):
    return services.add_document(user=manager, project=project, title="Speech", text=SAID)


def mark_on(user, document, exact, label):
    start = document.text.index(exact)
    end = start + len(exact)
    return services.annotate(user=user, document=document, start=start, end=end, exact=exact, label=label)


def stored(citation):
    return Citation.objects.get(pk=citation.pk).quote_check


def verdict(citation):
    check = stored(citation)
    return check and check["verdict"]


def test_the_issues_hostile_quotation_is_cited_and_shown_as_too_repetitive_without_any_page_checking_it(
    project, manager, annotator, labels
):
    document = services.add_document(
        user=manager, project=project, title="Hostile", text=f"Before. {HOSTILE_QUOTE} After."
    )
    mark = mark_on(annotator, document, HOSTILE_QUOTE, labels["quotation"])
    source = SourceFactory(project=project, full_text=HOSTILE_SOURCE)
    client = client_for(annotator)
    response = client.post(reverse("citation_create", args=[mark.pk]), {"source": source.pk, "since": 0}, **HTMX)
    assert response.status_code == 200 and "Too repetitive to check exactly" in response.content.decode()
    assert Citation.objects.get().quote_check == {
        "verdict": "repetitive",
        "similarity": 0.0,
        "tokens": 1001,
        "present": 1000,
    }
    # The panel and the document page with the mark open read the stored check: neither reads the source's text.
    for headers in (HTMX, {}):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("annotation_detail", args=[mark.pk]), **headers)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Too repetitive to check exactly</strong>: it is not in the source" in body
        assert "1000 of its 1001 words and signs occur there" in body
        assert not [q["sql"] for q in ctx.captured_queries if "full_text" in q["sql"]]


def test_a_page_shows_the_stored_check_even_when_a_text_changed_behind_the_services(doc, annotator, labels, project):
    mark = mark_on(annotator, doc, QUOTE, labels["quotation"])
    source = SourceFactory(project=project, full_text="You cannot measure everybody with the same yardstick.")
    citation = sources.cite_source(user=annotator, annotation=mark, source=source)
    assert verdict(citation) == "verbatim"
    Source.objects.filter(pk=source.pk).update(full_text="Nothing of the kind.")  # no service: nothing is checked again
    body = client_for(annotator).get(reverse("annotation_detail", args=[mark.pk]), **HTMX).content.decode()
    assert "Quotation found verbatim" in body
    assert list(integrity.check_quote_checks()) == [
        f"Citation {citation.pk}: its quotation check was made on other texts (the mark's, the source's or the "
        "checker's changed since)."
    ]
    call_command("check_quotations")
    assert verdict(citation) == "not-found" and not list(integrity.check_quote_checks())


def test_a_new_text_of_the_source_checks_its_quotations_again(doc, annotator, labels, project):
    mark = mark_on(annotator, doc, QUOTE, labels["quotation"])
    claim = mark_on(annotator, doc, "Indeed, he did.", labels["claim"])
    source = sources.create_source(user=annotator, project=project, type="speech", title="Speech of 3 March 1937")
    quoting = sources.cite_source(user=annotator, annotation=mark, source=source)
    claiming = sources.cite_source(user=annotator, annotation=claim, source=source)
    assert stored(quoting) == quotations.NO_TEXT and stored(claiming) is None
    sources.update_source(
        user=annotator,
        source=source,
        type="speech",
        title="Speech of 3 March 1937",
        full_text="Comrades! You cannot measure everybody with the same yardstick.",
    )
    assert verdict(quoting) == "verbatim" and stored(claiming) is None
    sources.update_source(user=annotator, source=source, type="speech", title="Renamed, same text")
    assert verdict(quoting) == "verbatim"
    assert not list(integrity.check_quote_checks())


def test_a_mark_that_becomes_a_quotation_is_checked_and_one_that_stops_is_not(doc, annotator, labels, project):
    claim = mark_on(annotator, doc, QUOTE, labels["claim"])
    citation = sources.cite_source(
        user=annotator,
        annotation=claim,
        source=SourceFactory(project=project, full_text="You cannot measure EVERYBODY with the same yardstick."),
    )
    assert stored(citation) is None
    claim = services.update_annotation(
        user=annotator, annotation=claim, version=claim.version, label=labels["quotation"]
    )
    assert stored(citation)["verdict"] == "trivial" and stored(citation)["kinds"] == ["case"]
    services.update_annotation(user=annotator, annotation=claim, version=claim.version, label=labels["evidence"])
    assert stored(citation) is None and Citation.objects.get(pk=citation.pk).quote_checked == ""
    assert not list(integrity.check_quote_checks())


def test_a_mark_carried_onto_other_text_by_a_new_version_is_checked_again(doc, manager, annotator, labels, project):
    mark = mark_on(annotator, doc, "You cannot measure everybody with the same yardstick.", labels["quotation"])
    citation = sources.cite_source(
        user=annotator,
        annotation=mark,
        source=SourceFactory(project=project, full_text="You cannot measure everyone with the same yardstick."),
    )
    assert verdict(citation) == "different"
    versions.add_version(user=manager, document=doc, text=SAID.replace("everybody", "everyone"))
    mark.refresh_from_db()
    assert mark.placement == "fuzzy" and "everyone" in mark.span.exact
    assert verdict(citation) == "verbatim"
    # Re-attached by hand to other words: checked again.
    text = doc.__class__.objects.get(pk=doc.pk).text
    start = text.index("And then")
    versions.reattach_annotation(
        user=annotator, annotation=mark, start=start, end=start + 17, exact="And then he left."
    )
    assert verdict(citation) == "not-found"
    assert not list(integrity.check_quote_checks())


def test_bulk_citations_and_imported_ones_are_checked(doc, annotator, labels, project):
    mark = mark_on(annotator, doc, QUOTE, labels["quotation"])
    source = SourceFactory(
        project=project, title="Works", full_text="You cannot measure everybody with the same yardstick."
    )
    [citation] = bulk_cite(user=annotator, citations=[NewCitation(mark, source, "p. 1")], cap=None)
    assert verdict(citation) == "verbatim"
    start = SAID.index("And then")
    import_services.import_marks(
        rows=[
            row(
                doc,
                start,
                start + 17,
                label="quotation",
                citations=(ImportCitation(reference="Getty, J. Arch (2002). Works", source_id=source.pk),),
            )
        ]
    )
    imported = Citation.objects.exclude(pk=citation.pk).get()
    assert verdict(imported) == "not-found"


def test_staff_edits_in_the_admin_check_again_what_they_change(doc, annotator, labels, project):
    mark = mark_on(annotator, doc, QUOTE, labels["quotation"])
    source = SourceFactory(project=project, title="Works", full_text="Nothing of the kind.")
    citation = sources.cite_source(user=annotator, annotation=mark, source=source)
    assert verdict(citation) == "not-found"
    staff = client_for(UserFactory(username="staff", is_staff=True, is_superuser=True))
    response = staff.post(
        reverse("admin:annotator_source_change", args=[source.pk]),
        {
            "project": project.pk,
            "type": "article-journal",
            "title": "Works",
            "authors": "[]",
            "full_text": "You cannot measure everybody with the same yardstick.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert verdict(citation) == "verbatim"
    # A label whose key changes makes its marks quotations, or not.
    label = Label.objects.get(project=project, key="quotation")
    response = staff.post(
        reverse("admin:annotator_label_change", args=[label.pk]),
        {
            "project": project.pk,
            "key": "quote",
            "name": label.name,
            "colour": label.colour,
            "shortcut": label.shortcut,
            "order": label.order,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert stored(citation) is None
    assert not list(integrity.check_quote_checks())


def test_quotations_past_a_writes_budget_wait_for_the_command_and_say_so(doc, annotator, labels, project):
    texts = (QUOTE, "Indeed, he did.", "And then he left.")
    marks = [mark_on(annotator, doc, text, labels["quotation"]) for text in texts]
    source = sources.create_source(user=annotator, project=project, type="book", title="Works")
    cited = [sources.cite_source(user=annotator, annotation=mark, source=source) for mark in marks]
    Source.objects.filter(pk=source.pk).update(full_text=SAID)
    done = quotations.refresh_quote_checks(Citation.objects.filter(source=source), budget=1)
    assert (done.checked, done.pending) == (1, 2)
    assert [verdict(c) for c in cited] == ["verbatim", None, None]
    body = client_for(annotator).get(reverse("annotation_detail", args=[marks[1].pk]), **HTMX).content.decode()
    assert "Not checked against the source's text yet" in body
    assert len(list(integrity.check_quote_checks())) == 2
    with pytest.raises(CommandError):
        call_command("check_integrity")
    call_command("check_quotations")
    assert [verdict(c) for c in cited] == ["verbatim", "verbatim", "verbatim"]
    assert not list(integrity.check_quote_checks())


@pytest.mark.django_db(transaction=True)
def test_the_migration_checks_the_quotations_cited_before_it():
    executor = MigrationExecutor(connection)
    before = [("annotator", "0008_citation_quote_check")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("auth", "User").objects.create(username="ann")
    project = old.get_model("annotator", "Project").objects.create(name="P")
    label = old.get_model("annotator", "Label").objects.create(project=project, key="quotation", name="Quotation")
    claim = old.get_model("annotator", "Label").objects.create(project=project, key="claim", name="Claim")
    document = old.get_model("annotator", "Document").objects.create(project=project, title="D", text=SAID)
    start = SAID.index(QUOTE)
    span = old.get_model("annotator", "Span").objects.create(
        document=document, start=start, end=start + len(QUOTE), exact=QUOTE
    )
    old_sources = old.get_model("annotator", "Source").objects
    old_marks = old.get_model("annotator", "Annotation").objects
    source = old_sources.create(
        project=project, title="S", full_text="You cannot measure everybody with the same yardstick."
    )
    empty = old_sources.create(project=project, title="E")
    quoting = old_marks.create(span=span, label=label, created_by=user)
    claiming = old_marks.create(span=span, label=claim, created_by=user)
    old_citations = old.get_model("annotator", "Citation").objects
    checked = old_citations.create(annotation=quoting, source=source)
    textless = old_citations.create(annotation=quoting, source=empty)
    other = old_citations.create(annotation=claiming, source=source)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("annotator"))
    assert Citation.objects.get(pk=checked.pk).quote_check["verdict"] == "verbatim"
    assert Citation.objects.get(pk=textless.pk).quote_check == quotations.NO_TEXT
    assert Citation.objects.get(pk=other.pk).quote_check is None
    assert not list(integrity.check_quote_checks())
    assert Annotation.objects.count() == 2
