"""The document lock, the span writer and the "already marked" rule, and every path that makes or moves a mark
holding to them: annotate, bulk_annotate, accept_suggestion, the import, add_version's carrying, reattach_annotation."""

import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annotator import services
from annotator.exchange.readers import ImportRow
from annotator.models import Annotation, Change, Document, Membership, Placement, Span
from annotator.services import imports, sources, versions
from annotator.services import marks as marks_service
from annotator.services.spans import lock_document, record_changes, repeats, span_at, spans_at

from .factories import DocumentFactory, ProjectFactory

APPENDED = "An appended line.\n"


# The lock statement, against the ORM's view of the row -----------------------------------------------------------


def _row(document):
    return Document.objects.values_list("revision", "version").get(pk=document.pk)


def test_the_lock_raises_the_revision_and_reads_the_version_as_the_orm_reads_them(document):
    Document.objects.filter(pk=document.pk).update(revision=41, version=3)
    with transaction.atomic():
        lock = lock_document(document.pk)
        assert (lock.revision, lock.version) == _row(document) == (42, 3)
        lock = lock_document(document.pk, bump=False)
        assert (lock.revision, lock.version) == _row(document) == (42, 3)
    assert lock.document_id == document.pk


@pytest.mark.parametrize("who", ["annotator", "reviewer", "manager", "outsider"])
def test_the_lock_lets_members_of_the_documents_project_in_as_the_orm_says(request, document, who):
    user = request.getfixturevalue(who)
    member = Membership.objects.filter(user=user, project=document.project).exists()
    before = _row(document)
    if member:
        assert lock_document(document.pk, member=user).revision == before[0] + 1
    else:
        with pytest.raises(services.Forbidden, match="not a member of this project"):
            lock_document(document.pk, member=user)
        assert _row(document) == before
    assert member == (who != "outsider")


def test_the_lock_of_a_document_deleted_meanwhile_is_a_conflict(document, annotator):
    pk = document.pk
    document.delete()
    for member in (None, annotator):
        with pytest.raises(services.Conflict, match="deleted meanwhile"):
            lock_document(pk, member=member)


# The span writer and the rule -----------------------------------------------------------------------------


def test_a_write_over_many_documents_locks_them_in_id_order_with_one_change_each(project):
    first, second = DocumentFactory(project=project), DocumentFactory(project=project)
    before = {d.pk: _row(d)[0] for d in (first, second)}
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        record_changes({second.pk: [(5, 9), (1, 3)], first.pk: [(0, 2)]})
    locked = [int(q["sql"].split('"id" = ')[1].split()[0]) for q in queries if q["sql"].startswith("UPDATE")]
    assert locked == [first.pk, second.pk]  # two such writes at once cannot each hold the other's document
    assert [(c.document_id, c.start, c.end) for c in Change.objects.order_by("document_id")] == [
        (first.pk, 0, 2),
        (second.pk, 1, 9),
    ]
    assert {d.pk: _row(d)[0] for d in (first, second)} == {pk: revision + 1 for pk, revision in before.items()}


def test_the_span_writer_makes_a_span_once_with_its_quote_context_one_at_a_time_and_in_bulk(document):
    text = document.text
    lock = lock_document(document.pk)
    span = span_at(lock, text, 4, 10)
    assert (span.version, span.exact, span.prefix, span.suffix) == (1, text[4:10], text[:4], text[10:42])
    again = span_at(lock, text, 4, 10)
    assert again == span and (again.length, again.prefix) == (6, text[:4])  # the row there, as it was
    spans, made = spans_at(lock, text, [(4, 10), (0, 3), (11, 16), (0, 3)])
    assert spans[4, 10] == span and made == {spans[0, 3].pk, spans[11, 16].pk}
    assert Span.objects.get(pk=spans[11, 16].pk).prefix == text[:11]
    assert spans_at(lock, text, [(0, 3), (11, 16)])[1] == set()
    assert Span.objects.count() == 3


