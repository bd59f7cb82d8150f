"""Issue 24's flow in a browser: an editor marks a claim and evidence and links them; a reviewer gives the claim a
verdict; a second reviewer accepts it; the fact-check page shows it and exports its ClaimReview; a new claim with
the same words elsewhere finds it ("Already checked?") and joins it with one click."""

import json
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from jsonschema import Draft202012Validator
from playwright.sync_api import expect

from annotator.models import ClaimVerdict, Link, Status

from .. import claimreview_schema
from ..factories import DocumentFactory
from .conftest import select_text

CLAIM = "Unemployment fell by half under the new government"
EVIDENCE = "The statistics office counts more people out of work than before"
TEXT = f"The minister spoke on Monday. {CLAIM}, she said. {EVIDENCE}, its report of March says.\n"


def _serious(page) -> list:
    results = Axe().run(page)
    return [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_a_claim_is_marked_linked_rated_accepted_published_and_found_again(
    live_server, login, project, annotator, reviewer, manager, labels
):
    document = DocumentFactory(project=project, title="Interview", text=TEXT)
    editor = login(annotator)
    editor.goto(f"{live_server.url}/documents/{document.pk}/")
    panel = editor.locator("#mark-detail")
    start = TEXT.index(CLAIM)
    select_text(editor, start, start + len(CLAIM))
    editor.keyboard.press("1")
    expect(panel.get_by_role("heading", level=2)).to_contain_text("Claim")
    expect(panel).not_to_have_attribute("aria-busy", "true")
    expect(panel.locator("#mark-verdict")).to_contain_text("No verdict yet. Reviewers and managers give verdicts.")
    start = TEXT.index(EVIDENCE)
    select_text(editor, start, start + len(EVIDENCE))
    editor.keyboard.press("2")
    expect(panel.get_by_role("heading", level=2)).to_contain_text("Evidence")
    expect(panel).not_to_have_attribute("aria-busy", "true")
    editor.keyboard.press("l")
    expect(panel.get_by_label("Find a mark")).to_be_focused()
    editor.keyboard.type("unemployment")
    expect(panel.get_by_role("radio", name=re.compile("Unemployment fell"))).to_be_checked()
    panel.get_by_label("This mark…").select_option(label="refutes …")
    panel.get_by_role("button", name="Save the link").click()
    expect(panel.locator(".link-item")).to_contain_text("refutes")
    claim = Link.objects.get().to_annotation

    # A reviewer gives the claim its verdict, in its panel, from the keyboard and at a phone's width.
    rev = login(reviewer)
    rev.set_viewport_size({"width": 390, "height": 844})
    rev.goto(f"{live_server.url}/annotations/{claim.pk}/")
    verdict = rev.locator("#mark-verdict")
    verdict.get_by_label("Rating").select_option(label="Mostly false")
    verdict.get_by_label("The claim in a few words").fill("Unemployment halved under the government")
    verdict.get_by_label("Explanation").fill("The statistics office counts more people out of work.")
    verdict.get_by_label("Who made the claim").fill("The minister")
    assert _serious(rev) == []
    assert rev.evaluate("document.documentElement.scrollWidth") <= 390
    verdict.get_by_label("Where it appeared").focus()
    rev.keyboard.type("https://news.example/interview")
    rev.keyboard.press("Tab")
    expect(verdict.get_by_role("button", name="Save the verdict")).to_be_focused()
    rev.keyboard.press("Enter")
    expect(rev.locator("#mark-verdict .verdict-rating")).to_contain_text("Mostly false")
    expect(rev.locator("#mark-verdict")).to_contain_text("another reviewer will review it")

    # A second reviewer (the manager) accepts it.
    boss = login(manager)
    boss.goto(f"{live_server.url}/annotations/{claim.pk}/")
    boss.locator("#mark-verdict").get_by_role("button", name="Accept the verdict").click()
    expect(boss.locator("#mark-verdict")).to_contain_text("Accepted by boss")
    assert ClaimVerdict.objects.get().status == Status.ACCEPTED

    # The fact-check page: the claim, the verdict, the evidence; its ClaimReview downloaded and valid.
    boss.locator("#mark-verdict").get_by_role("link", name="The fact-check page").click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Unemployment halved under the government")
    expect(boss.locator(".evidence")).to_contain_text(EVIDENCE)
    expect(boss.get_by_label("Paste this into the article's HTML:")).to_have_value(
        re.compile(r'^<script type="application/ld\+json">')
    )
    assert _serious(boss) == []
    boss.set_viewport_size({"width": 390, "height": 844})
    assert boss.evaluate("document.documentElement.scrollWidth") <= 390
    with boss.expect_download() as download:
        boss.get_by_role("link", name="Download the ClaimReview (JSON-LD)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    Draft202012Validator(claimreview_schema.CLAIM_REVIEW, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        data
    )
    assert data["reviewRating"]["alternateName"] == "Mostly false"

    # The same words in a new document: its panel finds the checked claim, and one click joins them.
    again = DocumentFactory(project=project, title="Rally", text=f"Crowds cheered. {CLAIM}!\n")
    editor.goto(f"{live_server.url}/documents/{again.pk}/")
    start = again.text.index(CLAIM)
    select_text(editor, start, start + len(CLAIM))
    editor.keyboard.press("1")
    expect(panel).not_to_have_attribute("aria-busy", "true")
    similar = panel.locator(".similar-claims")
    expect(similar).to_contain_text("Mostly false: Unemployment halved under the government")
    similar.get_by_role("button", name=re.compile("It is the same claim")).click()
    expect(panel.locator("#mark-verdict")).to_contain_text("shared with the same claim elsewhere")
    expect(panel.locator("#mark-verdict .same-claims")).to_contain_text("Interview")
    assert _serious(editor) == []
    assert editor.errors == [] and rev.errors == [] and boss.errors == []
