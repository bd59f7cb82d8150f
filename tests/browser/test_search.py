"""An editor searches the project from the box on its page, narrows by a facet, and opens the document at the hit,
selected and ready to be marked; the page is axe-clean and fits a 390 px phone."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotator import services

TEXT = "Le président Ežov signa l'ordre.\n\n" + "Filler paragraph.\n\n" * 40 + "Nikolai Ezhov ran the NKVD.\n"


def _no_serious_violations(page):
    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_an_editor_finds_a_word_without_its_accent_and_opens_the_document_there(
    live_server, login, project, manager, annotator, labels
):
    document = services.add_document(user=manager, project=project, title="Ordres", text=TEXT)
    start = TEXT.index("Ezhov")
    services.annotate(
        user=annotator,
        document=document,
        start=start,
        end=start + 5,
        exact="Ezhov",
        label=labels["claim"],
        note="The NKVD chief, also written Ezov",
    )
    page = login(annotator)
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/projects/{project.pk}/")
        page.get_by_role("search").get_by_label("Search this project").fill("ezov")
        page.get_by_role("search").get_by_role("button", name="Search").click()
        results = page.locator(".results")
        expect(results.locator(".result")).to_have_count(2)
        expect(results).to_contain_text("président Ežov")
        _no_serious_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(".facets").get_by_role("link", name="Mark").click()
    expect(page.locator(".results .result")).to_have_count(1)
    expect(page.locator(".results")).to_contain_text("also written Ezov")
    page.locator(".facets").get_by_role("link", name="Mark").click()  # chosen: following it drops it
    expect(page.locator(".results .result")).to_have_count(2)

    page.locator(".result-text .kwic a").first.click()
    expect(page).to_have_url(re.compile(r"#block-0$"))
    # The hit, selected (polled from here: a predicate polled inside the page is eval'd, which our CSP refuses).
    for _ in range(100):
        if page.evaluate("window.getSelection().toString()") == "Ežov":
            break
        page.wait_for_timeout(50)
    assert page.evaluate("window.getSelection().toString()") == "Ežov"
    expect(page.locator("#toolbar").get_by_role("button", name=re.compile("Claim"))).to_be_enabled()
    assert page.errors == []


def test_marking_all_occurrences_and_settling_a_disagreement_on_a_phone(
    live_server, login, project, manager, annotator, annotator2, reviewer, labels
):
    document = services.add_document(user=manager, project=project, title="Ordres", text=TEXT)
    start = TEXT.index("Filler")
    mark = services.annotate(
        user=annotator, document=document, start=start, end=start + 6, exact="Filler", label=labels["claim"]
    )
    services.annotate(
        user=annotator2, document=document, start=start, end=start + 6, exact="Filler", label=labels["evidence"]
    )
    page = login(annotator)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/annotations/{mark.pk}/mark-all/")
    expect(page.get_by_role("status").first).to_contain_text("39 places to mark")
    _no_serious_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Mark all 39 as Claim").click()
    expect(page.locator(".messages")).to_contain_text("Marked 39 more places as Claim.")

    page = login(reviewer)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/documents/{document.pk}/agreement/")
    expect(page.locator(".open-disagreements")).to_contain_text("2 disagreements still open")
    _no_serious_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form = page.locator("form.settle").first
    form.get_by_label("Note").fill("Claim it is")
    form.get_by_role("button", name=re.compile("Keep Claim by ann")).click()
    expect(page.locator(".messages")).to_contain_text("rejected 1 other mark")
    expect(page.locator(".open-disagreements")).to_contain_text("No disagreement is open.")
    assert page.errors == []
