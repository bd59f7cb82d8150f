"""The text of a document's current version, kept in each process for the next requests.

A long text costs milliseconds to read from the database on every request (a megabyte: about 2.5 ms on
SQLite), and every write to a mark needs it to check the offsets. A version's text never changes (a new
text is a new version), so each process may keep the texts it read: the key (document, version, created
at) names one text for good, the created-at part telling apart a document that reused a deleted one's id.
Nothing here is state another process would miss; it is read again wherever it is not kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from .models import Document

# At most this many code points of text kept per process (a megabyte of emoji-rich text takes 4 MB).
KEPT_CODE_POINTS = 4_000_000

_kept: OrderedDict[tuple, str] = OrderedDict()
# Threaded workers (gunicorn --threads, runserver) share _kept: one thread at a time changes or reads it.
_lock = threading.Lock()


def _key(document: Document) -> tuple:
    return (document.pk, document.version, document.created_at)


def text_of(document: Document) -> str:
    """The document's text; from this process's copy when it has one, else read (and kept)."""
    if "text" in document.__dict__:
        key = _key(document)
        with _lock:
            known = key in _kept
        if not known:
            keep(document, document.text)
        return document.text
    return text_at(document.pk, document.version, document.created_at)


def text_at(document_id: int, version: int, created_at) -> str:
    """The text of that version of the document (created at `created_at`), kept or read."""
    key = (document_id, version, created_at)
    with _lock:
        text = _kept.get(key)
        if text is not None:
            _kept.move_to_end(key)
    if text is None:
        text = Document.objects.values_list("text", flat=True).get(pk=document_id, version=version)
        _keep(key, text)
    return text


def keep(document: Document, text: str) -> None:
    """Keep a text just read (or just saved) for the next requests, dropping the least recently used."""
    _keep(_key(document), text)


def _keep(key: tuple, text: str) -> None:
    with _lock:
        _kept[key] = text
        _kept.move_to_end(key)
        while sum(len(t) for t in _kept.values()) > KEPT_CODE_POINTS and len(_kept) > 1:
            _kept.popitem(last=False)


def forget_all() -> None:
    """Drop every kept text (tests that count queries start from none)."""
    with _lock:
        _kept.clear()
