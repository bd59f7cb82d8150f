"""The keyboard alone (issue 26): an editor makes a mark, opens it from the text, edits, cites and links it, and comes
back to the text, without the mouse; focus follows every save and every error."""

import re

from playwright.sync_api import expect

from annotator import services
from annotator.models import Annotation, Citation, Link
from annotator.services import sources as source_services

from ..factories import DocumentFactory

FOCUSED_ID = "() => document.activeElement && (document.activeElement.id || document.activeElement.tagName)"


def tab_to(page, selector: str, limit: int = 60):
    """Press Tab until the element matching `selector` has focus; how many Tabs it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {limit} Tabs; focus on {page.evaluate(FOCUSED_ID)}")


def press_and_wait(page, key: str, path: str):
    """Press `key`, which sends a form of the panel, and wait for its answer to be on the page."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(path)):
        page.keyboard.press(key)
    page.wait_for_function("() => !document.querySelector('#mark-detail .htmx-request, #mark-detail.htmx-request')")


def test_an_editor_makes_opens_edits_cites_and_links_a_mark_without_the_mouse(
    login, live_server, document, annotator, labels
):
    start = document.text.index("Getty argues")
    target = services.annotate(
        user=annotator, document=document, start=start, end=start + 12, exact="Getty argues", label=labels["claim"]
    )
    source_services.create_source(
        user=annotator,
        project=document.project,
        type="book",
        title="Origins of the Purges",
        authors=[{"family": "Getty", "given": "J. Arch"}],
        issued="1985",
    )
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    text = page.locator("#doc-text")
    panel = page.locator("#mark-detail")

    # Into the text from the top of the page, then select "Did Stalin" with Shift and the arrows; 2 is Evidence.
    tab_to(page, "#doc-text")
    page.keyboard.press("Control+Home")
    for _ in range(10):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("2")
    expect(panel.get_by_role("heading", level=2)).to_contain_text("Evidence by")
    expect(panel).not_to_have_attribute("aria-busy", "true")
    made = Annotation.objects.get(span__exact="Did Stalin")
    piece = text.locator(f'.m[data-marks~="{made.pk}"]')
    # The label is said beyond colour: the highlight is a <mark> described as "Evidence by …", with an underline.
    expect(piece).to_have_js_property("tagName", "MARK")
    expect(piece).to_have_accessible_description(f"Evidence by {annotator.username}")
    assert piece.evaluate("e => getComputedStyle(e).textDecorationLine") == "underline"

    # Back to the text, and from its start "]" goes to the next mark: the caret is in it and the toolbar says so.
    page.keyboard.press("Escape")
    expect(text).to_be_focused()
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("]")
    expect(page.locator("#selection-info")).to_have_text(f"In Claim by {annotator.username}. Enter opens it.")
    page.keyboard.press("[")
    expect(page.locator("#selection-info")).to_have_text(f"In Evidence by {annotator.username}. Enter opens it.")
    page.keyboard.press("Enter")
    expect(panel).to_have_attribute("data-annotation", str(made.pk))
    expect(panel).to_be_focused()

    # Edit: Tab to the note, type, Tab to Save, Enter. Focus stays on Save, in the panel drawn anew.
    note = panel.get_by_label("Note")
    tab_to(page, "#mark-detail textarea[name=note]")
    page.keyboard.type("Asked, not answered.")
    tab_to(page, "#mark-detail .mark-edit button[type=submit]")
    press_and_wait(page, "Enter", f"/annotations/{made.pk}/edit/")
    expect(panel.locator(".mark-edit button[type=submit]")).to_be_focused()
    expect(note).to_have_value("Asked, not answered.")
    made.refresh_from_db()
    assert made.note == "Asked, not answered."

    # Cite: Tab to the source search, type, Tab into the results, pick the one found, Tab on and cite.
    tab_to(page, "#mark-detail input[name=q]")
    page.keyboard.type("Origins")
    result = panel.get_by_role("radio", name=re.compile("Origins of the Purges"))
    expect(result).to_be_visible()
    tab_to(page, "#mark-detail .picker-results input[type=radio]")
    page.keyboard.press("Space")
    expect(result).to_be_checked()
    tab_to(page, "#mark-detail input[name=locator]")
    page.keyboard.type("p. 38")
    tab_to(page, "#mark-detail .cite-form button[type=submit]")
    press_and_wait(page, "Enter", f"/annotations/{made.pk}/citations/")
    expect(panel.locator(".citation")).to_contain_text("Origins of the Purges")
    assert Citation.objects.get().annotation == made
    # After the save focus is in the sources section, not on the page's body.
    page.wait_for_function("() => Boolean(document.activeElement.closest('#mark-detail .mark-sources'))")

    # An error: a new source without a title (a space gets past the browser's check). Focus goes to the field at
    # fault, which is marked invalid and described by its error.
    page.expected_errors.append("status of 422")
    tab_to(page, "#mark-detail .new-source summary")
    page.keyboard.press("Enter")
    tab_to(page, "#mark-detail input[name=new-title]")
    page.keyboard.type(" ")
    tab_to(page, "#mark-detail .new-source button[type=submit]")
    press_and_wait(page, "Enter", f"/annotations/{made.pk}/citations/new-source/")
    title = panel.get_by_label("Title", exact=True)
    expect(title).to_be_focused()
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description("A source needs a title.")
    assert Citation.objects.count() == 1

    # Link: "l" opens Link to… with the caret in its search; the one match is picked; Tab on to Save the link.
    tab_to(page, "#mark-detail .new-source button[type=submit]")  # out of the field: "l" is a letter there
    page.keyboard.press("l")
    expect(panel.get_by_label("Find a mark by its words")).to_be_focused()
    page.keyboard.type("Getty")
    expect(panel.get_by_role("radio", name=re.compile("Getty argues"))).to_be_checked()
    tab_to(page, "#mark-detail #link-new button[type=submit]")
    press_and_wait(page, "Enter", f"/annotations/{made.pk}/links/new/")
    expect(panel.locator(".link-item")).to_have_count(1)
    link = Link.objects.get()
    assert (link.from_annotation, link.to_annotation) == (made, target)
    # Focus is in the links section, from which Escape comes back to the text, with the caret where it was.
    page.wait_for_function("() => Boolean(document.activeElement.closest('#mark-detail #mark-links'))")
    page.keyboard.press("Escape")
    expect(text).to_be_focused()
    page.keyboard.press("]")
    expect(page.locator("#selection-info")).to_have_text(f"In Claim by {annotator.username}. Enter opens it.")
    page.keyboard.press("Enter")
    expect(panel).to_have_attribute("data-annotation", str(target.pk))
    assert page.errors == []


