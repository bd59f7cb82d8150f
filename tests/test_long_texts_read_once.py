"""Pages that list marks never read a document's text once per mark: a long text is a megabyte, and the
argument map of a 10,000-mark document took 25 s reading it for each claim."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import services

from .conftest import client_for

TEXT_COLUMN = '"annotator_document"."text"'


def _text_reads(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if TEXT_COLUMN in q["sql"]]


@pytest.mark.parametrize(
    "url_name,by",
    [
        ("document_map", "document"),
        ("project_map", "project"),
        ("review_queue", "project"),
        ("link_queue", "project"),
        ("admin:annotator_annotation_changelist", None),
        ("admin:annotator_span_changelist", None),
        ("admin:annotator_change_changelist", None),
        ("admin:annotator_document_changelist", None),
    ],
)
def test_lists_of_marks_read_no_text_per_mark(document, annotator, manager, labels, url_name, by):
    manager.is_staff = manager.is_superuser = True
    manager.save()
    for start in range(0, 40, 8):
        services.annotate(
            user=annotator,
            document=document,
            start=start,
            end=start + 5,
            exact=document.text[start : start + 5],
            label=labels["claim"],
        )
    args = {"document": [document.pk], "project": [document.project_id], None: []}[by]
    reads = _text_reads(client_for(manager), reverse(url_name, args=args))
    # At most the page's own document, read by its id.
    assert all('WHERE "annotator_document"."id" =' in sql for sql in reads), reads
    assert len(reads) <= 1
