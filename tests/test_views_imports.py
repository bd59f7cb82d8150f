"""Importing marks from the app: upload, the check's report (nothing imported), confirm once; bad files refused."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator import exchange, services
from annotator.models import Annotation, ImportUpload, Link, LinkType, Role
from annotator.services import import_uploads
from annotator.services import links as link_services

from . import other_tools as tools
from .conftest import client_for
from .factories import DocumentFactory, MembershipFactory, UserFactory


def _file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "text/csv")


@pytest.fixture
def exported(document, annotator, labels):
    """Our raw CSV and links CSV of two linked marks, which are then deleted: the files bring them back."""
    made = []
    for word, key in [("Stalin", "claim"), ("Getty", "evidence")]:
        start = document.text.index(word)
        made.append(
            services.annotate(
                user=annotator, document=document, start=start, end=start + len(word), exact=word, label=labels[key]
            )
        )
    supports = LinkType.objects.get(project=document.project, key="supports")
    link_services.create_link(user=annotator, from_annotation=made[1], to_annotation=made[0], type=supports)
    marks = Annotation.objects.filter(pk__in=[m.pk for m in made])
    files = {
        "file": "".join(exchange.export(marks, "csv", raw=True)).encode(),
        "links": "".join(exchange.export(marks, "links-csv", raw=True)).encode(),
    }
    for mark in made:
        services.delete_annotation(user=annotator, annotation=Annotation.objects.get(pk=mark.pk))
    assert not Annotation.objects.exists() and not Link.objects.exists()
    return files


def _upload(client, project, **files):
    data = {name: _file(f"{name}.csv", content) for name, content in files.items()}
    return client.post(f"/projects/{project.pk}/import/", data)


def test_a_manager_checks_a_file_reads_the_report_and_confirms_once(manager, project, exported):
    client = client_for(manager)
    response = _upload(client, project, **exported)
    upload = ImportUpload.objects.get()
    assert response.status_code == 302 and response.url == f"/imports/{upload.pk}/"
    assert not Annotation.objects.exists()  # checked only
    page = client.get(response.url).content.decode()
    assert "Checked, nothing imported yet" in page and "Import 2 marks and 1 link</button>" in page
    assert [line for line, _ in upload.report["placed"]] == [2, 3]
    assert upload.report["links_created"] == 1
    for _ in range(2):  # a double click
        assert client.post(response.url).status_code == 302
    assert Annotation.objects.count() == 2 and Link.objects.count() == 1
    upload.refresh_from_db()
    assert upload.state == "imported" and upload.data == b"" and upload.links is None
    assert "Imported on" in client.get(response.url).content.decode()
    # The same file again: nothing in it is new, and no button offers to import nothing.
    again = client.get(_upload(client, project, **exported).url).content.decode()
    state = again.split('id="import-state"')[1].split("</main>")[0]
    assert "Nothing in this file is new to the project" in state and "<button" not in state
    assert "2 are there already" in again


def test_a_row_that_cannot_be_placed_is_reported_with_its_line_and_left_out(manager, project, exported):
    csv = exported["file"].decode().replace(",Getty,", ",Gatty,")
    response = _upload(client_for(manager), project, file=csv.encode())
    report = ImportUpload.objects.get().report
    assert response.status_code == 302 and report["refused_count"] == 1 and report["placed_count"] == 1
    [(line, reason)] = report["refused"]
    assert line == 3 and "its text is not in the document" in reason
    page = client_for(manager).get(response.url).content.decode()
    assert "leaving out 1 row" in page and "its text is not in the document" in page
    client_for(manager).post(response.url)
    assert list(Annotation.objects.values_list("span__exact", flat=True)) == ["Stalin"]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"", "empty"),
        (b"{not json", "cannot be read"),
    ],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_kept(manager, project, data, message):
    response = _upload(client_for(manager), project, file=data)
    assert response.status_code == 422 and message in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_a_file_over_the_limit_is_refused(manager, project, settings):
    settings.ANNOTATOR_MAX_UPLOAD_BYTES = 100
    response = _upload(client_for(manager), project, file=b"x" * 101)
    assert response.status_code == 422 and response.content.decode().count("the limit is") == 1  # said once
    assert not ImportUpload.objects.exists()


@pytest.mark.parametrize(
    ("setting", "message"),
    [("ANNOTATOR_MAX_IMPORT_MARKS", "holds 2 marks"), ("ANNOTATOR_MAX_IMPORT_LINKS", "holds 1 links")],
)
def test_a_file_of_more_marks_or_links_than_one_import_takes_is_refused(
    manager, project, exported, settings, setting, message
):
    # Each mark and link is checked and saved one by one: the work of a request is bounded by their number.
    setattr(settings, setting, 1 if setting.endswith("MARKS") else 0)
    response = _upload(client_for(manager), project, **exported)
    page = response.content.decode()
    assert response.status_code == 422 and message in page and "manage.py import_annotations" in page
    assert not ImportUpload.objects.exists() and not Annotation.objects.exists()


def test_other_tools_marks_go_to_the_document_chosen(manager, project):
    document = DocumentFactory(project=project, title="Numbers", text=tools.TEXT)
    data = json.dumps([tools.hypothesis("mass terror", tags=["nkvd"])]).encode()
    client = client_for(manager)
    response = client.post(
        f"/projects/{project.pk}/import/",
        {
            "file": _file("h.jsonld", data),
            "document": document.pk,
            "label": "evidence",
            "as_user": manager.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post(response.url)
    mark = Annotation.objects.select_related("span", "label").get()
    assert (mark.span.exact, mark.label.key, mark.created_by) == ("mass terror", "evidence", manager)


def test_an_expired_check_imports_nothing(manager, project, exported):
    client = client_for(manager)
    response = _upload(client, project, **exported)
    ImportUpload.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert "upload the file again" in client.get(response.url).content.decode()
    assert client.post(response.url).status_code == 422
    assert not Annotation.objects.exists()


def test_an_upload_is_its_uploaders_alone(manager, annotator, project, outsider, exported):
    other_manager = UserFactory(username="boss2")
    MembershipFactory(user=other_manager, project=project, role=Role.MANAGER)
    response = _upload(client_for(manager), project, **exported)
    for user in (other_manager, annotator, outsider):
        assert client_for(user).get(response.url).status_code == 404
        assert client_for(user).post(response.url).status_code == 404
    assert _upload(client_for(annotator), project, **exported).status_code == 403
    assert _upload(client_for(outsider), project, **exported).status_code == 404
    assert not Annotation.objects.exists() and ImportUpload.objects.count() == 1


def test_a_new_check_replaces_the_one_waiting_and_the_old_page_says_what_became_of_it(manager, project, exported):
    client = client_for(manager)
    first = _upload(client, project, **exported).url
    _upload(client, project, **exported)
    assert ImportUpload.objects.count() == 1
    for answer in (client.post(first), client.get(first)):  # its Import button, pressed in a tab left open
        page = answer.content.decode()
        assert answer.status_code == 404
        assert "nothing was imported from it" in page and "a newer file you upload to the same project replaces" in page
    polled = client.get(first, headers={"HX-Request": "true"})  # its page, still asking for its state
    assert polled.status_code == 404 and "<html" not in polled.content.decode()
    assert 'id="import-state"' in polled.content.decode() and "nothing was imported" in polled.content.decode()
    assert not Annotation.objects.exists()


def test_the_service_refuses_a_label_of_another_project(manager, project, exported):
    with pytest.raises(services.ActionRefused, match="not one of the project's"):
        import_uploads.check_import(user=manager, project=project, name="m.csv", data=exported["file"], label="nope")


# In the background ------------------------------------------------------------------------------------------------


@pytest.fixture
def nobody_works(settings):
    """Tasks wait, as they do until the worker takes them: the test runs them itself."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_the_check_and_the_import_run_in_the_background_and_the_page_follows_them(
    manager, project, exported, nobody_works
):
    client = client_for(manager)
    response = _upload(client, project, **exported)
    upload = ImportUpload.objects.get()
    assert upload.state == "checking" and upload.report == {}
    page = client.get(response.url).content.decode()
    assert "Checking the file" in page and 'hx-trigger="every 1s"' in page and "Import 2 marks" not in page
    assert client.post(response.url).status_code == 409  # nothing to confirm yet
    import_uploads.check_upload.call(upload.pk)
    assert not Annotation.objects.exists()
    polled = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in polled and "Import 2 marks" in polled and "every 1s" not in polled
    assert client.post(response.url).status_code == 302
    upload.refresh_from_db()
    assert upload.state == "importing" and not Annotation.objects.exists()
    assert "Importing the rows the check placed" in client.get(response.url).content.decode()
    client.post(response.url)  # a second click while it runs changes nothing
    import_uploads.run_import.call(upload.pk)
    import_uploads.run_import.call(upload.pk)  # run twice: done once
    assert Annotation.objects.count() == 2 and Link.objects.count() == 1
    upload.refresh_from_db()
    assert upload.state == "imported" and upload.data == b""
    assert "Imported on" in client.get(response.url, headers={"HX-Request": "true"}).content.decode()


