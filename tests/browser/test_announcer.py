"""What other editors do, said to a screen reader (issue 26, item 5): politely, in the page's one persistent live
region, and not more than one message every few seconds."""

import time
from itertools import pairwise

from playwright.sync_api import expect

from annotator import services

# Every text the live region is given, with when (ms), as a screen reader would hear them.
LISTEN = """() => {
    window.said = [];
    const box = document.getElementById("announcer");
    new MutationObserver(() => { if (box.textContent) window.said.push([Date.now(), box.textContent]); })
        .observe(box, {childList: true, characterData: true, subtree: true});
}"""


def test_what_another_editor_does_is_said_in_the_one_live_region_at_most_every_few_seconds(
    login, live_server, document, annotator, annotator2, labels
):
    page = login(annotator)
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    # One live region for what happens; the count, replaced after every change, is not one (it said only the count).
    expect(page.locator("#announcer")).to_have_count(1)
    expect(page.locator("#mark-list [aria-live], #mark-list [role=status]")).to_have_count(0)
    page.evaluate(LISTEN)

    def mark(words, label):
        start = document.text.index(words)
        return services.annotate(
            user=annotator2, document=document, start=start, end=start + len(words), exact=words, label=labels[label]
        )

    claim = mark("Getty argues", "claim")
    said = page.locator("#announcer")
    expect(said).to_have_text(f"{annotator2.username} added a Claim: “Getty argues”.", timeout=8_000)
    # Two more at once, and one deleted: said together, once, a few seconds after the first.
    mark("The archives", "evidence")
    mark("others disagree", "quotation")
    expect(said).to_contain_text("added an Evidence: “The archives”", timeout=12_000)
    expect(said).to_contain_text("added a Quotation: “others disagree”")
    services.delete_annotation(user=annotator2, annotation=claim)
    expect(said).to_have_text(f"Claim by {annotator2.username} was deleted: “Getty argues”.", timeout=12_000)
    time.sleep(0.5)
    times = [when for when, _ in page.evaluate("window.said")]
    assert len(times) == 3, page.evaluate("window.said")
    assert all(later - earlier >= 4_500 for earlier, later in pairwise(times)), times
