"""A long document: its text comes in parts fetched as they near the viewport, its list of marks a page
at a time, and a change sends only the blocks and list entries it touched."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import document_page, reads, services
from annotator import text as textlib
from annotator.models import Annotation

from .conftest import client_for
from .factories import DocumentFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
LONG_TEXT = "".join(f"Paragraph {n}: the regional party branches pressed for quotas 😀 again.\n\n" for n in range(600))


@pytest.fixture
def long_document(project):
    return DocumentFactory(project=project, title="Long", text=LONG_TEXT)


def mark(user, document, start, end, label):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label
    )


def mark_every_paragraph(document, users, labels, count, offset=0):
    """One mark in each of `count` paragraphs, spread over the whole text."""
    bounds = textlib.split_blocks(document.text)
    step = max(1, len(bounds) // count)
    made = []
    for n in range(count):
        start = bounds[(n * step + offset) % len(bounds)][0] + 13
        made.append(mark(users[n % len(users)], document, start, start + 20, list(labels.values())[n % 3]))
    return made


def pieces_of(body):
    return [
        (int(start), html.unescape(text))
        for start, text in re.findall(
            r'<(?:span|mark) class="[^"]*" data-start="(\d+)"[^>]*>([^<]*)</(?:span|mark)>', body
        )
    ]


def test_the_page_draws_the_first_part_with_its_marks_and_the_others_plain_with_every_character(
    long_document, annotator, labels
):
    first, deep = mark_every_paragraph(long_document, [annotator], labels, 2)
    body = client_for(annotator).get(reverse("document_detail", args=[long_document.pk])).content.decode()
    layout = document_page.layout_of(long_document)
    assert len(layout.parts) > 3
    assert f'data-marks="{first.pk}"' in body and f'data-marks="{deep.pk}"' not in body
    assert f'hx-get="/documents/{long_document.pk}/parts/1/?v=1"' in body and 'hx-trigger="near-viewport once"' in body
    assert body.count('class="block"') == len(textlib.split_blocks(LONG_TEXT))
    # Every character is on the page, at the offset its piece says (so selection works before a part loads).
    text = "".join(piece for _, piece in pieces_of(body))
    assert text == LONG_TEXT
    assert all(LONG_TEXT[start : start + len(piece)] == piece for start, piece in pieces_of(body))


def test_a_part_comes_with_its_marks(long_document, annotator, labels):
    _, deep = mark_every_paragraph(long_document, [annotator], labels, 2)
    layout = document_page.layout_of(long_document)
    number = next(
        n for n in range(len(layout.parts)) if layout.part_range(n)[0] <= deep.span.start < layout.part_range(n)[1]
    )
    response = client_for(annotator).get(reverse("document_part", args=[long_document.pk, number]), {"v": 1}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and f'<div id="part-{number}" class="part"' in body
    assert f'data-marks="{deep.pk}"' in body and "hx-get" not in body
    start, end = layout.part_range(number)
    assert "".join(piece for _, piece in pieces_of(body)) == LONG_TEXT[start:end]


def test_a_part_asked_for_by_a_page_of_an_earlier_version_reloads_it(long_document, annotator):
    client = client_for(annotator)
    stale = client.get(reverse("document_part", args=[long_document.pk, 1]), {"v": 0}, **HTMX)
    assert stale.status_code == 200 and stale["HX-Refresh"] == "true"
    assert client.get(reverse("document_part", args=[long_document.pk, 999]), {"v": 1}, **HTMX).status_code == 404


def _entries(body):
    return [int(pk) for pk in re.findall(r'<li id="mark-(\d+)" class="mark-item', body)]


def _more(body):
    found = re.search(r'<li class="more" data-after="([\d.]+)"', body)
    return found.group(1) if found else None


def test_the_list_comes_a_page_at_a_time_in_text_order(long_document, annotator, annotator2, labels):
    mark_every_paragraph(long_document, [annotator, annotator2], labels, 95)
    client = client_for(annotator)
    url = reverse("mark_list", args=[long_document.pk])
    body = client.get(url).content.decode()
    assert "95 marks" in body
    seen = _entries(body)
    assert len(seen) == reads.LIST_PAGE
    after = _more(body)
    while after:
        body = client.get(url, {"after": after}, **HTMX).content.decode()
        seen += _entries(body)
        after = _more(body)
    expected = Annotation.objects.filter(span__document=long_document).order_by("span__start", "span__end", "id")
    assert seen == [a.pk for a in expected]
    # Filtered, the pages hold only what passes.
    body = client.get(url, {"f_author": annotator2.pk}).content.decode()
    assert "47 of 95 marks" in body
    assert set(_entries(body)) <= set(expected.filter(created_by=annotator2).values_list("pk", flat=True))


def test_a_change_sends_the_list_entries_of_the_region_it_touched(long_document, annotator, annotator2, labels):
    mark_every_paragraph(long_document, [annotator], labels, 60)
    watcher = client_for(annotator)
    since = long_document.__class__.objects.get(pk=long_document.pk).revision
    start = long_document.text.index("Paragraph 300:")
    new = mark(annotator2, long_document, start, start + 9, labels["evidence"])
    poll = reverse("document_changes", args=[long_document.pk])
    body = watcher.get(poll, {"since": since}, **HTMX).content.decode()
    assert f'data-regions="{start}-{start + 9}"' in body
    assert _entries(body) == [new.pk]
    # The revision, one block, the list's entries, the count's refresh: nothing else of the page is sent again.
    assert 'id="block-300" class="block" hx-swap-oob="true"' in body
    assert body.count('hx-swap-oob="true"') == 4  # block, revision, pass, list
    assert body.count('hx-swap-oob="beforeend:#count-refreshes"') == 1  # the count, asked for anew
    # Filtered on another label: the region comes, without the entry.
    body = watcher.get(poll, {"since": since, "f_label": labels["claim"].pk}, **HTMX).content.decode()
    assert f'data-regions="{start}-{start + 9}"' in body and _entries(body) == []
    # A deletion: the region comes back empty, so the page drops the entry.
    services.delete_annotation(user=annotator2, annotation=new)
    body = watcher.get(poll, {"since": since + 1}, **HTMX).content.decode()
    assert f'data-regions="{start}-{start + 9}"' in body and _entries(body) == []


def test_the_count_and_the_orphans_come_in_their_own_request(long_document, annotator, annotator2, labels):
    mark_every_paragraph(long_document, [annotator, annotator2], labels, 3)
    body = (
        client_for(annotator)
        .get(reverse("mark_count", args=[long_document.pk]), {"f_author": annotator.pk}, **HTMX)
        .content.decode()
    )
    assert '<p id="mark-count"' in body and "2 of 3 marks" in body
    assert 'id="orphans" hx-swap-oob="true"' in body


def _queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {}, **HTMX)
    assert response.status_code in (200, 204), response.content[:300]
    return len(ctx.captured_queries)


def test_parts_pages_counts_and_new_marks_take_a_fixed_number_of_queries(long_document, annotator, annotator2, labels):
    client = client_for(annotator)
    doc = long_document.pk
    free = iter(textlib.split_blocks(LONG_TEXT)[::7])

    def measure():
        start = next(free)[0]
        revision = long_document.__class__.objects.get(pk=doc).revision
        return (
            _queries(client, "get", reverse("document_part", args=[doc, 2]), {"v": 1}),
            _queries(client, "get", reverse("mark_list", args=[doc]), {"after": "0.0.0"}),
            _queries(client, "get", reverse("mark_count", args=[doc])),
            _queries(
                client,
                "post",
                reverse("annotation_create", args=[doc]),
                {
                    "start": start,
                    "end": start + 9,
                    "exact": LONG_TEXT[start : start + 9],
                    "label": labels["claim"].pk,
                    "since": revision,
                },
            ),
        )

    mark_every_paragraph(long_document, [annotator], labels, 2, offset=1)
    # Warm up: a document's layout is kept per process after its first use (one query then), as its text is.
    measure()
    few = measure()
    mark_every_paragraph(long_document, [annotator, annotator2], labels, 150, offset=3)
    assert measure() == few