def test_the_rule_names_the_mark_repeated_there_or_earlier_in_the_batch(document, annotator, annotator2, labels):
    claim, evidence = labels["claim"].pk, labels["evidence"].pk
    mark = services.annotate(
        user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"]
    )
    here = mark.span_id
    wanted = [
        (here, claim, annotator2.pk),
        (here, claim, annotator.pk),
        (here, evidence, annotator.pk),
        (here, evidence, annotator.pk),
    ]
    assert repeats(wanted) == {1: mark.pk, 3: None}
    assert repeats(wanted, moving=[mark.pk]) == {3: None}
    assert repeats(wanted, new_spans={here}) == {3: None}  # a span made now holds no mark: not looked up


# Every path that makes or moves a mark takes the lock first ------------------------------------------------------


@contextmanager
def meanwhile(action):
    """Run `action` once just before the path's first write, as another request committing then would. A path that
    takes the document lock first meets it at the lock; one that read the version before writing works on a stale
    one. (Django's execute_wrapper: the action runs on the same connection, before the statement.)"""
    waiting = [action]

    def before_the_first_write(execute, sql, params, many, context):
        if waiting and sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            waiting.pop()()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(before_the_first_write):
        yield
    assert not waiting, "the path wrote nothing"


def new_version(manager, document, text=None):
    return lambda: versions.add_version(user=manager, document=document, text=text or document.text + APPENDED)


REPEATED = "the purges of the party were demanded by the party itself"
FORUM = f"First post: {REPEATED}.\n\nReply quoting it: {REPEATED}. I disagree.\n"


@pytest.fixture
def forum(project):
    return DocumentFactory(project=project, title="Thread", text=FORUM)


def _import_row(document, start, end, annotator):
    text = document.text
    return ImportRow(
        line=2,
        project=document.project.name,
        document_id=document.pk,
        document_title=document.title,
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - 32) : start],
        suffix=text[end : end + 32],
        label="claim",
        note="",
        annotator=annotator.username,
        status="pending",
        reviewer="",
        reviewed_at=None,
        review_note="",
        citations=(),
        created_at=datetime(2024, 3, 1, tzinfo=UTC),
        updated_at=None,
    )


def _region(document):
    start = FORUM.rindex(REPEATED)
    return start, start + len(REPEATED)


def mark_by_annotate(user, document, labels):
    start, end = _region(document)
    return services.annotate(user=user, document=document, start=start, end=end, exact=REPEATED, label=labels["claim"])


def mark_in_bulk(user, document, labels):
    start, end = _region(document)
    [made] = services.bulk_annotate(
        user=user, document=document, cap=None, marks=[services.NewMark(start, end, REPEATED, labels["claim"])]
    )
    return made


def mark_by_accepting_a_suggestion(user, document, labels):
    start, end = _region(document)
    return sources.accept_suggestion(user=user, document=document, start=start, end=end)


PATHS = [mark_by_annotate, mark_in_bulk, mark_by_accepting_a_suggestion]


@pytest.mark.parametrize("path", PATHS)
def test_a_new_version_saved_meanwhile_never_takes_a_mark_made_on_the_old_text(path, forum, manager, annotator, labels):
    stale = Document.objects.get(pk=forum.pk)
    with meanwhile(new_version(manager, forum)):
        made = path(annotator, stale, labels)
    made = Annotation.objects.select_related("span").get(pk=made.pk)
    assert (made.span.version, made.span.exact, made.span.suffix) == (2, REPEATED, ". I disagree.\n" + APPENDED)
    assert Document.objects.get(pk=forum.pk).revision == Change.objects.filter(document=forum).count()


@pytest.mark.parametrize("path", PATHS)
def test_a_mark_whose_text_a_new_version_moved_meanwhile_is_refused_and_nothing_saved(
    path, forum, manager, annotator, labels
):
    stale = Document.objects.get(pk=forum.pk)
    with meanwhile(new_version(manager, forum, "A new first line.\n" + FORUM)):
        with pytest.raises(services.ActionRefused, match="does not match"):
            path(annotator, stale, labels)
    assert not Annotation.objects.exists() and not Span.objects.exists()


@pytest.mark.parametrize("path", PATHS)
def test_the_same_mark_made_meanwhile_is_refused(path, forum, annotator, labels):
    with meanwhile(
        lambda: (
            mark_by_annotate(annotator, forum, labels)
            if path is not mark_by_accepting_a_suggestion
            else services.annotate(
                user=annotator,
                document=forum,
                start=_region(forum)[0],
                end=_region(forum)[1],
                exact=REPEATED,
                label=labels["quotation"],
            )
        )
    ):
        with pytest.raises(services.ActionRefused, match="You have already marked this text as"):
            path(annotator, forum, labels)


