"""An open mark's panel follows the mark live (issue 18, item 6): two editors in two browsers; what one has typed
and not saved is never thrown away, and when the mark changed under it both versions are offered."""

from playwright.sync_api import expect

from annotator import services
from annotator.models import Annotation


def open_mark(page, live_server, mark):
    page.goto(f"{live_server.url}/documents/{mark.span.document_id}/")
    page.locator(f'#mark-list a[data-mark="{mark.pk}"]').click()
    panel = page.locator("#mark-detail")
    expect(panel.locator("h2")).to_be_visible()
    return panel


def claim(document, author, labels, note=""):
    return services.annotate(
        user=author, document=document, start=0, end=10, exact=document.text[:10], label=labels["claim"], note=note
    )


def test_an_open_panel_shows_another_editors_change_within_seconds(
    login, live_server, document, annotator, annotator2, labels
):
    mark = claim(document, annotator, labels, note="First thoughts.")
    reader = open_mark(login(annotator2), live_server, mark)
    expect(reader).to_contain_text("First thoughts.")
    author_page = login(annotator)
    author = open_mark(author_page, live_server, mark)
    author.get_by_label("Label").select_option(label="Evidence")
    author.get_by_label("Note").fill("Second thoughts, <b>bolder</b>.")
    author.get_by_role("button", name="Save").click()
    expect(author.locator("h2 .badge")).to_have_text("Evidence")
    expect(reader.locator("h2 .badge")).to_have_text("Evidence", timeout=5_000)
    expect(reader.locator(".note")).to_have_text("Note: Second thoughts, <b>bolder</b>.")
    expect(reader.get_by_role("status")).to_contain_text(
        "Updated: ann changed this mark (Label Claim → Evidence; Changed the note)."
    )
    expect(reader.page.locator("#doc-text .m.focused")).to_have_count(1)  # still the open mark, outlined
    assert reader.page.errors == [] and author_page.errors == []


def test_unsaved_input_stays_the_change_is_shown_beside_it_and_saving_keeps_the_typed_text(
    login, live_server, document, annotator, reviewer, labels
):
    mark = claim(document, annotator, labels, note="Saved note.")
    author_page = login(annotator)
    author = open_mark(author_page, live_server, mark)
    author.get_by_label("Note").fill("My unsaved note.")
    review_page = login(reviewer)
    reviewing = open_mark(review_page, live_server, mark)
    reviewing.get_by_label("Review note (optional)").fill("Sound.")
    reviewing.get_by_role("button", name="Accept").click()
    expect(reviewing.locator(".status").first).to_have_text("Accepted")
    notice = author.locator(".mark-changed")
    expect(notice).to_contain_text("rev changed this mark after you opened it (Accepted)", timeout=5_000)
    expect(notice).to_contain_text("Claim · Accepted by rev")
    expect(notice).to_contain_text("Note: Saved note.")
    expect(notice).to_contain_text("Review note: Sound.")
    expect(author.get_by_label("Note")).to_have_value("My unsaved note.")
    author.get_by_role("button", name="Save", exact=True).click()
    expect(author.locator(".mark-changed")).to_have_count(0)
    expect(author.get_by_label("Note")).to_have_value("My unsaved note.")
    saved = Annotation.objects.get(pk=mark.pk)
    assert (saved.note, saved.status) == ("My unsaved note.", "pending")  # a changed mark goes back to review
    expect(reviewing.locator(".status").first).to_have_text("Pending", timeout=5_000)  # the reviewer's panel follows
    assert author_page.errors == [] and review_page.errors == []


def test_a_save_that_meets_a_change_keeps_the_typed_text_and_offers_the_saved_version(
    login, live_server, document, annotator, reviewer, labels, settings
):
    settings.ANNOTATOR_POLL_MS = 600_000  # the save comes before any poll could tell
    mark = claim(document, annotator, labels, note="Saved note.")
    author = open_mark(login(annotator), live_server, mark)
    author.page.expected_errors.append("status of 409")  # the save the review refused
    author.get_by_label("Note").fill("Typed before the review.")
    services.review_annotation(user=reviewer, annotation=mark, status="rejected", note="Unsupported.", version=1)
    author.get_by_role("button", name="Save").click()
    notice = author.locator(".mark-changed")
    expect(notice).to_contain_text("rev changed this mark after you opened it (Rejected), so your change was not saved")
    expect(notice).to_contain_text("Review note: Unsupported.")
    expect(author.get_by_label("Note")).to_have_value("Typed before the review.")
    notice.get_by_role("button", name="take the saved version").click()
    expect(author.locator(".mark-changed")).to_have_count(0)
    expect(author.get_by_label("Note")).to_have_value("Saved note.")
    assert Annotation.objects.get(pk=mark.pk).note == "Saved note."


def test_a_mark_deleted_under_unsaved_input_says_so_and_leaves_the_text_to_copy(
    login, live_server, document, annotator, labels
):
    mark = claim(document, annotator, labels)
    here = open_mark(login(annotator), live_server, mark)
    here.get_by_label("Note").fill("Worth keeping.")
    elsewhere = open_mark(login(annotator), live_server, mark)  # the same editor in a second window
    elsewhere.page.once("dialog", lambda dialog: dialog.accept())
    elsewhere.get_by_role("button", name="Delete mark").click()
    expect(elsewhere).to_contain_text("Mark deleted")
    expect(here.locator(".mark-changed")).to_contain_text("This mark was deleted meanwhile.", timeout=5_000)
    expect(here.get_by_label("Note")).to_have_value("Worth keeping.")
    expect(here.get_by_role("button", name="Save", exact=True)).to_be_disabled()
