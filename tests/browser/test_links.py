"""An editor links a passage of the blog seed as evidence supporting a claim in the forum thread; a second editor
sees the link live, and the forum thread's argument map shows it."""

import re
import time
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotator import services
from annotator.models import Link

from ..factories import DocumentFactory
from .conftest import select_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CLAIM = "If Stalin looks like a strong leader in the 30s it was because he was chasing the sentiment of regional party branches"
EVIDENCE = "They do not understand that making arrests ought to be limited and carried out under strict control of appropriate organs."


def test_an_editor_links_blog_evidence_to_a_forum_claim_a_second_editor_sees_it_live_and_on_the_map(
    live_server, login, project, annotator, annotator2, labels
):
    forum_text = (SEEDS / "000_79e11ffbb65a5d38.txt").read_text(encoding="utf-8")
    blog_text = (SEEDS / "003_d10184c267f9a8d1.txt").read_text(encoding="utf-8")
    forum = DocumentFactory(project=project, title="What if Stalin only purged Trotskyites", text=forum_text)
    blog = DocumentFactory(project=project, title="Did Stalin Want Mass Terror?", text=blog_text)
    start = forum_text.index(CLAIM)
    claim = services.annotate(
        user=annotator2, document=forum, start=start, end=start + len(CLAIM), exact=CLAIM, label=labels["claim"]
    )

    watcher = login(annotator2)
    watcher.goto(f"{live_server.url}/documents/{forum.pk}/")
    watcher.locator(f'#mark-list a[data-mark="{claim.pk}"]').click()
    expect(watcher.locator("#mark-links")).to_contain_text("No links yet.")

    editor = login(annotator)
    editor.goto(f"{live_server.url}/documents/{blog.pk}/")
    start = blog_text.index(EVIDENCE)
    select_text(editor, start, start + len(EVIDENCE))
    editor.keyboard.press("2")
    panel = editor.locator("#mark-detail")
    expect(panel.get_by_role("heading", level=2)).to_contain_text("Evidence")
    expect(panel).not_to_have_attribute("aria-busy", "true")  # the new mark's panel has fetched its links section
    # From the keyboard: "l" opens Link to… in the search; the one match is picked; Tab on to the comment and Save.
    editor.keyboard.press("l")
    expect(panel.get_by_label("Find a mark")).to_be_focused()
    editor.keyboard.type("strong leader")
    expect(panel.get_by_role("radio", name=re.compile("If Stalin looks like a strong leader"))).to_be_checked()
    expect(panel.get_by_label("This mark…").locator("option:checked")).to_have_text("supports …")
    serious = [v["id"] for v in Axe().run(editor).response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    editor.keyboard.press("Tab")
    expect(panel.get_by_role("radio")).to_be_focused()
    editor.keyboard.press("Tab")
    expect(panel.get_by_label("Comment on the link (optional)")).to_be_focused()
    editor.keyboard.type("Stalin restrains the regional organs.")
    editor.keyboard.press("Tab")
    editor.keyboard.press("Enter")
    expect(panel.locator(".link-item")).to_contain_text("supports")
    expect(panel.locator(".link-item")).to_contain_text("in “What if Stalin only purged Trotskyites”")
    saved = time.monotonic()

    link = Link.objects.get()
    assert (link.type.key, link.from_annotation.span.exact, link.to_annotation) == ("supports", EVIDENCE, claim)
    shown = watcher.locator("#mark-links .link-item")
    expect(shown).to_contain_text("is supported by", timeout=5_000)
    assert time.monotonic() - saved < 5
    expect(shown).to_contain_text("Stalin restrains the regional organs.")
    expect(watcher.locator(f"#mark-{claim.pk}")).to_contain_text("1 link")

    watcher.get_by_role("link", name="Argument map").click()
    item = watcher.locator(f"#claim-{claim.pk}")
    expect(item).to_contain_text("Evidence for (1)")
    expect(item).to_contain_text(EVIDENCE)
    expect(item).not_to_have_class(re.compile("no-evidence"))
    results = Axe().run(watcher)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()
    assert editor.errors == [] and watcher.errors == []


def test_enter_in_the_mark_search_picks_a_result_and_only_the_button_saves_the_link(
    live_server, login, document, annotator, labels
):
    # Enter in "Find a mark by its words" used to save the link at once with the preselected type, and ArrowDown
    # stayed in the field (issue 18, item 10).
    def mark(words, label, note=""):
        start = document.text.index(words)
        return services.annotate(
            user=annotator,
            document=document,
            start=start,
            end=start + len(words),
            exact=words,
            label=labels[label],
            note=note,
        )

    claim = mark("Getty argues the centre restrained local zeal", "claim")
    mark("The archives say more than one thing", "evidence")
    others = mark("others disagree", "evidence", note="An archive memo says so.")
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    page.locator(f'#mark-list a[data-mark="{claim.pk}"]').click()
    panel = page.locator("#mark-detail")
    expect(panel.get_by_role("heading", level=2)).to_contain_text("Claim")
    page.keyboard.press("l")
    search = panel.get_by_label("Find a mark by its words")
    expect(search).to_be_focused()
    # Enter before the results came: the first of them is picked when they come, and nothing is saved.
    page.keyboard.type("archive")
    page.keyboard.press("Enter")
    results = panel.get_by_role("radio")
    expect(results).to_have_count(2)
    expect(results.first).to_be_checked()
    expect(results.first).to_be_focused()
    page.wait_for_timeout(600)  # the search the typing asked for lands too; the pick stays
    expect(results.first).to_be_checked()
    expect(results.first).to_be_focused()
    # ArrowDown goes from the field into the results, the arrow keys choose, and Enter there saves nothing either.
    search.focus()
    page.keyboard.press("ArrowDown")
    expect(results.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(results.nth(1)).to_be_focused()
    expect(results.nth(1)).to_be_checked()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    expect(results.nth(1)).to_be_checked()
    expect(panel.locator(".link-item")).to_have_count(0)
    assert not Link.objects.exists()
    # Saving is its own step: the button.
    panel.get_by_label("This mark…").select_option(label="is supported by …")
    results.nth(1).focus()
    page.keyboard.press("Tab")
    expect(panel.get_by_label("Comment on the link (optional)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Save the link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(panel.locator(".link-item")).to_have_count(1)
    link = Link.objects.get()
    assert (link.from_annotation, link.to_annotation) == (others, claim)  # the claim "is supported by" the evidence
    assert page.errors == []
