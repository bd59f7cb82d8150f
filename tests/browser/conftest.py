"""Browser tests: a real Chromium (Debian's, through Playwright) against the live test server."""

import os
import re
import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # This machine's network is closed; without these Chromium keeps trying to reach Google.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Every page a test opens reports these as console errors, which fail the test like any other console error:
# an out-of-band swap whose target is not on the page (an event htmx dispatches without logging it), an htmx swap
# target that is not found, and any Content Security Policy violation (the event, not only Chromium's message).
WATCH_SCRIPT = """
document.addEventListener("htmx:oobErrorNoTarget", function (e) {
  const content = e.detail && e.detail.content;
  console.error("htmx:oobErrorNoTarget " + (e.detail && e.detail.target) + ": " + (content ? content.outerHTML.slice(0, 120) : ""));
}, true);
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation of " + e.violatedDirective + " at " + e.sourceFile + ":" + e.lineNumber + ": " + e.sample);
}, true);
"""


def chromium_path() -> str:
    path = os.environ.get("PLAYWRIGHT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("No Chromium found: install Debian's chromium package or set PLAYWRIGHT_CHROMIUM.")
    return path


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright():
    # Playwright's sync API keeps an event loop running in this thread; the database work of browser
    # tests (their own steps, and pytest-django's flush after each) is still synchronous and safe.
    # Set for the browser tests' session only; tests/test_settings.py keeps it out of subprocesses.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(allow_orm_beside_playwright):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def login(browser, live_server):
    """login(user) -> a logged-in Page in a context of its own (its own cookies: a second editor).

    login(user, base_url=server.url) logs in on another server than the live server (the scale-out tests)."""
    contexts = []
    pages = []

    def _login(user, password="pw-for-tests", base_url=None):
        base_url = base_url or live_server.url
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(10_000)
        context.add_init_script(WATCH_SCRIPT)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        page.errors = []
        page.console_errors = []
        # What a test provokes on purpose (a refused request's status, going offline): patterns of console errors.
        page.expected_errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.in_flight = set()
        page.on("request", lambda request: page.in_flight.add(request))
        page.on("requestfinished", lambda request: page.in_flight.discard(request))
        page.on("requestfailed", lambda request: page.in_flight.discard(request))
        page.on(
            "console",
            lambda msg: (
                (msg.type == "error" or "Content Security Policy" in msg.text)
                and page.console_errors.append(f"{page.url}: {msg.text}")
            ),
        )
        page.goto(base_url + "/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(base_url + "/")
        return page

    yield _login
    # A request still being answered (a new mark's panel fetching the rest of itself, say) would meet the
    # database as pytest-django empties it after the test: let each finish first.
    for context in contexts:
        for page in context.pages:
            for _ in range(100):
                if not getattr(page, "in_flight", None):
                    break
                page.wait_for_timeout(50)
    for context in contexts:
        context.close()
    # Every page a browser test visits must run under the strict Content Security Policy, and log no error but
    # those the test provoked.
    unexpected = [
        error
        for page in pages
        for error in page.console_errors
        if not any(re.search(pattern, error) for pattern in page.expected_errors)
    ]
    assert unexpected == [], unexpected


def select_text(page, start: int, end: int):
    """Select the document text [start, end) (code points) the way a user's drag would: a DOM Range."""
    page.evaluate(
        """([start, end]) => {
            const pieces = [...document.querySelectorAll('#doc-text .p')];
            function point(offset) {
                for (const p of pieces) {
                    const s = parseInt(p.dataset.start, 10);
                    const chars = Array.from(p.textContent);
                    if (offset >= s && offset <= s + chars.length) {
                        const units = chars.slice(0, offset - s).join('').length;
                        return [p.firstChild, units];
                    }
                }
                throw new Error('offset ' + offset + ' not in the text');
            }
            const [sn, so] = point(start), [en, eo] = point(end);
            const range = document.createRange();
            range.setStart(sn, so); range.setEnd(en, eo);
            const sel = getSelection(); sel.removeAllRanges(); sel.addRange(range);
        }""",
        [start, end],
    )
