"""Integrity lives in the database: these constraints hold whatever path writes the rows."""
import pytest
from django.db import IntegrityError, transaction

from annotator.models import Annotation, Label, Membership, Span

from .factories import AnnotationFactory, DocumentFactory, MembershipFactory, ProjectFactory, SpanFactory, UserFactory


@pytest.fixture
def doc(db):
    return DocumentFactory()


def test_every_new_project_gets_claim_evidence_and_quotation(db):
    project = ProjectFactory()
    assert [(l.key, l.name, l.shortcut) for l in project.labels.all()] == [
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
