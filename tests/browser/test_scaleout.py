"""Two editors on two gunicorn processes (one PostgreSQL database) mark one document and see each other live."""

import re

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation

from .conftest import select_text

pytestmark = [pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]


def test_editors_on_two_servers_see_each_others_marks_live(login, servers, document, annotator, annotator2):
    one, two = servers
    first = login(annotator, base_url=one.url)
    second = login(annotator2, base_url=two.url)
    for page, server in ((first, one), (second, two)):
        page.goto(f"{server.url}/documents/{document.pk}/")
        expect(page.locator("#doc-text")).to_be_visible()

    select_text(first, 0, 10)
    first.get_by_role("button", name="Evidence").click()
    expect(first.locator("#doc-text .m")).to_have_count(1)
    # Server 2 learns of it from the database alone, within a poll (2 s) or two.
    expect(second.locator("#doc-text .m")).to_have_count(1, timeout=5000)
    expect(second.locator("#mark-list")).to_contain_text("ann")

    start = document.text.index("Getty argues")
    select_text(second, start, start + 12)
    second.get_by_role("button", name="Claim").click()
    expect(second.locator("#doc-text .m")).to_have_count(2)
    expect(first.locator("#doc-text .m")).to_have_count(2, timeout=5000)
    expect(first.locator("#mark-list")).to_contain_text("ann2")

    assert sorted(Annotation.objects.values_list("created_by__username", flat=True)) == ["ann", "ann2"]
    # The pages were served with DEBUG off: WhiteNoise's hashed static files, not the development ones.
    assert re.search(r"/static/annotator/annotator\.[0-9a-f]{12}\.js", first.content())
    assert first.errors == [] and second.errors == []
