"""A text from a PDF in the browser: its page numbers beside the text, never in a selection, and a mark's page as the
locator when it cites the document."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotator.models import Citation, Document, Source
from annotator.services import ingest

from ..ingest_files import book, make_pdf
from .conftest import select_text


def test_a_quotation_from_a_pdf_cites_the_document_at_its_page(login, live_server, project, manager, labels):
    Source.objects.create(project=project, title="Another book", type="book")
    pdf = make_pdf(book(3), labels=[(0, "r", 1), (1, "D", 1)], title="The annual report")
    ingest.request_document(user=manager, project=project, name="report.pdf", data=pdf)
    document = Document.objects.get(project=project)
    page = login(manager)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    expect(page.locator("#doc-text .page-no")).to_have_text(["p. i", "p. 1", "p. 2"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # A selection across the page number takes the text only.
    block = page.locator("#doc-text .block").filter(has=page.locator(".page-no", has_text="p. 2"))
    block.locator(".p").first.click(click_count=3)
    words = "the regions on page 3"
    start = document.text.index(words)
    select_text(page, start, start + len(words))
    page.locator("#toolbar").get_by_role("button", name="Quotation").click()
    panel = page.locator("#mark-detail")
    expect(panel.get_by_role("heading", level=2)).to_contain_text("Quotation")
    expect(panel).to_contain_text("on p. 2 of the original")
    expect(panel.get_by_label("This document: The annual report")).to_be_checked()
    locator = panel.get_by_role("textbox", name="Locator", exact=True)
    expect(locator).to_have_value("p. 2")
    # Another source chosen: its locator is not this document's page; back to the document: the page again.
    panel.get_by_label("Find a source (title, author, year, DOI)").fill("Another")
    expect(panel.get_by_label("Another book")).to_be_checked()
    expect(locator).to_have_value("")
    panel.get_by_label("This document: The annual report").check()
    expect(locator).to_have_value("p. 2")
    serious = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    panel.get_by_role("button", name="Cite", exact=True).click()
    expect(panel.locator(".citation")).to_contain_text("The annual report")
    expect(panel.locator(".citation .locator")).to_have_text("p. 2")
    citation = Citation.objects.get()
    assert (citation.source_id, citation.locator) == (document.source_id, "p. 2")
    assert citation.annotation.span.exact == words