def test_a_newer_upload_replaces_one_being_checked(manager, project, exported, nobody_works):
    client = client_for(manager)
    _upload(client, project, **exported)
    first = ImportUpload.objects.get()
    _upload(client, project, **exported)
    import_uploads.check_upload.call(first.pk)  # the worker gets to the first one late: it is gone
    assert ImportUpload.objects.get().pk != first.pk


def test_a_crash_in_the_background_fails_the_upload_and_the_page_says_so(
    manager, project, exported, nobody_works, monkeypatch
):
    client = client_for(manager)
    response = _upload(client, project, **exported)
    upload = ImportUpload.objects.get()

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_uploads, "import_marks", broken)
    with pytest.raises(RuntimeError):  # the task fails, as the worker records it
        import_uploads.check_upload.call(upload.pk)
    upload.refresh_from_db()
    assert upload.state == "failed" and upload.data == b""
    page = client.get(response.url).content.decode()
    assert "Something went wrong on the server (RuntimeError)" in page and "disk on fire" not in page
    assert client.post(response.url).status_code == 422


def test_a_manager_who_left_before_the_import_ran_imports_nothing(manager, project, exported, nobody_works):
    client = client_for(manager)
    response = _upload(client, project, **exported)
    upload = ImportUpload.objects.get()
    import_uploads.check_upload.call(upload.pk)
    client.post(response.url)
    manager.memberships.update(role=Role.ANNOTATOR)
    import_uploads.run_import.call(upload.pk)
    upload.refresh_from_db()
    assert upload.state == "failed" and "Only the project's managers" in upload.message
    assert not Annotation.objects.exists()
