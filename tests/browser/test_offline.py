"""A lost connection: the page says it is offline, and catches up without a reload when the connection is back."""

from playwright.sync_api import expect

from .conftest import select_text


def test_the_page_shows_it_is_offline_and_catches_up_when_back(login, live_server, document, annotator, annotator2):
    reader = login(annotator)
    writer = login(annotator2)
    for page in (reader, writer):
        page.goto(f"{live_server.url}/documents/{document.pk}/")
        expect(page.locator("#doc-text")).to_be_visible()
    banner = reader.locator("#offline")
    expect(banner).to_be_hidden()

    reader.evaluate("window.sameLoad = true")  # gone if the page reloads
    # The failed polls: Chromium's network error, and htmx's own report of it.
    reader.expected_errors += ["ERR_INTERNET_DISCONNECTED", "htmx:sendError", "htmx:afterRequest"]
    reader.context.set_offline(True)
    # The next poll fails: within a poll interval (2 s) or two the banner says so.
    expect(banner).to_be_visible(timeout=6000)
    expect(banner).to_contain_text("Connection lost")

    # Meanwhile another editor marks the text; the offline page cannot know yet.
    select_text(writer, 0, 10)
    writer.get_by_role("button", name="Claim").click()
    expect(writer.locator("#doc-text .m")).to_have_count(1)
    reader.wait_for_timeout(2500)  # at least one more failed poll
    expect(reader.locator("#doc-text .m")).to_have_count(0)
    expect(banner).to_be_visible()

    reader.context.set_offline(False)
    # The next poll asks for everything since the last revision it saw: the mark appears, the banner goes.
    expect(reader.locator("#doc-text .m")).to_have_count(1, timeout=6000)
    expect(reader.locator("#mark-list")).to_contain_text("ann2")
    expect(banner).to_be_hidden()
    assert reader.evaluate("window.sameLoad === true")
    assert reader.errors == []


def test_a_proxy_saying_the_app_is_unreachable_also_shows_the_banner(login, live_server, document, annotator, labels):
    # Behind a load balancer, app servers that are down answer 502/503/504 from the proxy, not a network error.
    from annotator import services

    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    banner = page.locator("#offline")
    page.expected_errors += ["status of 502", "Response Status Error Code 502"]  # the proxy's answers, as logged
    page.route("**/changes/**", lambda route: route.fulfill(status=502, body="Bad Gateway"))
    expect(banner).to_be_visible(timeout=6000)
    services.annotate(
        user=annotator, document=document, start=0, end=10, exact=document.text[:10], label=labels["claim"]
    )
    page.unroute("**/changes/**")
    expect(page.locator("#doc-text .m")).to_have_count(1, timeout=6000)
    expect(banner).to_be_hidden()
    assert page.errors == []
