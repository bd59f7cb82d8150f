"""Marking up a document in a real Chromium: select, tag, see it, edit, delete, and watch others live."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotator import services
from annotator.models import Annotation

from ..factories import DocumentFactory
from .conftest import select_text

EMOJI_TEXT = (
    "Family 👨‍👩‍👧 and flags 🇷🇺 before the claim; e\u0301 combines.\n"
    "\u00a0\n"
    "“The purge was planned from the centre,” he wrote.\u00a0Then more text follows here.\n"
)


def open_document(page, live_server, document):
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    expect(page.locator("#doc-text")).to_be_visible()


def test_an_editor_tags_a_sentence_of_a_seed_as_claim(login, live_server, document, annotator):
    page = login(annotator)
    open_document(page, live_server, document)
    start = document.text.index("Getty argues")
    end = document.text.index(";", start)
    select_text(page, start, end)
    page.get_by_role("button", name="Claim").click()

    highlight = page.locator("#doc-text .m")
    expect(highlight).to_have_text("Getty argues the centre restrained local zeal")
    expect(page.locator("#announcer")).to_have_text("Mark saved.")  # said to screen readers
    expect(page.locator("#mark-list .mark-item")).to_have_count(1)
    expect(page.locator("#mark-list")).to_contain_text("ann")
    assert page.evaluate("getSelection().isCollapsed")
    span = Annotation.objects.get().span
    assert (span.start, span.end, span.exact) == (start, end, document.text[start:end])
    assert page.errors == []


def test_offsets_after_emoji_and_combining_marks_are_code_points(login, live_server, project, annotator):
    document = DocumentFactory(project=project, title="Emoji", text=EMOJI_TEXT)
    page = login(annotator)
    open_document(page, live_server, document)
    start = EMOJI_TEXT.index("The purge")
    end = EMOJI_TEXT.index(",”")
    select_text(page, start, end)
    page.keyboard.press("3")  # Quotation's shortcut
    expect(page.locator("#doc-text .m")).to_have_text("The purge was planned from the centre")
    annotation = Annotation.objects.get()
    assert annotation.label.key == "quotation"
    assert (annotation.span.start, annotation.span.end) == (start, end)
    assert EMOJI_TEXT[annotation.span.start : annotation.span.end] == annotation.span.exact


def test_a_selection_across_blocks_and_into_a_highlight_works(login, live_server, project, annotator, labels):
    document = DocumentFactory(project=project, title="Emoji", text=EMOJI_TEXT)
    inner = EMOJI_TEXT.index("flags")
    services.annotate(
        user=annotator, document=document, start=inner, end=inner + 5, exact="flags", label=labels["evidence"]
    )
    page = login(annotator)
    open_document(page, live_server, document)
    start = inner + 2  # inside the existing highlight
    end = EMOJI_TEXT.index("planned")  # in the third block
    select_text(page, start, end)
    page.get_by_role("button", name="Claim").click(modifiers=["Shift"])  # exactly these characters, not whole words
    expect(page.locator("#mark-list .mark-item")).to_have_count(2)
    span = Annotation.objects.get(label__key="claim").span
    assert (span.start, span.end) == (start, end)
    assert "\u00a0\n" in span.exact
    # Where the two marks overlap, the piece carries both.
    expect(page.locator("#doc-text .m[data-marks*=' ']")).to_have_text("ags")


def test_the_keyboard_alone_selects_and_tags_text(login, live_server, document, annotator):
    page = login(annotator)
    open_document(page, live_server, document)
    page.locator("#doc-text").focus()
    page.keyboard.press("Control+Home")
    for _ in range(10):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("2")
    expect(page.locator("#doc-text .m")).to_have_text(document.text[:10])
    assert Annotation.objects.get().label.key == "evidence"
    assert document.text.startswith(page.locator("#doc-text").inner_text()[:10])  # the text was not edited


def test_a_second_editor_sees_the_mark_appear_live(login, live_server, document, annotator, annotator2):
    first = login(annotator)
    second = login(annotator2)
    open_document(first, live_server, document)
    open_document(second, live_server, document)
    select_text(first, 0, 10)
    first.get_by_role("button", name="Evidence").click()
    expect(first.locator("#doc-text .m")).to_have_count(1)
    # The second page polls; within 5 seconds the mark and its author show without a reload.
    expect(second.locator("#doc-text .m")).to_have_count(1, timeout=5000)
    expect(second.locator("#mark-list")).to_contain_text("ann")
    # Both mark the same text: they share the span and the panel lists both.
    select_text(second, 0, 10)
    second.get_by_role("button", name="Claim").click()
    expect(second.locator("#mark-list .mark-item")).to_have_count(2)
    expect(first.locator("#mark-list .mark-item")).to_have_count(2, timeout=5000)
    assert Annotation.objects.values("span").distinct().count() == 1


def test_the_author_edits_and_deletes_a_mark(login, live_server, document, annotator, labels):
    services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["claim"]
    )
    page = login(annotator)
    open_document(page, live_server, document)
    page.locator("#doc-text .m").click()
    panel = page.locator("#mark-detail")
    expect(page.locator("#doc-text .m.focused")).to_have_count(1)  # the open mark is outlined in the text
    panel.get_by_label("Label").select_option(label="Evidence")
    panel.get_by_label("Note").fill("Rests on the archive <b>only</b>")
    panel.get_by_role("button", name="Save").click()
    expect(page.locator("#mark-list .badge")).to_have_text("Evidence")
    expect(panel.get_by_label("Note")).to_have_value("Rests on the archive <b>only</b>")
    assert Annotation.objects.get().note == "Rests on the archive <b>only</b>"

    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Delete mark").click()
    expect(page.locator("#mark-detail")).to_contain_text("Mark deleted")
    expect(page.locator("#announcer")).to_have_text("Mark deleted.")
    expect(page.locator("#doc-text .m")).to_have_count(0)
    assert not Annotation.objects.exists()


def test_another_editors_mark_is_read_only_and_a_forged_post_is_refused(
    login, live_server, document, annotator, annotator2, labels
):
    mark = services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["claim"]
    )
    page = login(annotator2)
    open_document(page, live_server, document)
    page.locator("#doc-text .m").click()
    expect(page.locator("#mark-detail")).to_contain_text("Only ann can change this mark")
    expect(page.get_by_role("button", name="Delete mark")).to_have_count(0)
    page.expected_errors.append("status of 403")  # the forged delete, refused
    status = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const body = new URLSearchParams({version: '1'});
            const r = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token, 'HX-Request': 'true'}});
            return r.status;
        }""",
        f"{live_server.url}/annotations/{mark.pk}/delete/",
    )
    assert status == 403
    assert Annotation.objects.filter(pk=mark.pk).exists()


