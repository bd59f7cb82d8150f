"""An editor cites a source for the blog seed's quotation and sees the check; accepts a suggested quotation in the forum thread."""

import re
from pathlib import Path

from playwright.sync_api import expect

from annotator.models import Annotation, Citation
from annotator.quotes import strip_enclosing_quotes

from ..factories import DocumentFactory, SourceFactory
from .conftest import select_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_an_editor_marks_the_speech_quotation_cites_its_source_and_sees_the_changed_word(
    live_server, login, project, annotator
):
    blog = (SEEDS / "003_d10184c267f9a8d1.txt").read_text(encoding="utf-8")
    document = DocumentFactory(project=project, title="Did Stalin Want Mass Terror?", text=blog)
    start = blog.index("“But the question")
    end = blog.index("Trotskyites.”") + len("Trotskyites.”")
    speech = strip_enclosing_quotes(blog[start:end]).replace("discriminate approach", "differentiated approach")
    SourceFactory(
        project=project,
        type="speech",
        title="Collected Works, Vol. 14",
        full_text=speech,
        authors=[{"family": "Stalin", "given": "J. V."}],
        issued="1978",
    )

    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    select_text(page, start, end)
    expect(page.locator("#toolbar").get_by_role("button", name=re.compile("Quotation"))).to_be_enabled()
    page.keyboard.press("3")
    panel = page.locator("#mark-detail")
    expect(panel.get_by_role("heading", level=2)).to_contain_text("Quotation")
    expect(panel).not_to_have_attribute("aria-busy", "true")  # the new mark's panel has fetched its sources section
    panel.get_by_label("Find a source").fill("collected")
    panel.get_by_label(re.compile("Collected Works, Vol. 14")).check()
    panel.locator(".cite-form").get_by_label("Locator").fill("p. 57")
    panel.get_by_role("button", name="Cite", exact=True).click()

    expect(panel.locator(".quote-check")).to_contain_text("Quotation found with 1 difference")
    expect(panel.locator(".diff del")).to_have_text("discriminate")
    expect(panel.locator(".diff ins")).to_have_text("differentiated")
    expect(page.locator("#mark-list")).to_contain_text("1 source")
    assert Citation.objects.get().locator == "p. 57"
    assert page.errors == []


def test_an_editor_accepts_a_suggested_quotation_in_the_forum_thread(live_server, login, project, annotator):
    forum = (SEEDS / "000_79e11ffbb65a5d38.txt").read_text(encoding="utf-8")
    document = DocumentFactory(project=project, title="What if Stalin only purged Trotskyites", text=forum)

    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.get_by_role("link", name="Quotation suggestions").click()
    first = page.locator(".suggestion").first
    expect(first).to_contain_text("earlier in this document")
    first.get_by_role("button", name="Mark as quotation").click()
    expect(first).to_contain_text("Marked as a quotation")

    annotation = Annotation.objects.get()
    assert annotation.label.key == "quotation" and annotation.span.exact.startswith("Stalin is unseated")
    first.get_by_role("link", name="Open the mark").click()
    expect(page.locator("#mark-list")).to_contain_text("Stalin is unseated")
    assert page.errors == []
