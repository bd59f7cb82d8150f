"""Usable by everyone (issue 26): every page axe-clean as each role and in the states a member meets (a mark open, the
link and source pickers open, forms refused), on a wide screen and on a phone; no page wider than a phone."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from annotator import services
from annotator.models import (
    Document,
    Extraction,
    Label,
    LinkType,
    Original,
    Role,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from annotator.seeds import load_seeds
from annotator.services import ingest as ingest_services
from annotator.services import links as link_services
from annotator.services import sources as source_services
from annotator.services import tokens
from annotator.services import verdicts as verdict_services

from ..factories import MembershipFactory, UserFactory
from ..ingest_files import book, make_pdf

AXE = Axe()

# Every id an ARIA attribute names must be on the page: axe passes an aria-describedby of which one id exists.
MISSING_IDREFS = """() => {
    const missing = [];
    for (const name of ["aria-describedby", "aria-labelledby", "aria-controls", "aria-details", "aria-errormessage"]) {
        for (const el of document.querySelectorAll("[" + name + "]")) {
            for (const id of el.getAttribute(name).split(/\\s+/).filter(Boolean)) {
                if (!document.getElementById(id)) missing.push(name + "=" + id + " on " + el.outerHTML.slice(0, 120));
            }
        }
    }
    return missing;
}"""


def violations(page, where: str, ignore=()) -> list[str]:
    """axe-core's violations on the page as it is now, and ARIA references to ids not on the page: one line each,
    naming the place, the rule and the element. `ignore`: (rule, CSS selector of the element) pairs not ours."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    lines = [
        f"{where}: {v['id']} ({v['impact']}) {node['target']} {node['html'][:160]}"
        for v in AXE.run(page).response["violations"]
        for node in v["nodes"]
        if not any(
            v["id"] == rule and page.locator(", ".join(node["target"])).evaluate(f"e => e.matches({css!r})")
            for rule, css in ignore
        )
    ]
    return lines + [f"{where}: missing id {m}" for m in page.evaluate(MISSING_IDREFS)]


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


