"""Integrity lives in the database: these constraints hold whatever path writes the rows."""

import pytest
from django.db import IntegrityError, transaction

from annotator.models import Annotation, Label, Membership, Source, Span

from .factories import AnnotationFactory, DocumentFactory, MembershipFactory, ProjectFactory, SpanFactory, UserFactory


@pytest.fixture
def doc(db):
    return DocumentFactory()


def test_every_new_project_gets_claim_evidence_and_quotation(db):
    project = ProjectFactory()
    assert [(label.key, label.name, label.shortcut) for label in project.labels.all()] == [
        ("claim", "Claim", "1"),
        ("evidence", "Evidence", "2"),
        ("quotation", "Quotation", "3"),
    ]


def test_a_region_has_one_span(doc):
    SpanFactory(document=doc, start=0, end=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(document=doc, start=0, end=5, exact=doc.text[0:5])


@pytest.mark.parametrize("start,end", [(5, 5), (6, 2)])
def test_a_span_starts_before_it_ends(doc, start, end):
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(document=doc, start=start, end=end, exact="")


def test_a_user_has_one_membership_per_project(db):
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, project=membership.project, role="manager")


def test_a_membership_role_must_be_known(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), project=ProjectFactory(), role="overlord")


def test_an_annotation_status_must_be_known(doc):
    annotation = AnnotationFactory(span=SpanFactory(document=doc))
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=annotation.pk).update(status="maybe")


def test_one_editor_marks_a_span_once_per_label(doc):
    annotation = AnnotationFactory(span=SpanFactory(document=doc))
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(span=annotation.span, label=annotation.label, created_by=annotation.created_by)


def test_label_shortcuts_are_unique_within_a_project(db):
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(project=project, key="other", name="Other", shortcut="1")


def test_label_colour_must_be_hex(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(project=ProjectFactory(), key="x", name="X", colour="red;}")


def test_span_factory_cannot_make_a_span_that_does_not_fit_the_text(doc):
    with pytest.raises(ValueError):
        SpanFactory(document=doc, start=0, end=10_000)


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_each_stored_date_a_csl_date_and_each_doi_bare_keeping_history():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("annotator", "0015_originals_and_pages")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    project = old.get_model("annotator", "Project").objects.create(name="P")
    old_sources = old.get_model("annotator", "Source").objects
    made = {
        issued: old_sources.create(project=project, title=f"S {issued}", issued=issued).pk
        for issued in ["", "1937", "1937-03", "1937-03-05", "spring 1937", "1984/1986", "around the revolution"]
    }
    acm = old_sources.create(project=project, title="ACM", doi="http://doi.acm.org/10.1145/1188913.1188915").pk
    clash = old_sources.create(project=project, title="Clash", doi="https://dx.doi.org/10.1/a").pk
    old_sources.create(project=project, title="Bare", doi="10.1/a")
    history = old.get_model("annotator", "HistoricalSource").objects
    history.create(
        id=made["1937-03"],
        project_id=project.pk,
        title="S",
        issued="1937-03",
        type="book",
        history_date="2024-01-01T00:00:00Z",
        history_type="+",
        created_at="2024-01-01T00:00:00Z",
        author_names="",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("annotator"))
    assert {issued: Source.objects.get(pk=pk).issued for issued, pk in made.items()} == {
        "": {},
        "1937": {"date-parts": [[1937]]},
        "1937-03": {"date-parts": [[1937, 3]]},
        "1937-03-05": {"date-parts": [[1937, 3, 5]]},
        "spring 1937": {"date-parts": [[1937]], "season": 1},
        "1984/1986": {"date-parts": [[1984], [1986]]},
        "around the revolution": {"literal": "around the revolution"},
    }
    assert Source.history.get(id=made["1937-03"]).issued == {"date-parts": [[1937, 3]]}
    assert Source.objects.get(pk=acm).doi == "10.1145/1188913.1188915"
    assert Source.objects.get(pk=clash).doi == "https://dx.doi.org/10.1/a"  # the bare DOI is another source's
    assert str(Source.objects.get(pk=made["1984/1986"]).issued) == "1984/1986"

    executor = MigrationExecutor(connection)
    executor.migrate(before)  # and back: each date as its text again
    back = executor.loader.project_state(before).apps.get_model("annotator", "Source").objects
    assert back.get(pk=made["1937-03"]).issued == "1937-03" and back.get(pk=made[""]).issued == ""
    assert back.get(pk=made["around the revolution"]).issued == "around the revolution"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("annotator"))
