"""A reviewer clears the queue from the keyboard; the outcome and the history show on the mark."""

import re

from playwright.sync_api import expect

from annotator import services
from annotator.models import Annotation


def mark(user, document, start, end, label):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label
    )


def test_a_reviewer_clears_a_queue_of_two_marks_from_the_keyboard(
    login, live_server, document, annotator, annotator2, reviewer, labels
):
    first = mark(annotator, document, 4, 10, labels["claim"])
    second = mark(annotator2, document, 0, 3, labels["evidence"])
    page = login(reviewer)
    page.goto(f"{live_server.url}/projects/{document.project_id}/review/")
    expect(page.get_by_text("2 pending marks")).to_be_visible()

    page.keyboard.press("j")
    expect(page.locator(f"#review-{first.pk}")).to_be_focused()
    page.keyboard.press("n")
    expect(page.locator(f"#note-{first.pk}")).to_be_focused()
    page.keyboard.type("Matches the archive")
    page.keyboard.press("Escape")
    expect(page.locator(f"#review-{first.pk}")).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator(f"#review-{first.pk}")).to_contain_text("Accepted by rev: Matches the archive")
    expect(page.locator(f"#review-{second.pk}")).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator(f"#review-{second.pk}")).to_contain_text("Rejected by rev")
    expect(page.locator("#queue-done")).to_be_focused()

    assert dict(Annotation.objects.values_list("pk", "status")) == {first.pk: "accepted", second.pk: "rejected"}
    assert page.errors == []


def test_the_author_sees_the_review_and_the_history_on_the_marks_panel(
    login, live_server, document, annotator, reviewer, labels
):
    a = mark(annotator, document, 4, 10, labels["claim"])
    reviewer_page = login(reviewer)
    reviewer_page.goto(f"{live_server.url}/annotations/{a.pk}/")
    reviewer_page.get_by_label("Review note (optional)").fill("Not what the text says")
    reviewer_page.get_by_role("button", name="Reject").click()
    expect(reviewer_page.locator("#mark-detail .status")).to_have_text("Rejected")

    page = login(annotator)
    page.goto(f"{live_server.url}/annotations/{a.pk}/")
    panel = page.locator("#mark-detail")
    expect(panel).to_contain_text("Review note: Not what the text says")
    panel.get_by_text(re.compile(r"History \(2 changes\)")).click()
    expect(panel.locator(".history li")).to_have_count(2)
    expect(panel.locator(".history li").nth(1)).to_contain_text("rev: Rejected")
    assert page.errors == [] and reviewer_page.errors == []
