"""The API's pages in the browser: the tokens page (axe-clean, 390 px) and the reference page, which renders from
our own static files under the strict CSP (the login fixture fails the test on any CSP report)."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotator.models import AccessToken


def no_serious_violations(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_a_user_makes_and_revokes_a_token(login, live_server, annotator):
    page = login(annotator)
    page.get_by_role("link", name="Account").click()  # where one looks for it, from any page
    page.get_by_role("link", name="your API tokens").click()
    page.get_by_label("Name").fill("CMS import")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make the token").click()
    token = page.get_by_label("Token", exact=True)
    expect(token).to_be_visible()
    secret = token.input_value()
    assert secret.startswith(AccessToken.objects.get().prefix)
    assert token.evaluate("field => field.scrollWidth <= field.clientWidth")  # shown whole, not cut off
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copied-token")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    expect(page.get_by_role("row", name="CMS import")).to_contain_text("Read and write")
    no_serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert token.evaluate("field => field.scrollHeight <= field.clientHeight + 1")  # wraps, still whole
    page.get_by_role("button", name="Revoke CMS import").click()
    expect(page.get_by_role("row", name="CMS import")).to_contain_text("Revoked")
    assert AccessToken.objects.get().revoked_at is not None
    assert page.errors == []


def test_the_reference_page_renders_under_the_csp(login, live_server, annotator):
    page = login(annotator)
    page.goto(live_server.url + "/api/docs/")
    expect(page.get_by_text("Editorial annotator API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/documents/{document_id}/marks/bulk/").first).to_be_visible()
    assert page.errors == []


def test_the_reference_page_tries_a_write_with_the_session_and_its_csrf_token(login, live_server, annotator, document):
    """Swagger UI's "Try it out" as a signed-in member: the session authenticates, the page sends the CSRF token."""
    import json

    from annotator.models import Annotation

    page = login(annotator)
    page.goto(live_server.url + "/api/docs/")
    operation = page.locator("#operations-documents-documents_marks_create")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.locator("input[placeholder='document_id']").fill(str(document.pk))
    at = document.text.index("Stalin")
    body = {"start": at, "end": at + 6, "exact": "Stalin", "label": "claim", "note": ""}
    operation.locator("textarea.body-param__text").fill(json.dumps(body))
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("201")
    assert Annotation.objects.get().created_by == annotator
    assert page.errors == []
