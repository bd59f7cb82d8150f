"""The per-process copy of a version's text: read once, and never served for another text."""

import threading
from types import SimpleNamespace

from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import kept_texts as texts
from annotator.models import Document
from annotator.services import versions

from .factories import DocumentFactory


def test_a_text_is_read_once_then_kept(document):
    fresh = Document.objects.defer("text").get(pk=document.pk)
    with CaptureQueriesContext(connection) as first:
        assert texts.text_of(fresh) == document.text
    with CaptureQueriesContext(connection) as second:
        assert texts.text_of(Document.objects.defer("text").get(pk=document.pk)) == document.text
    assert len(first.captured_queries) == 1 and len(second.captured_queries) == 1  # the second: only the document row


def test_a_new_version_is_never_served_the_old_text(document, manager, project):
    texts.text_of(Document.objects.defer("text").get(pk=document.pk))
    versions.add_version(user=manager, document=document, text="An entirely new text.", note="")
    assert texts.text_of(Document.objects.defer("text").get(pk=document.pk)) == "An entirely new text."


def test_a_document_reusing_an_id_is_told_apart_by_its_creation_time(project):
    first = DocumentFactory(project=project, text="First text")
    texts.text_of(Document.objects.defer("text").get(pk=first.pk))
    pk = first.pk
    first.delete()
    second = DocumentFactory(project=project, pk=pk, text="Second text")
    assert texts.text_of(Document.objects.defer("text").get(pk=second.pk)) == "Second text"


def test_threads_of_one_process_keep_and_read_texts_safely(monkeypatch):
    # gunicorn's threaded workers and runserver serve requests in threads of one process: without a lock, one
    # thread dropping or adding a text while another reads broke both ("OrderedDict mutated during iteration").
    monkeypatch.setattr(texts, "KEPT_CODE_POINTS", 50_000)  # so that texts are dropped all the time
    monkeypatch.setattr(texts, "_kept", type(texts._kept)())  # and none of these stays for other tests
    errors = []

    def work(seed):
        try:
            for i in range(3000):
                n = (seed * 7 + i) % 40
                document = SimpleNamespace(pk=n, version=1, created_at=0, text=f"{n:02d}" * 5000)
                assert texts.text_of(document) == document.text
        except Exception as exc:  # any failure in a thread is the finding
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
