"""The browser's console stays clean: a page that logs an error, breaks the CSP or swaps out of band into nothing
fails its test (tests/browser/conftest.py), and the pages of an ordinary day log nothing."""

from django.urls import reverse
from playwright.sync_api import expect

from annotator import services
from annotator.services import links as link_services

from ..factories import UserFactory
from .conftest import select_text


def test_the_tests_see_an_out_of_band_swap_without_a_target_and_a_csp_violation(
    login, live_server, document, annotator
):
    # htmx dispatches htmx:oobErrorNoTarget without logging it, and a refused inline style was only caught when
    # Chromium's message happened to be read: both went unseen.
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.evaluate("""() => {
        htmx.swap("#main", '<div id="nowhere-on-this-page" hx-swap-oob="true"></div>', {swapStyle: "beforeend"});
        document.getElementById("main").insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
    }""")
    expect(page.locator("#main")).to_contain_text("styled")
    page.wait_for_timeout(300)  # the violation event is dispatched after the element is added
    errors = "\n".join(page.console_errors)
    assert "htmx:oobErrorNoTarget #nowhere-on-this-page" in errors
    assert "CSP violation of style-src" in errors
    page.expected_errors += ["oobErrorNoTarget", "CSP violation", "Content Security Policy"]


def test_a_days_pages_log_nothing_to_the_console(login, live_server, document, annotator, annotator2, reviewer, labels):
    # Checked when the test ends (tests/browser/conftest.py): no console error on any of these pages, for any of them.
    project = document.project
    # Made before any page is open: the test's own writes would meet the live server's reads on SQLite.
    evidence = services.annotate(
        user=annotator2, document=document, start=11, end=24, exact=document.text[11:24], label=labels["evidence"]
    )
    claim = services.annotate(
        user=annotator2, document=document, start=30, end=40, exact=document.text[30:40], label=labels["claim"]
    )
    link_services.create_link(
        user=annotator2, from_annotation=evidence, type=project.link_types.get(key="supports"), to_annotation=claim
    )
    editor, writer = login(annotator), login(annotator2)
    for page in (editor, writer):
        page.goto(f"{live_server.url}/documents/{document.pk}/")
        expect(page.locator("#mark-entries .mark-item")).to_have_count(2)
    select_text(editor, 0, 10)
    editor.get_by_role("button", name="Claim").click()
    expect(editor.locator("#mark-detail")).to_contain_text("History")
    select_text(writer, 41, 50)
    writer.get_by_role("button", name="Evidence").click()
    expect(editor.locator("#mark-entries .mark-item")).to_have_count(4, timeout=6000)  # the poll brought it
    editor.locator("#doc-text .m").first.click()
    expect(editor.locator("#mark-links")).to_be_visible()
    assert editor.evaluate("document.head.querySelectorAll('style').length") == 0  # htmx added no indicator style
    reviewing = login(reviewer)
    staff = login(UserFactory(username="root", is_staff=True, is_superuser=True))
    pages = [
        (editor, reverse("project_detail", args=[project.pk])),
        (editor, reverse("source_list", args=[project.pk])),
        (editor, reverse("document_map", args=[document.pk])),
        (editor, reverse("agreement_index", args=[project.pk])),
        (editor, reverse("project_export", args=[project.pk])),
        (editor, reverse("document_versions", args=[document.pk])),
        (reviewing, reverse("review_queue", args=[project.pk])),
        (reviewing, reverse("link_queue", args=[project.pk])),
        (reviewing, reverse("document_detail", args=[document.pk])),
        (staff, reverse("admin:index")),
        (staff, reverse("admin:annotator_annotation_changelist")),
    ]
    for page, url in pages:
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    reviewing.goto(live_server.url + reverse("review_queue", args=[project.pk]))
    reviewing.get_by_role("button", name="Accept").first.click()
    expect(reviewing.locator(".review-item .outcome").first).to_contain_text("Accepted")


def test_a_poll_answered_after_the_page_saved_a_mark_lands_in_the_page(
    login, live_server, document, annotator, annotator2, labels
):
    # The answer to a save replaced the poller; a poll of the old poller answered after that looked for its blocks in
    # the detached element: htmx:oobErrorNoTarget for each block, the list's entries and the count.
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    expect(page.locator("#doc-text")).to_be_visible()
    held, holding = [], [True]
    page.route("**/changes/**", lambda route: held.append(route) if holding[0] else route.continue_())
    page.wait_for_timeout(2500)  # the next poll leaves, and is held
    assert held
    services.annotate(
        user=annotator2, document=document, start=20, end=30, exact=document.text[20:30], label=labels["evidence"]
    )
    select_text(page, 0, 10)
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#mark-detail")).to_contain_text("History")
    holding[0] = False
    with page.expect_response("**/changes/**") as answer:
        for route in held:
            route.continue_()
    assert answer.value.status == 200
    page.wait_for_timeout(500)  # htmx swaps the answer in (the errors came then)
    expect(page.locator("#mark-entries .mark-item")).to_have_count(2)
    expect(page.locator('#doc-text .m[data-start="20"]')).to_have_count(1)


def test_a_swap_over_an_element_styled_through_the_cssom_breaks_no_csp(login, live_server, document, annotator):
    # htmx settles a swapped element's `style` by copying the old element's attribute onto the new one, which the
    # CSP refuses as an inline style. An element gets a style attribute from scripts that use the CSSOM (allowed),
    # such as a browser extension's; htmx is told to settle no style (base.html), so the swap logs nothing.
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.evaluate(
        """() => { for (const id of ["since", "poll-pass"]) document.getElementById(id).style.color = "red"; }"""
    )
    select_text(page, 0, 10)
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#mark-detail")).to_contain_text("History")
    page.wait_for_timeout(300)  # the violation event is dispatched after the swap
    assert page.evaluate("document.getElementById('since').getAttribute('style')") is None  # the new one, unstyled
