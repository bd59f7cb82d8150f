"""The per-process copy of a version's text: read once, and never served for another text."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import texts
from annotator.services import versions
from annotator.models import Document

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
    membership = manager.memberships.get(project=project)
    versions.add_version(membership=membership, document=document, text="An entirely new text.", note="", user=manager)
    assert texts.text_of(Document.objects.defer("text").get(pk=document.pk)) == "An entirely new text."


def test_a_document_reusing_an_id_is_told_apart_by_its_creation_time(project):
    first = DocumentFactory(project=project, text="First text")
    texts.text_of(Document.objects.defer("text").get(pk=first.pk))
    pk = first.pk
    first.delete()
    second = DocumentFactory(project=project, pk=pk, text="Second text")
    assert texts.text_of(Document.objects.defer("text").get(pk=second.pk)) == "Second text"
