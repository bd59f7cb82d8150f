"""review_annotation and the bulk review: the rules every path (queue, panel, admin) shares."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator import agreement as ag
from annotator import services
from annotator.models import Annotation, Change, Document, Status
from annotator.services.review import review_annotations

from .factories import DocumentFactory


def mark(user, document, start, end, label):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label
    )


def test_a_review_records_who_when_and_the_note_raises_the_version_and_redraws(document, annotator, reviewer, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    reviewed = services.review_annotation(
        user=reviewer, annotation=a, status=Status.ACCEPTED, note="  fine  ", version=1
    )
    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_note, reviewed.version) == (
        "accepted",
        reviewer,
        "fine",
        2,
    )
    assert reviewed.reviewed_at is not None
    assert Document.objects.get(pk=document.pk).revision == 2
    assert Change.objects.filter(document=document, revision=2, start=0, end=3).exists()
    assert a.history.latest().history_user == reviewer


def test_back_to_pending_clears_the_reviewer(document, annotator, reviewer, labels):
    a = services.review_annotation(
        user=reviewer, annotation=mark(annotator, document, 0, 3, labels["claim"]), status="rejected"
    )
    a = services.review_annotation(user=reviewer, annotation=a, status="pending", version=a.version)
    assert (a.status, a.reviewed_by, a.reviewed_at) == ("pending", None, None)


def test_a_stale_version_is_refused_and_nothing_changes(document, annotator, reviewer, manager, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    services.review_annotation(user=manager, annotation=a, status="accepted", version=1)
    with pytest.raises(services.Conflict):
        services.review_annotation(user=reviewer, annotation=a, status="rejected", version=1)
    a.refresh_from_db()
    assert (a.status, a.reviewed_by) == ("accepted", manager)


def test_reviewing_a_deleted_mark_is_a_conflict_not_a_crash(document, annotator, reviewer, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    services.delete_annotation(user=annotator, annotation=a)
    with pytest.raises(services.Conflict, match="deleted"):
        services.review_annotation(user=reviewer, annotation=a, status="accepted")


def test_an_unknown_status_is_refused(document, annotator, reviewer, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    with pytest.raises(services.ActionRefused, match="Unknown review status"):
        services.review_annotation(user=reviewer, annotation=a, status="approved")
    assert Annotation.objects.get(pk=a.pk).version == 1


def test_outsiders_cannot_review(document, annotator, outsider, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    with pytest.raises(services.Forbidden, match="not a member"):
        services.review_annotation(user=outsider, annotation=a, status="accepted")


def test_bulk_review_reviews_what_it_may_and_reports_the_rest(document, annotator, reviewer, labels):
    others = mark(annotator, document, 0, 3, labels["claim"])
    own = mark(reviewer, document, 4, 10, labels["claim"])
    result = review_annotations(user=reviewer, annotations=[others, own], status="accepted")
    assert [a.pk for a in result.reviewed] == [others.pk]
    assert [(a.pk, message) for a, message in result.refused] == [(own.pk, "Nobody reviews their own mark.")]
    assert Annotation.objects.get(pk=own.pk).status == "pending"


# Properties of the agreement figures (pure, no database) -------------------------------------------

spans = st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10)).map(lambda t: (t[0], t[0] + t[1])), max_size=8)
ratings = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40)


@given(spans, spans)
def test_f1_is_symmetric_bounded_and_overlap_is_never_below_exact(a, b):
    exact, overlap = ag.exact_f1(a, b), ag.overlap_f1(a, b)
    assert exact == ag.exact_f1(b, a) and overlap == ag.overlap_f1(b, a)
    if not a and not b:
        assert exact is None and overlap is None
    else:
        assert 0 <= exact <= overlap <= 1


@given(ratings)
def test_kappa_is_symmetric_and_at_most_one(pairs):
    x, y = [p[0] for p in pairs], [p[1] for p in pairs]
    k = ag.cohen_kappa(x, y)
    assert k == ag.cohen_kappa(y, x)
    if k is not None:
        assert -1 <= k <= 1
    assert ag.cohen_kappa(x, x) in (1.0, None)


def test_a_mark_back_to_pending_carries_no_review_whichever_way_it_went_back(document, annotator, reviewer, labels):
    a = services.review_annotation(
        user=reviewer, annotation=mark(annotator, document, 0, 3, labels["claim"]), status="accepted", note="ok"
    )
    a = services.update_annotation(user=annotator, annotation=a, version=a.version, note="changed")
    assert (a.status, a.reviewed_by, a.reviewed_at, a.review_note) == ("pending", None, None, "")
    a = services.review_annotation(user=reviewer, annotation=a, status="rejected", note="no", version=a.version)
    a = services.review_annotation(user=reviewer, annotation=a, status="pending", note="no", version=a.version)
    assert (a.status, a.reviewed_by, a.reviewed_at, a.review_note) == ("pending", None, None, "")
    reviews = [
        (h.status, h.reviewed_by_id, h.review_note) for h in a.history.order_by("history_date") if h.status != "pending"
    ]
    assert reviews == [("accepted", reviewer.pk, "ok"), ("rejected", reviewer.pk, "no")]


def test_the_database_refuses_a_pending_mark_with_a_review(document, annotator, reviewer, labels):
    from django.db import IntegrityError, transaction

    a = mark(annotator, document, 0, 3, labels["claim"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.filter(pk=a.pk).update(reviewed_by=reviewer)


@pytest.mark.django_db(transaction=True)
def test_the_migration_clears_the_review_of_pending_rows_only_and_keeps_their_history(project, annotator, reviewer):
    # Rows as the bug left them: back to pending with the old review on them. The constraint forbids them now, so
    # they are made with the database as it was before (migrated back), then migrated forward.
    from django.core.management import call_command

    document = DocumentFactory(project=project)
    claim = project.labels.get(key="claim")
    accepted = services.review_annotation(
        user=reviewer, annotation=mark(annotator, document, 0, 3, claim), status="accepted", note="ok"
    )
    stale = services.review_annotation(
        user=reviewer, annotation=mark(annotator, document, 4, 8, claim), status="accepted", note="ok"
    )
    call_command("migrate", "annotator", "0009_quote_checks_of_existing_citations", verbosity=0)
    try:
        Annotation.objects.filter(pk=stale.pk).update(status="pending")
    finally:
        call_command("migrate", "annotator", verbosity=0)
    stale.refresh_from_db()
    accepted.refresh_from_db()
    assert (stale.status, stale.reviewed_by, stale.reviewed_at, stale.review_note) == ("pending", None, None, "")
    assert (accepted.reviewed_by, accepted.review_note) == (reviewer, "ok")
    assert stale.history.filter(status="accepted", reviewed_by=reviewer, review_note="ok").exists()
