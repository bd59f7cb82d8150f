"""Settling a disagreement on the agreement page: one mark kept, the others rejected with one note, the trail in each
mark's history, the open count, and the gold-standard export."""

import csv
import io

import pytest

from annotator import exchange, services
from annotator.models import Annotation

TEXT = "The centre restrained local zeal in 1937.\n"


@pytest.fixture
def marks(manager, project, annotator, annotator2, labels):
    document = services.add_document(user=manager, project=project, title="Zeal", text=TEXT)
    start = TEXT.index("restrained")

    def mark(user, start, end, label):
        return services.annotate(
            user=user, document=document, start=start, end=end, exact=TEXT[start:end], label=labels[label]
        )

    return {
        "claim": mark(annotator, start, start + 10, "claim"),
        "evidence": mark(annotator2, start, start + 10, "evidence"),  # same span, other label
        "overlap": mark(annotator2, start + 4, start + 22, "claim"),  # overlapping
        "elsewhere": mark(annotator2, 0, 3, "claim"),  # no part of it
    }


def test_a_reviewer_keeps_one_mark_and_the_others_are_rejected_with_one_note(marks, reviewer):
    settled = services.settle_disagreement(user=reviewer, annotation=marks["claim"], note="Getty's reading")
    assert [m.pk for m in settled.rejected] == [marks["evidence"].pk, marks["overlap"].pk]
    fresh = {key: Annotation.objects.get(pk=m.pk) for key, m in marks.items()}
    assert (fresh["claim"].status, fresh["claim"].settled, fresh["claim"].review_note) == (
        "accepted",
        True,
        "Getty's reading",
    )
    assert [fresh[k].status for k in ("evidence", "overlap", "elsewhere")] == ["rejected", "rejected", "pending"]
    for key in ("claim", "evidence", "overlap"):
        last = fresh[key].history.first()
        assert last.history_user == reviewer and last.history_change_reason.startswith("Disagreement settled: kept")


def test_nobody_settles_over_their_own_mark_and_a_refusal_changes_nothing(marks, annotator):
    with pytest.raises(services.Forbidden):
        services.settle_disagreement(user=annotator, annotation=marks["evidence"])
    assert set(Annotation.objects.values_list("status", flat=True)) == {"pending"}


def test_a_mark_with_no_disagreement_has_nothing_to_settle(marks, reviewer):
    with pytest.raises(services.ActionRefused, match="nothing to settle"):
        services.settle_disagreement(user=reviewer, annotation=marks["elsewhere"])


def test_the_gold_standard_is_the_settled_accepted_marks_until_one_changes(marks, reviewer, annotator):
    services.settle_disagreement(user=reviewer, annotation=marks["claim"])
    gold = exchange.query.marks(exchange.ExportFilter(gold=True))
    assert list(gold.values_list("pk", flat=True)) == [marks["claim"].pk]
    claim = Annotation.objects.get(pk=marks["claim"].pk)
    services.update_annotation(user=annotator, annotation=claim, version=claim.version, note="changed")
    assert not exchange.query.marks(exchange.ExportFilter(gold=True)).exists()


def test_the_agreement_page_counts_open_disagreements_links_marks_and_settles(marks, reviewer, client):
    client.force_login(reviewer)
    document = marks["claim"].span.document
    body = client.get(f"/documents/{document.pk}/agreement/").content.decode()
    assert "3 disagreements still open" in body
    assert f'href="/annotations/{marks["evidence"].pk}/"' in body
    response = client.post(
        f"/documents/{document.pk}/agreement/settle/", {"keep": marks["claim"].pk, "note": "ok"}, follow=True
    )
    body = response.content.decode()
    assert "Settled: kept Claim by ann, rejected 2 other marks." in body
    assert "No disagreement is open." in body


def test_the_export_command_writes_the_gold_standard(marks, reviewer, capsys):
    from django.core.management import call_command

    services.settle_disagreement(user=reviewer, annotation=marks["claim"])
    call_command("export_annotations", "--gold")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["annotation_id"], r["exact"], r["status"]) for r in rows] == [
        (str(marks["claim"].pk), "restrained", "accepted")
    ]
