"""A long document in a real Chromium: parts of the text fetch their marks as the editor scrolls to them,
a passage far down is marked at the right offsets, the list loads more marks as it is scrolled, and
another editor's new mark takes its place in the list in text order."""

from django.db import transaction
from playwright.sync_api import expect

from annotator import document_page, reads, services
from annotator import text as textlib
from annotator.models import Annotation

from ..factories import DocumentFactory
from .conftest import select_text

TEXT = "".join(
    f"Paragraph {n}: the regional party branches 😀 pressed Moscow for higher quotas, and Москва agreed.\n\n"
    for n in range(900)
)


def scroll_to_block(page, number):
    """Scroll as a reader does: to the part holding the block (laid out at its estimated size while off
    screen), then to the block once its part is drawn. Chromium's scrollIntoView of an element inside a
    part it has not laid out lands by the estimate, on another part."""
    part = page.locator(f"#block-{number}").evaluate(
        "b => { const p = b.closest('.part'); p.scrollIntoView(); return p.id; }"
    )
    expect(page.locator(f"#{part}:not([data-lazy])")).to_have_count(1)  # its marks have come
    page.locator(f"#block-{number}").scroll_into_view_if_needed()


def test_an_editor_works_far_down_a_long_document(login, live_server, project, annotator, annotator2, labels):
    document = DocumentFactory(project=project, title="Long thread", text=TEXT)
    bounds = textlib.split_blocks(TEXT)
    for n in range(0, 900, 9):  # 100 marks, one every ninth paragraph
        start = bounds[n][0] + 13
        services.annotate(
            user=annotator2,
            document=document,
            start=start,
            end=start + 25,
            exact=TEXT[start : start + 25],
            label=labels["claim"],
        )
    deep = Annotation.objects.get(span__start=bounds[801][0] + 13)
    assert len(document_page.layout_of(document).parts) > 10

    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    expect(page.locator("#mark-count")).to_have_text("100 marks")
    expect(page.locator(f'#doc-text .m[data-marks~="{deep.pk}"]')).to_have_count(0)  # its part is not drawn yet

    # Scrolled to, its part fetches its marks.
    scroll_to_block(page, 801)
    expect(page.locator(f'#doc-text .m[data-marks~="{deep.pk}"]')).to_have_text(TEXT[deep.span.start : deep.span.end])

    # Mark a passage with an emoji and Cyrillic, far down: the offsets are the text's.
    start = TEXT.index("😀 pressed Moscow for higher quotas, and Москва", bounds[850][0])
    end = start + len("😀 pressed Moscow for higher quotas, and Москва")
    scroll_to_block(page, 850)
    expect(page.locator("#block-850 .p")).not_to_have_count(0)
    select_text(page, start, end)
    page.get_by_role("button", name="Evidence").click()
    expect(page.locator("#block-850 .m")).to_have_text(TEXT[start:end])
    mine = Annotation.objects.get(created_by=annotator)
    assert (mine.span.start, mine.span.end, mine.span.exact) == (start, end, TEXT[start:end])
    expect(page.locator("#mark-count")).to_have_text("101 marks")

    # The list shows a page of marks; scrolling it brings the next pages, in text order.
    items = page.locator("#mark-list .mark-item")
    expect(items).to_have_count(reads.LIST_PAGE)
    for _ in range(6):
        page.locator("#mark-list .mark-item").last.scroll_into_view_if_needed()
    expect(items).to_have_count(101)
    expected = list(
        Annotation.objects.filter(span__document=document)
        .order_by("span__start", "span__end", "id")
        .values_list("pk", flat=True)
    )
    assert [int(pk) for pk in items.evaluate_all("els => els.map(e => e.id.slice(5))")] == expected

    # Another editor's new mark comes into the list at its place, live.
    start = bounds[400][0]
    other = services.annotate(
        user=annotator2,
        document=document,
        start=start,
        end=start + 9,
        exact=TEXT[start : start + 9],
        label=labels["quotation"],
    )
    expect(page.locator(f"#mark-{other.pk}")).to_be_visible(timeout=8000)
    expected = list(
        Annotation.objects.filter(span__document=document)
        .order_by("span__start", "span__end", "id")
        .values_list("pk", flat=True)
    )
    assert [int(pk) for pk in items.evaluate_all("els => els.map(e => e.id.slice(5))")] == expected
    expect(page.locator("#mark-count")).to_have_text("102 marks")
    assert page.errors == []


def test_a_page_that_missed_many_changes_redraws_whole_and_keeps_fetching_parts(
    login, live_server, project, annotator, annotator2, labels
):
    document = DocumentFactory(project=project, title="Long thread", text=TEXT)
    bounds = textlib.split_blocks(TEXT)
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    expect(page.locator("#mark-count")).to_have_text("0 marks")
    # More changes than the poll goes through one by one (an editor back from a long pause). The live server shares
    # the test's database connection, so a poll could see the marks one by one as they are made: the page's polls
    # hear "nothing changed" until all are there, and the next poll finds them all at once.
    page.route("**/changes/**", lambda route: route.fulfill(status=204))
    with transaction.atomic():
        for n in range(reads.MAX_CHANGES_FOR_PARTIAL_REDRAW + 5):
            start = bounds[n * 4][0]
            services.annotate(
                user=annotator2,
                document=document,
                start=start,
                end=start + 9,
                exact=TEXT[start : start + 9],
                label=labels["claim"],
            )
    page.unroute("**/changes/**")
    expect(page.locator("#mark-count")).to_have_text("205 marks", timeout=8000)
    expect(page.locator("#mark-list .mark-item")).to_have_count(reads.LIST_PAGE)
    last = Annotation.objects.order_by("-span__start").first()
    page.locator(
        f"#block-{(reads.MAX_CHANGES_FOR_PARTIAL_REDRAW + 4) * 4}"
    ).scroll_into_view_if_needed()  # the last mark's
    expect(page.locator(f'#doc-text .m[data-marks~="{last.pk}"]')).to_have_text(TEXT[last.span.start : last.span.end])
    assert page.errors == []
