"""A manager adds a document from a web page's address and one from a PDF, watches the progress, and opens them.

Tasks go through the database, as deployed; the worker (django-tasks-db's, as `manage.py db_worker` runs it) is
started in a thread once the page has shown the document waiting for it."""

import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from annotator.models import Document, DocumentVersion

from ..ingest_files import Site, article, book, make_pdf

pytestmark = pytest.mark.worker


class WorkerThread(threading.Thread):
    """The worker, in a thread of the test process (the live server's in-memory SQLite database is this process's).

    Started when a page waits for it, stopped once it is done: in SQLite's shared-cache memory database a table
    another connection is writing is "locked" at once (no waiting, as a database file with WAL would), so the pages
    visited afterwards must not race the worker's polling."""

    def __init__(self):
        super().__init__(daemon=True)
        self.worker = Worker(
            queue_names=["default"],
            interval=0.3,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test",
            excluded_queue_names=[],
        )

    def run(self):
        try:
            self.worker.run()
        finally:
            connections.close_all()

    def stop(self):
        self.worker.running = False
        self.join(timeout=10)


def _no_serious_violations(page):
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_a_manager_adds_a_web_page_and_a_pdf_and_sees_them_appear(login, live_server, project, manager, settings):
    settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES = True
    worker = WorkerThread()
    with Site() as site:
        address = site.html("/story", article())
        page = login(manager)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/projects/{project.pk}/documents/new/")
        _no_serious_violations(page)
        page.get_by_label("The address of a web page").fill(address)
        page.get_by_role("button", name="Add document").click()

        bar = page.get_by_role("progressbar")
        expect(bar).to_be_visible()
        expect(bar).to_have_attribute("aria-valuenow", "0")
        expect(page.get_by_text("Waiting for the worker to start")).to_be_visible()
        _no_serious_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        worker.start()
        try:
            expect(page.get_by_role("status")).to_contain_text("Added “Purge numbers revisited”.", timeout=20_000)
        finally:
            worker.stop()
        expect(bar).to_have_count(0)
        page.get_by_role("link", name="Open “Purge numbers revisited”").click()
        expect(page.locator("#doc-text")).to_contain_text("First paragraph of the article")

    page.goto(f"{live_server.url}/projects/{project.pk}/documents/new/")
    pdf = make_pdf(book(4, 2), labels=[(0, "r", 1), (2, "D", 1)], title="The annual report")
    page.get_by_label("Or a file").set_input_files({"name": "report.pdf", "mimeType": "application/pdf", "buffer": pdf})
    page.get_by_role("button", name="Add document").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    worker = WorkerThread()
    worker.start()
    try:
        expect(page.get_by_role("status")).to_contain_text("Added “The annual report”.", timeout=20_000)
    finally:
        worker.stop()
    page.get_by_role("link", name="Open “The annual report”").click()
    expect(page.locator("#doc-text")).to_contain_text("on page 4, and historians disagree")
    report = Document.objects.get(title="The annual report")
    assert [label for _, label in DocumentVersion.objects.get(document=report).pages] == ["i", "ii", "1", "2"]
    assert Document.objects.get(title="Purge numbers revisited").source.type == "webpage"


def test_a_failure_is_shown_with_its_reason(login, live_server, project, manager):
    worker = WorkerThread()
    page = login(manager)
    page.goto(f"{live_server.url}/projects/{project.pk}/documents/new/")
    page.get_by_label("Or a file").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 no"}
    )
    page.get_by_role("button", name="Add document").click()
    worker.start()
    try:
        expect(page.get_by_role("alert")).to_contain_text("Nothing was added: This PDF cannot be read", timeout=20_000)
    finally:
        worker.stop()
    _no_serious_violations(page)
    assert not Document.objects.filter(project=project).exists()


HOSTILE_PAGE = b"""<!doctype html><html><head><meta charset="utf-8">
<title>&lt;script&gt;window.__pwned=1&lt;/script&gt; and the numbers</title>
<meta name="author" content="&lt;img src=x onerror=window.__pwned=1&gt;">
<script>window.__pwned = 1</script></head>
<body onload="window.__pwned=1"><article>
<h1 onmouseover="window.__pwned=1">&lt;script&gt;window.__pwned=1&lt;/script&gt; and the numbers</h1>
<p onclick="window.__pwned=1">A paragraph with <a href="javascript:window.__pwned=1">a link that runs script</a> and
<img src="x" onerror="window.__pwned=1"> an image, long enough to be taken for the article's text by the extractor,
with more words about the archives and the numbers that historians argue over.</p>
<p>&lt;img src=x onerror="window.__pwned=1"&gt; is what the article quotes;
<iframe src="javascript:window.__pwned=1"></iframe>
the article goes on about the archives for a while longer, so that this paragraph counts as text too.</p>
</article></body></html>"""


def test_a_hostile_page_reaches_the_app_only_as_inert_text(login, live_server, project, manager):
    from .test_hostile import CHECK

    page = login(manager)
    page.goto(f"{live_server.url}/projects/{project.pk}/documents/new/")
    page.get_by_label("Or a file").set_input_files(
        {"name": "<img src=x onerror=window.__pwned=1>.html", "mimeType": "text/html", "buffer": HOSTILE_PAGE}
    )
    page.get_by_role("button", name="Add document").click()
    worker = WorkerThread()
    worker.start()
    try:
        expect(page.get_by_role("status")).to_contain_text("Added “", timeout=20_000)
    finally:
        worker.stop()
    document = Document.objects.get(project=project)
    assert document.title == "<script>window.__pwned=1</script> and the numbers"
    for url in [
        page.url,
        f"/documents/{document.pk}/",
        f"/projects/{project.pk}/",
        f"/documents/{document.pk}/versions/",
        f"/projects/{project.pk}/sources/",
        f"/sources/{document.source_id}/",
    ]:
        page.goto(url if url.startswith("http") else live_server.url + url)
        assert page.evaluate(CHECK) == [], url
        assert page.errors == [], url
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    assert "<script>window.__pwned=1</script> and the numbers" in page.inner_text("#doc-text")
    assert '<img src=x onerror="window.__pwned=1"> is what the article quotes' in page.inner_text("#doc-text")