class World:
    """The seed project marked up by two editors, a reviewer and a manager, reviewed, cited, linked, with a second
    version of a document."""

    def __init__(self):
        self.people = {"boss": UserFactory(username="boss")}
        self.project, _ = load_seeds(manager=self.people["boss"])
        for name, role in [("editor1", Role.ANNOTATOR), ("editor2", Role.ANNOTATOR), ("rev", Role.REVIEWER)]:
            self.people[name] = UserFactory(username=name)
            MembershipFactory(user=self.people[name], project=self.project, role=role)
        self.thread = self.project.documents.get(origin__startswith="000")
        self.blog = self.project.documents.get(origin__startswith="003")
        labels = {label.key: label for label in Label.objects.filter(project=self.project)}
        editor1, editor2 = self.people["editor1"], self.people["editor2"]

        def mark(user, document, words, label, note=""):
            start = document.text.index(words)
            return services.annotate(
                user=user,
                document=document,
                start=start,
                end=start + len(words),
                exact=words,
                label=labels[label],
                note=note,
            )

        self.claim = mark(
            editor1,
            self.thread,
            "Stalin is unseated by Sheila Fitzpatrick’s “new” nomenklatura",
            "claim",
            note="The thread's first answer.",
        )
        self.evidence = mark(editor1, self.thread, "By this point Stalin's power was beyond question", "evidence")
        mark(editor2, self.thread, "Stalin is unseated by Sheila Fitzpatrick’s “new” nomenklatura", "evidence")
        mark(editor2, self.thread, "Sheila Fitzpatrick’s “new” nomenklatura for the crime", "claim")
        self.other = mark(
            editor2, self.thread, "the inclination of the party was always towards at least some purging", "claim"
        )
        self.own = {
            "annotator": self.claim,
            "reviewer": mark(self.people["rev"], self.thread, "all his rivals had been sidelined", "claim"),
            "manager": mark(
                self.people["boss"], self.thread, "The specialists trials were demanded by the party", "claim"
            ),
        }
        # A mark deleted: the document's deleted marks list it, to restore.
        services.delete_annotation(user=editor2, annotation=mark(editor2, self.thread, "mass operations", "evidence"))
        self.quotation = mark(editor1, self.blog, "These comrades do not understand", "quotation")
        self.source = source_services.create_source(
            user=editor1,
            project=self.project,
            type="article-journal",
            title="“Excesses Are Not Permitted”",
            authors=[{"family": "Getty", "given": "J. Arch"}],
            issued="2002",
            container_title="Russian Review",
            doi="10.2307/2697000",
            url="https://www.jstor.org/stable/2697000",
            full_text="Those comrades do not understand that the method of mass arrests is wrong. " * 40,
        )
        # Cited with a difference: the panel shows the quotation check's word-by-word differences.
        source_services.cite_source(user=editor1, annotation=self.quotation, source=self.source, locator="p. 113")
        supports = LinkType.objects.get(project=self.project, key="supports")
        link_services.create_link(
            user=editor1,
            from_annotation=self.evidence,
            type=supports,
            to_annotation=self.claim,
            note="The rivals were gone.",
        )
        same_as = LinkType.objects.get(project=self.project, key="same-as")
        link_services.create_link(user=editor2, from_annotation=self.other, type=same_as, to_annotation=self.claim)
        services.review_annotation(user=self.people["rev"], annotation=self.evidence, status="accepted", note="Fine.")
        # A second version of the blog post, through the page a manager uses.
        manager = Client()
        manager.force_login(self.people["boss"])
        changed = self.blog.text.replace("Did Stalin Want", "Did Stalin Really Want", 1)
        response = manager.post(f"/documents/{self.blog.pk}/versions/", {"text": changed, "note": "A sharper title"})
        assert response.status_code == 302, response.content[:500]
        self.blog.refresh_from_db()
        # The blog's first version as if fetched from the web (its versions page offers to fetch it again), and two
        # documents being added: one waiting for the worker (with a long address), one that failed.
        Original.objects.create(
            version=self.blog.versions.get(number=1),
            data=b"<html></html>",
            media_type="text/html",
            sha256="0" * 64,
            size=13,
            url="https://example.org/2019/05/did-stalin-want-the-purges",
            fetched_at=timezone.now(),
        )
        self.waiting = Extraction.objects.create(
            project=self.project,
            requested_by=self.people["boss"],
            url="https://example.org/a/very/long/address/of/a/page/about/the/great/purges/that/has/no/spaces/at/all",
        )
        # A text from a PDF, with its page numbers beside the blocks.
        pdf = make_pdf(book(3), labels=[(0, "r", 1), (1, "D", 1)], title="The annual report")
        ingest_services.request_document(user=self.people["boss"], project=self.project, name="report.pdf", data=pdf)
        self.report = Document.objects.filter(project=self.project).latest("pk")
        self.failed = Extraction.objects.create(
            project=self.project,
            requested_by=self.people["boss"],
            name="scan.pdf",
            state="failed",
            progress=100,
            message="The PDF has no text layer (a scan?).",
        )


@pytest.fixture
def world(db):
    return World()


USERS = {"annotator": "editor1", "reviewer": "rev", "manager": "boss"}


def app_pages(world: World, role: str) -> list[str]:
    """Every page of the app a member in `role` may open."""
    project, thread, blog = world.project.pk, world.thread.pk, world.blog.pk
    pages = [
        "/",
        f"/projects/{project}/",
        f"/documents/{thread}/",
        f"/documents/{blog}/",
        f"/documents/{world.report.pk}/",
        f"/annotations/{world.claim.pk}/",
        f"/annotations/{world.quotation.pk}/",
        f"/projects/{project}/agreement/",
        f"/documents/{thread}/agreement/",
        f"/projects/{project}/sources/",
        f"/projects/{project}/sources/?q=Getty",
        f"/sources/{world.source.pk}/",
        f"/documents/{blog}/suggestions/",
        f"/documents/{thread}/suggestions/",
        f"/projects/{project}/export/",
        f"/projects/{project}/link-types/",
        f"/documents/{thread}/map/",
        f"/projects/{project}/map/",
        f"/documents/{blog}/versions/",
        f"/documents/{blog}/versions/1/",
        f"/documents/{blog}/versions/diff/?from=1&to=2",
        f"/documents/{blog}/versions/2/report/",
        "/search/?q=Stalin",
        f"/projects/{project}/search/?q=purge",
        "/my-work/",
        f"/projects/{project}/guidelines/",
        f"/projects/{project}/members/",
        f"/projects/{project}/labels/",
        f"/projects/{project}/ratings/",
    ]
    if role in ("annotator", "manager"):
        pages += [
            f"/projects/{project}/sources/new/",
            f"/projects/{project}/sources/import/",
            f"/sources/{world.source.pk}/edit/",
        ]
    if role in ("reviewer", "manager"):
        pages += [
            f"/projects/{project}/progress/",
            f"/projects/{project}/review/",
            f"/projects/{project}/review/links/",
        ]
    if role == "manager":
        pages += [
            f"/projects/{project}/settings/",
            f"/projects/{project}/assignments/",
            f"/projects/{project}/documents/new/",
            f"/extractions/{world.waiting.pk}/",
            f"/extractions/{world.failed.pk}/",
            f"/projects/{project}/webhooks/",
            f"/projects/{project}/import/",
        ]
    return pages


