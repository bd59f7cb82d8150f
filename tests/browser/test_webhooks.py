"""Webhooks from the app (issue 23): a manager adds one, reads its secret, sends a test and reads the log, at 390 px
too; the receiver is served in the test and checks the signature."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotator.models import Role, Webhook

from ..factories import MembershipFactory, ProjectFactory, UserFactory
from ..test_services_webhooks import Receiver, verified


def no_serious_violations(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_a_manager_adds_a_webhook_and_sends_it_a_test(browser, login, live_server, db, settings):
    settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES = True  # the receiver is on this machine
    project = ProjectFactory(name="Desk")
    boss = UserFactory(username="boss")
    MembershipFactory(user=boss, project=project, role=Role.MANAGER)
    with Receiver() as receiver:
        page = login(boss)
        page.goto(f"{live_server.url}/projects/{project.pk}/")
        page.get_by_role("link", name="Webhooks").first.click()
        expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
        no_serious_violations(page)
        page.get_by_label("Address").fill(receiver.url)
        page.get_by_label("Mark created").check()
        page.get_by_label("Mark deleted").check()
        page.get_by_role("button", name="Add the webhook").click()
        hook = Webhook.objects.get(project=project)
        expect(page.get_by_label("Secret")).to_have_value(hook.secret)
        page.get_by_role("button", name="Send a test").click()
        expect(page.locator("#delivery-log")).to_contain_text("HTTP 200")
        [(headers, body)] = receiver.received
        assert headers["X-Annotator-Event"] == "ping" and verified(hook.secret, headers, body)
        page.get_by_text("1: HTTP 200").click()  # the attempt's details open
        expect(page.locator("#delivery-log pre")).to_have_text("ok")
        no_serious_violations(page)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        no_serious_violations(page)
        page.get_by_label("Active").uncheck()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Disabled: it is sent nothing")).to_be_visible()
