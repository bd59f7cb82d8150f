"""Services: every write, its permission check, its validation, its revision bump, its history."""

import pytest

from annotator import services
from annotator.models import Annotation, Change, Document, Span, Status

from .factories import DocumentFactory, ProjectFactory

EMOJI_AT = 31  # SAMPLE_TEXT: "Did Stalin want “mass terror”? 😀 The ..."


def mark(user, document, start, end, label, **kw):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label, **kw
    )


def test_annotate_saves_span_context_and_bumps_revision(document, annotator, labels):
    start = document.text.index("The archives")
    annotation = mark(annotator, document, start, start + 12, labels["claim"])
    span = annotation.span
    assert span.exact == "The archives"
    assert span.prefix == document.text[start - 32 : start]
    assert span.suffix == document.text[start + 12 : start + 44]
    document.refresh_from_db()
    assert document.revision == 1
    assert list(Change.objects.values_list("revision", "start", "end")) == [(1, start, start + 12)]
    assert annotation.history.get().history_user == annotator


def test_offsets_after_an_emoji_count_code_points(document, annotator, labels):
    assert document.text[EMOJI_AT] == "😀"
    annotation = mark(annotator, document, EMOJI_AT + 2, EMOJI_AT + 5, labels["claim"])
    assert annotation.span.exact == "The"


def test_two_editors_marking_the_same_text_share_the_span(document, annotator, annotator2, labels):
    a = mark(annotator, document, 0, 10, labels["claim"])
    b = mark(annotator2, document, 0, 10, labels["evidence"])
    assert a.span_id == b.span_id
    assert Span.objects.count() == 1


@pytest.mark.parametrize(
    "start,end,exact,message",
    [(5, 5, "", "empty"), (0, 9999, "x", "outside"), (0, 3, "Dod", "does not match")],
)
def test_annotate_refuses_bad_spans_and_saves_nothing(document, annotator, labels, start, end, exact, message):
    with pytest.raises(services.ActionRefused, match=message):
        services.annotate(user=annotator, document=document, start=start, end=end, exact=exact, label=labels["claim"])
    assert not Span.objects.exists() and not Annotation.objects.exists()
    assert Document.objects.get(pk=document.pk).revision == 0


def test_annotate_refuses_a_label_of_another_project(document, annotator):
    foreign = ProjectFactory(name="Other").labels.get(key="claim")
    with pytest.raises(services.ActionRefused, match="another project"):
        mark(annotator, document, 0, 3, foreign)
    assert not Span.objects.exists()


def test_annotate_refuses_outsiders(document, outsider, labels):
    with pytest.raises(services.Forbidden):
        mark(outsider, document, 0, 3, labels["claim"])


def test_marking_the_same_text_twice_with_one_label_is_refused(document, annotator, labels):
    mark(annotator, document, 0, 3, labels["claim"])
    with pytest.raises(services.ActionRefused, match="already marked"):
        mark(annotator, document, 0, 3, labels["claim"])
    assert Annotation.objects.count() == 1


def test_update_changes_label_and_note_and_raises_version(document, annotator, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    a = services.update_annotation(user=annotator, annotation=a, version=1, label=labels["evidence"], note="why")
    assert (a.label.key, a.note, a.version) == ("evidence", "why", 2)
    assert [h.label_id for h in a.history.order_by("history_date")] == [labels["claim"].pk, labels["evidence"].pk]


def test_update_with_a_stale_version_is_a_conflict(document, annotator, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    services.update_annotation(user=annotator, annotation=a, version=1, note="first")
    with pytest.raises(services.Conflict):
        services.update_annotation(user=annotator, annotation=a, version=1, note="second")
    assert Annotation.objects.get(pk=a.pk).note == "first"


def test_only_the_author_updates_or_deletes(document, annotator, annotator2, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    with pytest.raises(services.Forbidden):
        services.update_annotation(user=annotator2, annotation=a, version=1, note="mine now")
    with pytest.raises(services.Forbidden):
        services.delete_annotation(user=annotator2, annotation=a)
    assert Annotation.objects.get(pk=a.pk).note == ""


def test_an_accepted_mark_goes_back_to_pending_when_its_author_changes_it(document, annotator, reviewer, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    a = services.review_annotation(user=reviewer, annotation=a, status=Status.ACCEPTED)
    a = services.update_annotation(user=annotator, annotation=a, version=a.version, note="changed")
    assert a.status == Status.PENDING


def test_delete_keeps_history_and_drops_an_unused_span(document, annotator, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    services.delete_annotation(user=annotator, annotation=a, version=1)
    assert not Span.objects.exists()
    assert [h.history_type for h in Annotation.history.filter(id=a.pk).order_by("history_date")] == ["+", "-"]
    assert Document.objects.get(pk=document.pk).revision == 2


def test_delete_keeps_a_span_someone_else_still_marks(document, annotator, annotator2, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    mark(annotator2, document, 0, 3, labels["claim"])
    services.delete_annotation(user=annotator, annotation=a)
    assert Span.objects.count() == 1


def test_nobody_reviews_their_own_mark_and_annotators_do_not_review(document, annotator, annotator2, reviewer, labels):
    a = mark(annotator, document, 0, 3, labels["claim"])
    with pytest.raises(services.Forbidden):
        services.review_annotation(user=annotator2, annotation=a, status=Status.ACCEPTED)
    own = mark(reviewer, document, 0, 3, labels["evidence"])
    with pytest.raises(services.Forbidden, match="own"):
        services.review_annotation(user=reviewer, annotation=own, status=Status.ACCEPTED)


def test_add_document_is_for_managers_and_normalises_text(project, manager, annotator):
    doc = services.add_document(user=manager, project=project, title="", text="\ufeffFirst line\r\nsecond")
    assert (doc.title, doc.text, doc.created_by) == ("First line", "First line\nsecond", manager)
    with pytest.raises(services.Forbidden, match="Only the project's managers"):
        services.add_document(user=annotator, project=project, title="x", text="y")


def test_add_document_refuses_empty_text(project, manager):
    with pytest.raises(services.ActionRefused, match="The document is empty"):
        services.add_document(user=manager, project=project, title="x", text=" \n ")
    assert not DocumentFactory._meta.model.objects.exists()