def open_mark(page, mark):
    close = page.locator("#mark-detail .panel-close")
    if close.is_visible():  # on a phone the open mark's sheet covers the lower part of the text
        close.click()
    page.locator(f'#doc-text .m[data-marks~="{mark.pk}"]').first.click()
    expect(page.locator("#mark-detail")).to_have_attribute("data-annotation", str(mark.pk))
    expect(page.locator("#mark-detail h3").first).to_be_visible()


def document_states(page, world: World, role: str, base: str) -> list[str]:
    """The document page in the states a member meets: their own mark open with its history, the link picker and
    the source picker showing results, a new source refused; another's mark open (to review it); filters that match
    nothing."""
    found = []
    page.goto(f"{base}/documents/{world.thread.pk}/")
    panel = page.locator("#mark-detail")
    open_mark(page, world.own[role])
    found += violations(page, "their own mark open")
    panel.locator(".mark-history summary").click()
    panel.locator("#link-new summary").click()
    panel.get_by_label("Find a mark by its words").fill("inclination")
    expect(panel.locator("#link-results input[type=radio]")).to_have_count(1)
    found += violations(page, "the link picker open")
    panel.locator("#link-new summary").click()
    panel.get_by_label("Find a source (title, author, year, DOI)").fill("Getty")
    expect(panel.locator("[id^=source-results] input[type=radio]")).to_have_count(1)
    found += violations(page, "the source picker open")
    panel.locator(".new-source summary").click()
    page.expected_errors.append("status of 422")
    # A space gets past the browser's check of a required field; the server refuses it.
    panel.get_by_label("Title", exact=True).fill(" ")
    panel.get_by_role("button", name="Create and cite").click()
    expect(panel.get_by_role("alert").first).to_be_visible()
    found += violations(page, "a new source refused")
    open_mark(page, world.other)
    found += violations(page, "another's mark open")
    page.locator("#filters select").last.select_option("rejected")
    expect(page.locator("#mark-list .empty")).to_be_visible()
    found += violations(page, "filters that match nothing")
    page.locator(".deleted-marks summary").click()
    expect(page.locator(".deleted-marks")).to_contain_text("mass operations")
    found += violations(page, "the deleted marks open")
    return found


def refused_forms(page, world: World, role: str, base: str) -> list[str]:
    """The app's forms sent empty: each answers with its errors."""
    project = world.project.pk
    forms = []
    if role in ("annotator", "manager"):
        forms += [
            (f"/projects/{project}/sources/new/", "Add source"),
            (f"/projects/{project}/sources/import/", "Import"),
        ]
    if role == "manager":
        forms += [
            (f"/projects/{project}/documents/new/", "Add document"),
            (f"/documents/{world.blog.pk}/versions/", "Add version"),
            (f"/projects/{project}/link-types/", "Add"),
            (f"/projects/{project}/webhooks/", "Add the webhook"),
            (f"/projects/{project}/import/", "Check the file"),
        ]
    found = []
    page.expected_errors.append("status of 4")
    for path, button in forms:
        page.goto(base + path)
        page.locator("main form").get_by_role("button", name=button, exact=True).click()
        expect(page.locator("main .error").first).to_be_visible()
        # Focus on the first field at fault (or, when the form's own error is about no one field, on that error).
        first = page.locator("main form [aria-invalid=true]").first
        expect(first if first.count() else page.locator("main .error[role=alert]").first).to_be_focused()
        found += violations(page, f"{path} refused")
    return found


@pytest.mark.parametrize("role", ["annotator", "reviewer", "manager"])
def test_every_page_is_axe_clean_as_each_role(role, world, login, live_server):
    page = login(world.people[USERS[role]])
    found = []
    for path in app_pages(world, role):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        found += violations(page, path)
    found += document_states(page, world, role, live_server.url)
    found += refused_forms(page, world, role, live_server.url)
    assert found == [], "\n".join(found)


