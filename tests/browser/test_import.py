"""Importing marks from the app (issue 23): a manager uploads a CSV, reads the check's report (nothing imported yet),
confirms, and the marks are there; axe-clean, at 390 px too."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from annotator import exchange, services
from annotator.models import Annotation, Role

from ..factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory


def no_serious_violations(page):
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], results.generate_report()


def test_a_manager_uploads_reads_the_report_and_confirms(browser, login, live_server, db):
    project = ProjectFactory(name="Desk")
    boss = UserFactory(username="boss")
    MembershipFactory(user=boss, project=project, role=Role.MANAGER)
    document = DocumentFactory(project=project, title="Sample")
    start = document.text.index("Stalin")
    mark = services.annotate(
        user=boss,
        document=document,
        start=start,
        end=start + 6,
        exact="Stalin",
        label=project.labels.get(key="claim"),
    )
    csv = "".join(exchange.export(Annotation.objects.all(), "csv", raw=True)).encode()
    services.delete_annotation(user=boss, annotation=mark)
    csv += csv.splitlines(keepends=True)[1].replace(b",Stalin,", b",Stolin,")  # a second row: not in the text

    page = login(boss)
    page.goto(f"{live_server.url}/projects/{project.pk}/export/")
    page.get_by_role("link", name="Import marks").click()
    no_serious_violations(page)
    page.get_by_label("File of marks").set_input_files({"name": "marks.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("p.notice")).to_contain_text("Checked, nothing imported yet")
    expect(page.get_by_role("table", name="Rows that cannot be imported, with the reason")).to_contain_text(
        "its text is not in the document"
    )
    assert not Annotation.objects.exists()
    no_serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    no_serious_violations(page)
    page.get_by_role("button", name="Import 1 mark, leaving out 1 row").click()
    expect(page.locator("p.notice")).to_contain_text("Imported on")
    assert list(Annotation.objects.values_list("span__exact", flat=True)) == ["Stalin"]
    no_serious_violations(page)


def test_the_page_follows_the_check_and_the_import_the_worker_makes(browser, login, live_server, db, settings):
    """Tasks wait, as they do until the worker takes them (the test does their work): the page says the file is
    being checked, then shows the report by itself, then follows the import to its end."""
    from annotator.models import ImportUpload
    from annotator.services import import_uploads

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    project = ProjectFactory(name="Desk")
    boss = UserFactory(username="boss")
    MembershipFactory(user=boss, project=project, role=Role.MANAGER)
    document = DocumentFactory(project=project, title="Sample")
    start = document.text.index("Stalin")
    label = project.labels.get(key="claim")
    mark = services.annotate(user=boss, document=document, start=start, end=start + 6, exact="Stalin", label=label)
    csv = "".join(exchange.export(Annotation.objects.all(), "csv", raw=True)).encode()
    services.delete_annotation(user=boss, annotation=mark)

    page = login(boss)
    page.goto(f"{live_server.url}/projects/{project.pk}/import/")
    page.get_by_label("File of marks").set_input_files({"name": "marks.csv", "mimeType": "text/csv", "buffer": csv})
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("p.notice")).to_contain_text("Checking the file: nothing is imported yet")
    no_serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    import_uploads.check_upload.call(ImportUpload.objects.get().pk)
    page.get_by_role("button", name="Import 1 mark").click()  # appears by itself: the page asks every second
    expect(page.locator("p.notice")).to_contain_text("Importing the rows the check placed")
    import_uploads.run_import.call(ImportUpload.objects.get().pk)
    expect(page.locator("p.notice")).to_contain_text("Imported on")
    assert list(Annotation.objects.values_list("span__exact", flat=True)) == ["Stalin"]
    no_serious_violations(page)