def test_an_import_meeting_a_new_version_saved_meanwhile_saves_nothing_on_the_old_text(forum, manager, annotator):
    rows = [_import_row(forum, *_region(forum), annotator)]
    with meanwhile(new_version(manager, forum)):
        with pytest.raises(imports.ImportFailed) as failed:
            imports.import_marks(user=manager, rows=rows)
    assert [p.message for p in failed.value.report.problems] == [
        "“Thread” got a new version while this was imported: import the file again"
    ]
    assert not Annotation.objects.exists()


def test_an_import_meeting_the_same_mark_made_meanwhile_leaves_it_alone(forum, annotator, labels):
    rows = [_import_row(forum, *_region(forum), annotator)]
    with meanwhile(lambda: mark_by_annotate(annotator, forum, labels)):
        report = imports.import_marks(rows=rows)
    assert (report.created, report.unchanged, report.problems) == (0, 1, [])
    assert Annotation.objects.count() == 1


def test_a_version_added_meanwhile_is_the_one_a_new_version_follows(forum, manager, annotator, labels):
    mark_by_annotate(annotator, forum, labels)
    stale = Document.objects.get(pk=forum.pk)
    with meanwhile(new_version(manager, forum)):
        version = versions.add_version(user=manager, document=stale, text="Preface.\n" + FORUM + APPENDED)
    assert version.number == 3
    mark = Annotation.objects.select_related("span").get()
    assert (mark.span.version, mark.span.exact, mark.placement) == (3, REPEATED, "shifted")
    assert list(Placement.objects.filter(version=version).values_list("old_start", flat=True)) == [_region(forum)[0]]


REMAINS = "Only this remains"


@pytest.fixture
def orphan(forum, manager, annotator, labels):
    made = mark_by_annotate(annotator, forum, labels)
    versions.add_version(user=manager, document=forum, text=f"Nothing of the kind was said.\n\n{REMAINS}.\n")
    made.refresh_from_db()
    assert made.placement == "orphaned"
    return made


def test_a_reattached_mark_lands_on_the_version_saved_meanwhile(orphan, forum, manager, annotator):
    text = Document.objects.get(pk=forum.pk).text
    start = text.index(REMAINS)
    with meanwhile(new_version(manager, forum, text + APPENDED)):
        moved = versions.reattach_annotation(
            user=annotator, annotation=orphan, start=start, end=start + len(REMAINS), exact=REMAINS
        )
    moved = Annotation.objects.select_related("span").get(pk=moved.pk)
    assert (moved.span.version, moved.span.start, moved.placement) == (3, start, "reattached")


@pytest.mark.parametrize("who, message", [("annotator", "You have"), ("manager", "Its author has")])
def test_reattaching_a_mark_where_its_author_has_the_same_mark_is_refused(
    request, orphan, forum, annotator, labels, who, message
):
    current = Document.objects.get(pk=forum.pk)
    start = current.text.index(REMAINS)
    same = services.annotate(
        user=annotator, document=current, start=start, end=start + len(REMAINS), exact=REMAINS, label=labels["claim"]
    )
    with pytest.raises(services.ActionRefused, match=f"{message} already marked this text as Claim"):
        versions.reattach_annotation(
            user=request.getfixturevalue(who), annotation=orphan, start=start, end=start + len(REMAINS), exact=REMAINS
        )
    orphan.refresh_from_db()
    assert orphan.placement == "orphaned" and orphan.span.version == 1 and same.span.version == 2


def test_two_marks_carried_onto_one_place_leave_the_flagged_one_waiting(project, manager, annotator, labels):
    document = DocumentFactory(
        project=project, title="Dogs", text="We saw the dog. The dog ran away. Then it came back."
    )
    first, second = (
        services.annotate(
            user=annotator, document=document, start=start, end=start + 3, exact="dog", label=labels["claim"]
        )
        for start in (11, 20)
    )
    version = versions.add_version(user=manager, document=document, text="We saw the dog ran away. Then it came back.")
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.placement, first.span.version, first.span.start) == ("unchanged", 2, 11)
    assert (second.placement, second.span.version, second.span.start) == ("orphaned", 1, 20)
    assert dict(Placement.objects.filter(version=version).values_list("annotation", "status")) == {
        first.pk: "unchanged",
        second.pk: "orphaned",
    }