def test_the_login_page_and_its_refusal_are_axe_clean(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    found = violations(page, "login")
    page.get_by_label("Username").fill("editor1")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found += violations(page, "login refused")
    context.close()
    assert found == [], "\n".join(found)


def test_the_document_page_is_axe_clean_on_a_phone_with_a_mark_open(world, login, live_server):
    page = login(world.people["editor1"])
    page.set_viewport_size({"width": 390, "height": 800})
    found = document_states(page, world, "annotator", live_server.url)
    assert found == [], "\n".join(found)


def test_the_admins_inlines_and_pages_are_axe_clean_but_for_djangos_own_widgets(world, login, live_server):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests")
    page = login(admin)
    # The admin's own scripts set inline styles, which our Content Security Policy refuses: not this test's concern.
    page.expected_errors += ["Content Security", "CSP violation"]
    django_own = [
        ("aria-prohibited-attr", ".selector .search-label-icon"),  # filter_horizontal's help icons
    ]
    found = []
    label = world.project.labels.first()
    for path in [
        f"/admin/annotator/project/{world.project.pk}/change/",
        "/admin/annotator/project/add/",
        f"/admin/annotator/label/{label.pk}/change/",
        "/admin/annotator/annotation/",
        f"/admin/annotator/annotation/{world.quotation.pk}/change/",
        f"/admin/annotator/annotation/{world.claim.pk}/history/",
        f"/admin/annotator/source/{world.source.pk}/change/",
        "/admin/annotator/link/",
        f"/admin/annotator/linktype/{LinkType.objects.filter(project=world.project).first().pk}/change/",
        f"/admin/annotator/document/{world.thread.pk}/change/",
    ]:
        page.goto(live_server.url + path)
        found += violations(page, path, ignore=django_own)
    assert found == [], "\n".join(found)


def test_the_admins_token_webhook_and_verdict_pages_are_axe_clean(world, login, live_server):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests")
    token = tokens.create_token(user=world.people["boss"], name="CMS import", scope="write").token
    hook = Webhook.objects.create(
        project=world.project, url="https://93.184.216.34/hook", events=["mark.created"], secret="s" * 64
    )
    delivery = WebhookDelivery.objects.create(webhook=hook, event="mark.created", body="{}", state="failed")
    WebhookAttempt.objects.create(delivery=delivery, number=1, at=timezone.now(), status_code=502, error="Bad gateway")
    verdict = verdict_services.give_verdict(
        user=world.people["rev"],
        annotation=world.claim,
        rating=world.project.ratings.get(name="False"),
        summary="Stalin wanted the purges",
    )
    page = login(admin)
    page.expected_errors += ["Content Security", "CSP violation"]  # the admin's own inline styles, as above
    found = []
    for path in [
        "/admin/annotator/accesstoken/",
        f"/admin/annotator/accesstoken/{token.pk}/change/",
        f"/admin/annotator/webhook/{hook.pk}/change/",
        "/admin/annotator/webhookdelivery/",
        f"/admin/annotator/webhookdelivery/{delivery.pk}/change/",
        "/admin/annotator/claimverdict/",
        f"/admin/annotator/claimverdict/{verdict.pk}/change/",
        "/admin/annotator/rating/",
        f"/admin/annotator/ratingscale/{world.project.rating_scale.pk}/change/",
    ]:
        assert page.goto(live_server.url + path).status == 200, path
        found += violations(page, path)
    assert found == [], "\n".join(found)


def test_no_page_is_wider_than_a_phone_and_a_tapped_mark_opens_in_view(world, login, live_server):
    page = login(world.people["boss"])
    wide = []
    for width in (768, 390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        for path in app_pages(world, "manager"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            if overflow(page) > 0:
                wide.append(f"{path} at {width} px: {overflow(page)} px too wide")
    assert wide == []
    # On a phone the open mark is a sheet over the text: a tap on a mark far down the thread shows it at once, with
    # the mark still in sight above it, and Close goes back to the text.
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/documents/{world.thread.pk}/")
    piece = page.locator(f'#doc-text .m[data-marks~="{world.own["manager"].pk}"]').first
    piece.click()
    panel = page.locator("#mark-detail")
    expect(panel.locator("h2")).to_contain_text("by boss")
    assert overflow(page) == 0
    sheet, mark = panel.bounding_box(), piece.bounding_box()
    assert sheet["y"] >= 0 and sheet["y"] + sheet["height"] <= 800 + 1, sheet
    assert mark["y"] >= 0 and mark["y"] + mark["height"] <= sheet["y"], (mark, sheet)
    panel.get_by_role("button", name=re.compile("^Close")).click()
    expect(panel).to_be_hidden()
    expect(page.locator("#doc-text")).to_be_focused()
