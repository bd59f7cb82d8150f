"""A corrected version of the forum thread: the report, and re-attaching an orphan in the browser."""

from playwright.sync_api import expect

from annotator import services
from annotator.models import Annotation, Membership, Role
from annotator.seeds import load_seeds

from ..factories import UserFactory


def test_a_manager_uploads_a_corrected_thread_and_an_editor_reattaches_an_orphan(login, live_server, tmp_path):
    manager, editor = UserFactory(username="chief"), UserFactory(username="ed")
    project, _ = load_seeds(manager=manager)
    Membership.objects.create(user=editor, project=project, role=Role.ANNOTATOR)
    thread = project.documents.get(origin__startswith="000")
    claim = project.labels.get(key="claim")
    text = thread.text

    def mark(exact, occurrence=0):
        start = text.index(exact)
        return services.annotate(
            user=editor, document=thread, start=start, end=start + len(exact), exact=exact, label=claim
        )

    kept = mark("the inclination of the party was always towards at least some purging")
    doomed = mark("Comrade card file thrived and flourished")
    corrected = text.replace("Comrade card file thrived and flourished", "The general secretary prospered")
    upload = tmp_path / "thread-v2.txt"
    upload.write_text(corrected, encoding="utf-8")

    page = login(manager)
    page.goto(f"{live_server.url}/documents/{thread.pk}/versions/")
    page.get_by_label("File").set_input_files(str(upload))
    page.get_by_label("Note").fill("Corrected a sentence")
    page.get_by_role("button", name="Add version").click()
    expect(page.get_by_role("heading", name="How marks were carried to version 2")).to_be_visible()
    expect(page.locator("tr.placement-orphaned")).to_have_count(1)
    expect(page.locator("tr.placement-unchanged")).to_have_count(1)

    page = login(editor)
    page.goto(f"{live_server.url}/annotations/{doomed.pk}/")
    expect(page.locator("#mark-detail")).to_contain_text("Orphaned")
    start = corrected.index("The general secretary prospered")
    from .conftest import select_text

    select_text(page, start, start + len("The general secretary prospered"))
    page.get_by_role("button", name="Re-attach to the selected text").click()
    expect(page.locator("#mark-detail")).to_contain_text("Re-attached by hand")
    expect(page.locator("#doc-text .m")).to_have_count(2)
    doomed.refresh_from_db()
    kept.refresh_from_db()
    assert (doomed.span.version, doomed.span.exact) == (2, "The general secretary prospered")
    assert kept.span.version == 2 and corrected[kept.span.start : kept.span.end] == kept.span.exact
    assert Annotation.objects.filter(placement="orphaned").count() == 0