def test_a_stale_page_gets_a_visible_message_and_saves_nothing(login, live_server, document, annotator):
    page = login(annotator)
    open_document(page, live_server, document)
    select_text(page, 0, 10)
    # The page's copy of the text no longer matches the document (as after an unseen revision).
    page.evaluate(
        "document.querySelector('#doc-text .p').firstChild.data = 'XXXXXXXXXXXX' + document.querySelector('#doc-text .p').firstChild.data.slice(12)"
    )
    page.expected_errors.append("status of 422")  # the refused mark
    select_text(page, 0, 10)
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("alert")).to_contain_text("does not match")
    assert not Annotation.objects.exists()


def test_the_document_page_has_no_serious_accessibility_violations(login, live_server, document, annotator, labels):
    services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["claim"]
    )
    page = login(annotator)
    open_document(page, live_server, document)
    page.locator("#doc-text .m").click()
    expect(page.locator("#mark-detail h2")).to_be_visible()
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    # Focus is visible: the focused text box draws an outline.
    page.locator("#doc-text").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none" and re.match(r"\w+", outline)


def test_two_marks_made_before_the_count_comes_back_leave_the_list_whole(login, live_server, document, annotator):
    # Each save asks for the mark count anew. The second save's request used to replace the element of the first
    # while its answer was on its way; htmx then looked for that answer's #orphans in the detached element.
    page = login(annotator)
    open_document(page, live_server, document)
    held = []
    page.route("**/marks/count/**", lambda route: held.append(route))
    for made, (start, key) in enumerate([(0, "1"), (40, "2")], start=1):
        select_text(page, start, start + 8)
        page.keyboard.press(key)
        expect(page.locator("#doc-text .m")).to_have_count(made)
        for _ in range(50):
            if len(held) == made:
                break
            page.wait_for_timeout(100)
    assert len(held) == 2
    for route in held:
        route.continue_()
    expect(page.locator("#mark-count")).to_have_text("2 marks")
    expect(page.locator("#orphans")).to_have_count(1)
    page.wait_for_timeout(300)
