"""A server killed (SIGKILL) while it saves marks leaves no half-saved mark.

A real gunicorn takes concurrent mark POSTs; the test waits until PostgreSQL shows one of the server's
transactions part-way through its writes, then SIGKILLs the master and its workers at once. Afterwards
every mark is whole (its span, its history row, its change and revision step) or absent altogether.
"""

import threading
import time

import pytest
from django.db import connection

from annotator import integrity
from annotator.models import Annotation, Change, Document, Span

from .factories import DocumentFactory
from .servers import Server, Visitor

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]

APP = "annotator-fault-test"  # the servers' application_name, to tell their sessions from ours
SENTENCES = 6000  # about 300 KB of text, every save checked against it under the document's lock
CLIENTS = 12


def sentence_text() -> str:
    return "".join(f"Sentence {n:05d} says what the archive holds for that year.\n" for n in range(SENTENCES))


def span_of(text: str, n: int) -> tuple[int, int]:
    start = text.index(f"Sentence {n:05d}")
    return start, start + len("Sentence 00000")


def server_sessions() -> list[tuple[int, int | None]]:
    """(pid, transaction id if it has already inserted part of a mark) of each server session."""
    with connection.cursor() as cursor:
        cursor.execute(
            # An INSERT holds RowExclusiveLock on its table to the end of the transaction: such a session has
            # written a span or a mark that is not committed yet. backend_xid plus the epoch is an xid8.
            "SELECT a.pid, CASE WHEN EXISTS ("
            "  SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            "  WHERE l.pid = a.pid AND l.mode = 'RowExclusiveLock' AND c.relname IN ('annotator_span', 'annotator_annotation')"
            ") THEN a.backend_xid::text::bigint + (pg_current_xact_id()::text::bigint >> 32 << 32) END"
            " FROM pg_stat_activity a WHERE a.datname = current_database() AND a.application_name = %s",
            [APP],
        )
        return cursor.fetchall()


def xact_status(xid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_xact_status(%s::text::xid8)", [xid])
        return cursor.fetchone()[0]


def wait_until_the_server_sessions_are_gone(timeout=20):
    deadline = time.monotonic() + timeout
    while server_sessions():
        assert time.monotonic() < deadline, "PostgreSQL kept sessions of the killed server"
        time.sleep(0.1)


class Clients:
    """Threads that POST one mark each, as fast as the server answers, and note what became of every POST."""

    def __init__(self, server_url, visitor, document, label, numbers):
        self.url, self.visitor, self.document, self.label = server_url, visitor, document, label
        self.numbers = iter(numbers)
        self.lock = threading.Lock()
        self.outcome: dict[int, str] = {}  # sentence -> saved, refused, lost (no answer), unsent (refused connection)
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(CLIENTS)]

    def saved(self) -> int:
        with self.lock:
            return sum(1 for o in self.outcome.values() if o == "saved")

    def run(self):
        while True:
            with self.lock:
                n = next(self.numbers, None)
            if n is None:
                return
            start, end = span_of(self.document.text, n)
            data = {"start": start, "end": end, "exact": self.document.text[start:end], "label": self.label.pk}
            try:
                status, headers, _ = self.visitor.post(self.url, f"/documents/{self.document.pk}/annotations/", data)
                outcome = (
                    "saved" if status == 302 and headers["Location"].startswith("/annotations/") else f"status {status}"
                )
            except ConnectionRefusedError:
                outcome = "unsent"
            except OSError:  # reset, closed without an answer, timed out: the server died with it in hand
                outcome = "lost"
            with self.lock:
                self.outcome[n] = outcome
            if outcome in ("unsent", "lost"):
                return


def assert_every_mark_whole(document, outcome):
    """Whole marks only, and exactly those the answers allow."""
    assert list(integrity.problems()) == []
    document = Document.objects.get(pk=document.pk)
    marks = {a.span.start: a for a in Annotation.objects.filter(span__document=document).select_related("span")}
    spans = list(Span.objects.filter(document=document, version=document.version))
    assert len(spans) == len(marks), "a span without its mark"
    created = set(Annotation.history.filter(history_type="+").values_list("id", flat=True))
    assert created == {a.pk for a in marks.values()}, "a mark without its history, or history of a mark never saved"
    changes = list(Change.objects.filter(document=document).order_by("revision").values_list("revision", "start"))
    assert [revision for revision, _ in changes] == list(range(1, document.revision + 1)), (
        "a revision step lost or doubled"
    )
    assert sorted(start for _, start in changes) == sorted(marks), (
        "a change without its mark, or a mark without its change"
    )

    starts = {n: span_of(document.text, n)[0] for n in outcome}
    present = {n for n, start in starts.items() if start in marks}
    saved = {n for n, o in outcome.items() if o == "saved"}
    lost = {n for n, o in outcome.items() if o == "lost"}
    assert saved <= present, "a mark the server confirmed is missing"
    assert present <= saved | lost, "a mark is there that no request could have saved"
    assert not [o for o in outcome.values() if o.startswith("status 5")], outcome


def test_a_server_killed_while_saving_marks_leaves_none_half_saved(server_env, project, annotator, labels, tmp_path):
    text = sentence_text()
    document = DocumentFactory(project=project, title="Long", text=text)
    visitor = Visitor()
    outcome: dict[int, str] = {}
    cut = []  # server transactions that had written part of a mark when the server was killed, and were undone
    next_sentence = 0
    for round_ in range(1, 6):
        env = server_env(DATABASE_URL=server_env()["DATABASE_URL"] + f"?application_name={APP}")
        server = Server(env, tmp_path / f"server-{round_}.log", workers=2, threads=4).start()
        try:
            if round_ == 1:
                assert visitor.log_in(server.url, "ann", "pw-for-tests") == 302  # the session outlives the server
            clients = Clients(
                server.url, visitor, document, labels["claim"], range(next_sentence, next_sentence + 1000)
            )
            for thread in clients.threads:
                thread.start()
            deadline = time.monotonic() + 30
            while clients.saved() < 20 and time.monotonic() < deadline:
                time.sleep(0.01)
            # Kill the moment one of the server's transactions has written part of a mark.
            writing = []
            while not writing and time.monotonic() < deadline:
                writing = [xid for _, xid in server_sessions() if xid is not None]
            server.kill()
            for thread in clients.threads:
                thread.join(timeout=30)
        finally:
            server.stop()  # nothing left running should the test fail before the kill
        wait_until_the_server_sessions_are_gone()
        cut += [xid for xid in writing if xact_status(xid) == "aborted"]
        outcome.update(clients.outcome)
        next_sentence += 1000
        assert_every_mark_whole(document, outcome)
        if len(cut) >= 2:
            break

    assert len(cut) >= 2, "the kills never landed in the middle of a save"
    counts = {o: list(outcome.values()).count(o) for o in set(outcome.values())}
    assert counts.get("saved", 0) >= 20 and counts.get("lost", 0) >= 1, counts
