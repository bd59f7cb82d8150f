"""A mark's history: every change with who and when, on the mark's panel, kept after deletion."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import history, services
from annotator.models import Annotation, Citation

from .conftest import client_for
from .factories import SourceFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def row(
    minutes,
    kind,
    who="ann",
    user_id=1,
    label_id=1,
    note="",
    status="pending",
    reviewed_by_id=None,
    reviewed_at=None,
    review_note="",
):
    return {
        "history_date": T0 + timedelta(minutes=minutes),
        "history_type": kind,
        "who": who,
        "history_user_id": user_id,
        "label_id": label_id,
        "note": note,
        "status": status,
        "reviewed_by_id": reviewed_by_id,
        "reviewed_at": reviewed_at,
        "review_note": review_note,
    }


def whats(events):
    return [(e.who, e.what, e.detail) for e in events]


def test_mark_events_describe_each_step_in_words():
    reviewed = T0 + timedelta(minutes=2)
    rows = [
        row(0, "+", note="first"),
        row(1, "~", label_id=2, note="first"),
        row(
            2,
            "~",
            who="rev",
            user_id=9,
            label_id=2,
            note="first",
            status="accepted",
            reviewed_by_id=9,
            reviewed_at=reviewed,
            review_note="ok",
        ),
        row(
            3,
            "~",
            label_id=2,
            note="second",
            status="pending",
            reviewed_by_id=9,
            reviewed_at=reviewed,
            review_note="ok",
        ),
        row(
            4,
            "~",
            who="rev",
            user_id=9,
            label_id=2,
            note="second",
            status="rejected",
            reviewed_by_id=9,
            reviewed_at=reviewed + timedelta(minutes=2),
            review_note="no",
        ),
        row(5, "-", label_id=2, note="second", status="rejected"),
    ]
    events = history.mark_events(rows, [], {1: "Claim", 2: "Evidence"}, {})
    assert whats(events) == [
        ("ann", "Marked as Claim", "first"),
        ("ann", "Label Claim → Evidence", ""),
        ("rev", "Accepted", "ok"),
        ("ann", "Changed the note", "second"),
        ("ann", "Back to pending (the mark changed)", ""),
        ("rev", "Rejected", "no"),
        ("ann", "Deleted the mark", ""),
    ]


def test_citation_events_interleave_by_time():
    rows = [row(0, "+"), row(10, "-")]
    citations = [
        {
            "history_date": T0 + timedelta(minutes=5),
            "history_type": "+",
            "who": "ann",
            "source_id": 7,
            "locator": "p. 3",
            "note": "",
        },
        {
            "history_date": T0 + timedelta(minutes=6),
            "history_type": "-",
            "who": "ann",
            "source_id": 8,
            "locator": "",
            "note": "",
        },
    ]
    events = history.mark_events(rows, citations, {1: "Claim"}, {7: "Getty 1985"})
    assert [e.what for e in events] == [
        "Marked as Claim",
        "Cited Getty 1985, p. 3",
        "Removed the citation of a deleted source",
        "Deleted the mark",
    ]


def test_every_step_of_a_mark_shows_on_its_panel_with_who(document, annotator, reviewer, labels):
    a = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    a = services.update_annotation(
        user=annotator, annotation=a, version=a.version, label=labels["evidence"], note="why"
    )
    a = services.review_annotation(user=reviewer, annotation=a, status="rejected", note="too short", version=a.version)
    Citation.objects.create(
        annotation=a, source=SourceFactory(project=document.project, title="Conquest 1968"), locator="p. 9"
    )
    body = client_for(annotator).get(reverse("annotation_detail", args=[a.pk]), **HTMX).content.decode()
    for text in [
        "<strong>ann</strong>: Marked as Claim",
        "<strong>ann</strong>: Label Claim → Evidence",
        "<strong>ann</strong>: Changed the note <q>“<bdi>why</bdi>”</q>",
        "<strong>rev</strong>: Rejected <q>“<bdi>too short</bdi>”</q>",
        "Cited Conquest 1968, p. 9",
    ]:
        assert text in body, text


def test_history_takes_a_fixed_number_of_queries(document, annotator, reviewer, labels):
    a = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    Citation.objects.create(annotation=a, source=SourceFactory(project=document.project), locator="first")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            events = history.history_of(a.pk, document.project_id)
        return len(ctx.captured_queries), len(events)

    few, n = count()
    for i in range(5):
        current = Annotation.objects.get(pk=a.pk)
        services.update_annotation(user=annotator, annotation=current, version=current.version, note=f"note {i}")
        Citation.objects.create(annotation=current, source=SourceFactory(project=document.project), locator=str(i))
    many, m = count()
    assert many == few and m == n + 10


def test_deleting_a_mark_keeps_its_history_and_its_citations_history(document, annotator, reviewer, labels):
    a = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    Citation.objects.create(annotation=a, source=SourceFactory(project=document.project, title="Getty"))
    a = services.review_annotation(user=reviewer, annotation=a, status="accepted")
    services.delete_annotation(user=annotator, annotation=a)
    events = history.history_of(a.pk, document.project_id)
    assert [(e.who, e.what) for e in events][-1] == ("ann", "Deleted the mark")
    assert ("rev", "Accepted") in [(e.who, e.what) for e in events]
    assert any(e.what == "Removed the citation of Getty" for e in events)


def test_a_marks_history_tells_its_links_from_its_side_and_keeps_them_after_deletion(
    project, document, annotator, annotator2, reviewer, labels
):
    from annotator.models import LinkType
    from annotator.services import links as link_services

    claim = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    evidence = services.annotate(
        user=annotator2, document=document, start=4, end=10, exact=document.text[4:10], label=labels["evidence"]
    )
    link = link_services.create_link(
        user=annotator2,
        from_annotation=evidence,
        type=LinkType.objects.get(project=project, key="supports"),
        to_annotation=claim,
        note="p. 3",
    )
    link = link_services.review_link(user=reviewer, link=link, status="accepted", note="good")
    link = link_services.update_link(user=annotator2, link=link, version=link.version, note="p. 4")
    services.delete_annotation(user=annotator2, annotation=evidence)
    claim_events = [(e.who, e.what, e.detail) for e in history.history_of(claim.pk, project.pk)]
    assert [(who, detail) for who, _, detail in claim_events[1:]] == [
        ("ann2", "p. 3"),
        ("rev", "good"),
        ("ann2", "p. 4"),
        ("ann2", ""),
        ("ann2", ""),
    ]
    whats = [what for _, what, _ in claim_events]
    assert whats[0] == "Marked as Claim"
    assert whats[1:] == [
        "Linked: is supported by a deleted mark",
        "Accepted the link: is supported by a deleted mark",
        "Changed the comment on the link: is supported by a deleted mark",
        "The link went back to pending: is supported by a deleted mark",
        "Deleted the link: is supported by a deleted mark",
    ]
    evidence_events = [e.what for e in history.history_of(evidence.pk, project.pk)]
    assert "Linked: supports “Did”" in evidence_events and evidence_events[-1] == "Deleted the mark"
