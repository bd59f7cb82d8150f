"""Logging in through the real login form."""

from playwright.sync_api import expect


def test_an_editor_logs_in_and_sees_the_project_and_its_documents(login, live_server, document, annotator):
    page = login(annotator)
    expect(page.get_by_role("link", name="Purge project")).to_be_visible()
    page.get_by_role("link", name="Purge project").click()
    expect(page.get_by_role("link", name="Sample")).to_be_visible()
    assert page.errors == []


def test_a_wrong_password_is_refused_with_a_message(browser, live_server, annotator):
    page = browser.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("ann")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")
    page.close()
