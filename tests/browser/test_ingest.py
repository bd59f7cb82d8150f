"""A manager adds a document from a web page's address and one from a PDF, sees the progress, leaves the page, and
finds the documents made.

Tasks go through the database, as deployed; the worker (django-tasks-db's, as `manage.py db_worker` runs it) takes
them once the page has shown them waiting."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from annotator.models import Document, DocumentVersion

from ..ingest_files import Site, article, book, make_pdf

pytestmark = pytest.mark.worker


def run_worker():
    """The worker (django-tasks-db's, as `manage.py db_worker --batch` runs it) takes every task waiting, then stops.

    In this thread, while the page shows nothing that polls: in SQLite's shared-cache memory database (the live
    server's) a table another connection writes is "locked" at once, without the wait a database file with WAL gives,
    so a poll racing the worker would fail where production would wait its turn."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    ).run()


def _no_serious_violations(page):
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def leave_and_work(page, project_url: str):
    """Leave the progress page for the project's (the document being added is listed there), run the worker, and
    come back: the progress page now tells how it ended."""
    progress_url = page.url
    page.goto(project_url)
    expect(page.get_by_role("list", name="Documents being added")).to_contain_text("waiting for the worker, 0%")
    run_worker()
    page.goto(progress_url)


def test_a_manager_adds_a_web_page_and_a_pdf_and_sees_them_appear(login, live_server, project, manager, settings):
    settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES = True
    project_url = f"{live_server.url}/projects/{project.pk}/"
    with Site() as site:
        address = site.html("/story", article())
        page = login(manager)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{project_url}documents/new/")
        _no_serious_violations(page)
        page.get_by_label("The address of a web page").fill(address)
        page.get_by_role("button", name="Add document").click()

        bar = page.get_by_role("progressbar")
        expect(bar).to_be_visible()
        expect(bar).to_have_attribute("aria-valuenow", "0")
        expect(page.get_by_text("Waiting for the worker to start")).to_be_visible()
        expect(page.get_by_text("You may leave this page")).to_be_visible()
        _no_serious_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        leave_and_work(page, project_url)
        expect(page.locator("#extraction-progress").get_by_role("status")).to_contain_text(
            "Added “Purge numbers revisited”."
        )
        expect(bar).to_have_count(0)
        page.get_by_role("link", name="Open “Purge numbers revisited”").click()
        expect(page.locator("#doc-text")).to_contain_text("First paragraph of the article")

    page.goto(f"{project_url}documents/new/")
    pdf = make_pdf(book(4, 2), labels=[(0, "r", 1), (2, "D", 1)], title="The annual report")
    page.get_by_label("Or a file").set_input_files({"name": "report.pdf", "mimeType": "application/pdf", "buffer": pdf})
    page.get_by_role("button", name="Add document").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    leave_and_work(page, project_url)
    expect(page.locator("#extraction-progress").get_by_role("status")).to_contain_text("Added “The annual report”.")
    page.goto(project_url)  # the document appears in the project, no longer listed as being added
    expect(page.get_by_role("link", name="The annual report")).to_be_visible()
    expect(page.get_by_role("list", name="Documents being added")).to_have_count(0)
    page.get_by_role("link", name="The annual report").click()
    expect(page.locator("#doc-text")).to_contain_text("on page 4, and historians disagree")
    report = Document.objects.get(title="The annual report")
    assert [label for _, label in DocumentVersion.objects.get(document=report).pages] == ["i", "ii", "1", "2"]
    assert Document.objects.get(title="Purge numbers revisited").source.type == "webpage"


def test_a_failure_is_shown_with_its_reason(login, live_server, project, manager):
    page = login(manager)
    page.goto(f"{live_server.url}/projects/{project.pk}/documents/new/")
    page.get_by_label("Or a file").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 no"}
    )
    page.get_by_role("button", name="Add document").click()
    leave_and_work(page, f"{live_server.url}/projects/{project.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was added: This PDF cannot be read")
    _no_serious_violations(page)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(page.get_by_role("list", name="Documents being added")).to_contain_text("failed: This PDF cannot be read")
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
    leave_and_work(page, f"{live_server.url}/projects/{project.pk}/")
    expect(page.locator("#extraction-progress").get_by_role("status")).to_contain_text("Added “")
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