def test_the_next_mark_key_reaches_a_mark_in_a_part_of_a_long_text_not_drawn_yet(
    login, live_server, project, annotator, labels
):
    text = "".join(f"Paragraph {n}: the regional party branches pressed for quotas again.\n\n" for n in range(600))
    document = DocumentFactory(project=project, title="Long", text=text)
    words = "Paragraph 555: the regional"
    start = text.index(words)
    far = services.annotate(
        user=annotator, document=document, start=start, end=start + len(words), exact=words, label=labels["claim"]
    )
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    text_box = page.locator("#doc-text")
    expect(text_box.locator(f'.m[data-marks~="{far.pk}"]')).to_have_count(0)  # its part is not drawn yet
    tab_to(page, "#doc-text")
    page.keyboard.press("Control+Home")
    page.keyboard.press("]")
    expect(page.locator("#selection-info")).to_have_text(f"In Claim by {annotator.username}. Enter opens it.")
    page.keyboard.press("Enter")
    expect(page.locator("#mark-detail")).to_have_attribute("data-annotation", str(far.pk))
    page.keyboard.press("Escape")
    page.keyboard.press("]")
    expect(page.locator("#selection-info")).to_have_text("No mark after the caret.")


def test_the_keys_list_names_every_key_the_document_page_answers(login, live_server, document, annotator, labels):
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.keyboard.press("?")
    keys = page.get_by_role("dialog", name="Keys on this page")
    expect(keys).to_be_visible()
    listed = keys.inner_text()
    for key in ["]", "[", "Alt", "Enter", "Shift", "Escape", "l", *(label.shortcut for label in labels.values())]:
        assert key in listed, key
    expect(keys.get_by_text("Move the caret to the next / previous mark")).to_be_visible()
    expect(keys.get_by_text("Open the mark at the caret")).to_be_visible()
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()
