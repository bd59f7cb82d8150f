"""A team's day (issue 20): a manager makes a project, adds three people (one new, through the one-time link),
writes guidelines and assigns two documents; the annotators mark and say they are done; the dashboard shows it."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotator.models import Annotation, Assignment, Project

from ..factories import UserFactory
from .conftest import WATCH_SCRIPT, select_text

TEXT_ONE = "The centre restrained local zeal. Others disagree with that reading.\n"
TEXT_TWO = "Quotas came from Moscow. The archives say so.\n"


def no_serious_violations(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def add_document(page, base, title, text):
    page.get_by_role("link", name="Add a document").first.click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Or paste the text").fill(text)
    page.get_by_role("button", name="Add document").click()
    expect(page.locator("#doc-text")).to_contain_text(text.split(".")[0])


def mark_first_words_and_finish(page, base, title, words):
    page.goto(base + "/my-work/")
    page.get_by_role("link", name=title).click()
    expect(page.locator(".guidelines-pane")).to_be_visible()
    page.wait_for_load_state()
    select_text(page, 0, len(words))
    expect(page.locator("#toolbar .label-btn").first).to_be_enabled()
    page.keyboard.press("1")  # Claim
    expect(page.locator("#mark-detail h2")).to_contain_text("Claim")
    page.goto(base + "/my-work/")
    page.get_by_label(f"State of {title}").select_option("done")
    page.get_by_role("button", name=f"Save the state of {title}").click()
    expect(page.get_by_label(f"State of {title}")).to_have_value("done")


def test_a_team_runs_a_day_from_the_app(browser, login, live_server, db):
    base = live_server.url
    chief = UserFactory(username="chief", is_staff=True)
    UserFactory(username="anna")
    UserFactory(username="rita")

    page = login(chief)
    page.get_by_role("link", name="New project").click()
    page.get_by_label("Name").fill("Purge desk")
    page.get_by_role("button", name="Create the project").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    for username, role in [("anna", "annotator"), ("rita", "reviewer")]:
        page.get_by_label("User name").fill(username)
        page.get_by_label("Role", exact=True).select_option(role)
        page.get_by_role("button", name="Add the member").click()
        expect(page.get_by_role("row", name=username)).to_be_visible()
    page.get_by_label("User name").fill("newbie")
    page.get_by_role("button", name="Make an account").click()
    link = page.get_by_role("textbox", name="Link").input_value()
    assert link.startswith(base + "/accounts/reset/")
    no_serious_violations(page)

    page.get_by_role("link", name="Guidelines").click()
    page.get_by_label("Guidelines").fill(
        "# Claims\n\nMark **whole sentences**. See [the style guide](https://example.org/style)."
    )
    page.get_by_role("button", name="Save the guidelines").click()
    expect(page.locator(".guidelines strong")).to_have_text("whole sentences")

    page.get_by_role("link", name="Purge desk").first.click()
    add_document(page, base, "Centre and periphery", TEXT_ONE)
    page.get_by_role("link", name="Purge desk").first.click()
    add_document(page, base, "Quotas", TEXT_TWO)
    page.get_by_role("link", name="Purge desk").first.click()
    page.get_by_role("link", name="Assignments").click()
    for title, who in [("Centre and periphery", "anna"), ("Quotas", "newbie")]:
        page.get_by_label("Document").select_option(label=title)
        page.get_by_label("Member").select_option(label=f"{who} (annotator)")
        page.get_by_role("button", name="Assign").click()
        expect(page.get_by_role("row", name=f"{title} {who}")).to_be_visible()
    no_serious_violations(page)

    # The newcomer opens the link, chooses a password and logs in.
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(WATCH_SCRIPT)
    stranger = context.new_page()
    stranger.goto(link)
    stranger.get_by_label("New password", exact=True).fill("a-long-passphrase-of-mine")
    stranger.get_by_label("New password confirmation").fill("a-long-passphrase-of-mine")
    stranger.get_by_role("button", name="Set the password").click()
    expect(stranger.get_by_role("heading", name="Password set")).to_be_visible()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="This link does not work")).to_be_visible()
    context.close()

    newbie = login(UserFactory._meta.model.objects.get(username="newbie"), password="a-long-passphrase-of-mine")
    newbie.set_viewport_size({"width": 390, "height": 844})
    mark_first_words_and_finish(newbie, base, "Quotas", "Quotas came from Moscow.")
    assert newbie.evaluate("document.documentElement.scrollWidth") <= 390
    anna = login(UserFactory._meta.model.objects.get(username="anna"))
    mark_first_words_and_finish(anna, base, "Centre and periphery", "The centre restrained local zeal.")
    anna.goto(base + "/my-work/")
    anna.keyboard.press("?")
    expect(anna.get_by_role("dialog", name="Keys on this page")).to_be_visible()
    anna.keyboard.press("Escape")
    expect(anna.get_by_role("dialog", name="Keys on this page")).to_be_hidden()

    project = Project.objects.get(name="Purge desk")
    assert Annotation.objects.filter(span__document__project=project).count() == 2
    assert set(Assignment.objects.values_list("progress", flat=True)) == {"done"}
    page.goto(f"{base}/projects/{project.pk}/progress/")
    expect(
        page.get_by_text("2 marks on the current texts: 0 accepted, 0 rejected, 2 pending. 2 of 2 documents done.")
    ).to_be_visible()
    expect(page.get_by_role("img", name="0 accepted, 0 rejected, 1 pending").first).to_be_visible()
    no_serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, wide
    assert page.errors == [] and newbie.errors == [] and anna.errors == []