def test_changing_a_marks_label_to_one_its_author_gave_that_text_is_refused(document, annotator, labels):
    def make(key):
        return services.annotate(
            user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels[key]
        )

    make("claim")
    evidence = make("evidence")
    with pytest.raises(services.ActionRefused, match="You have already marked this text as Claim"):
        services.update_annotation(user=annotator, annotation=evidence, version=1, label=labels["claim"])
    assert Annotation.objects.get(pk=evidence.pk).label == labels["evidence"]


def test_marking_a_document_of_another_project_is_forbidden_before_anything_is_read(document, annotator, labels):
    elsewhere = DocumentFactory(project=ProjectFactory(name="Elsewhere"), text="Other words.")
    with pytest.raises(services.Forbidden):
        services.annotate(user=annotator, document=elsewhere, start=0, end=5, exact="Other", label=labels["claim"])
    assert not Span.objects.exists() and Document.objects.get(pk=elsewhere.pk).revision == 0


def test_an_empty_bulk_call_by_an_outsider_is_forbidden(document, outsider):
    with pytest.raises(services.Forbidden):
        services.bulk_annotate(user=outsider, document=document, marks=[], cap=None)


def test_an_import_bumps_each_documents_revision_once_with_its_change(document, annotator):
    rows = [_import_row(document, 0, 3, annotator), replace(_import_row(document, 4, 10, annotator), line=3)]
    imports.import_marks(rows=rows)
    assert _row(document)[0] == 1
    assert list(Change.objects.filter(document=document).values_list("revision", "start", "end")) == [(1, 0, 10)]


@pytest.mark.django_db(transaction=True)
def test_the_lock_keeps_every_other_writer_of_the_document_out_until_the_transaction_ends(project):
    # On PostgreSQL the statement locks the document's row (a read would not); on SQLite the transaction holds the
    # database's write lock from its start (IMMEDIATE), and the statement writes in it.
    document = DocumentFactory(project=project)
    tried = []

    def another_request():  # its own connection, as another worker's
        try:
            if connection.vendor == "sqlite":
                connection.cursor().execute("PRAGMA busy_timeout = 200")  # not the 20 s a worker waits
            with transaction.atomic():
                lock_document(document.pk, bump=False) if connection.vendor == "sqlite" else (
                    Document.objects.select_for_update(nowait=True).get(pk=document.pk)
                )
            tried.append("got in")
        except DatabaseError:
            tried.append("kept out")
        finally:
            connection.close()

    with transaction.atomic():
        lock_document(document.pk)
        thread = threading.Thread(target=another_request)
        thread.start()
        thread.join()
    thread = threading.Thread(target=another_request)
    thread.start()
    thread.join()
    assert tried == ["kept out", "got in"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: SQLite locks the whole database")
def test_changing_a_mark_locks_that_mark_alone_not_its_span_label_or_document(project, annotator, annotator2, labels):
    # SELECT ... FOR UPDATE locks a row of every table it joins: the mark's document, span and label with it, which
    # kept every other writer of the document (and every new mark with that label) waiting, and deadlocked a new mark
    # on that span against a change waiting for the document (64 API clients at once found it).
    document = DocumentFactory(project=project)
    words = document.text[:3]
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact=words, label=labels["claim"])
    tried = []

    def another_request():  # its own connection, as another worker's
        try:
            with transaction.atomic():
                connection.cursor().execute("SET LOCAL lock_timeout = '3s'")
                services.annotate(
                    user=annotator2, document=document, start=0, end=3, exact=words, label=labels["claim"]
                )
            tried.append("made")
        except DatabaseError:
            tried.append("kept waiting")
        finally:
            connection.close()

    with transaction.atomic():
        marks_service._locked_own_annotation(annotator, mark.pk, mark.version)
        thread = threading.Thread(target=another_request)
        thread.start()
        thread.join()
    assert tried == ["made"]
