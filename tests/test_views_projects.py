"""Login, project list, project page with counts, adding documents."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotator import services
from annotator.models import Document

from .conftest import client_for


def test_anonymous_users_are_sent_to_login(client, project):
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_login_with_the_right_password_lands_on_the_project_list(client, annotator, project):
    response = client.post(reverse("login"), {"username": "ann", "password": "pw-for-tests"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("project_list")
    assert project.name in response.content.decode()


def test_project_list_shows_only_the_users_projects(annotator, outsider, project):
    body = client_for(annotator).get(reverse("project_list")).content.decode()
    assert project.name in body and "Elsewhere" not in body


def test_project_page_counts_marks_by_label_and_status(document, annotator, reviewer, labels):
    for start, label in [(0, "claim"), (4, "claim"), (11, "evidence")]:
        services.annotate(
            user=annotator,
            document=document,
            start=start,
            end=start + 3,
            exact=document.text[start : start + 3],
            label=labels[label],
        )
    a = document.spans.get(start=0).annotations.get()
    services.review_annotation(user=reviewer, annotation=a, status="accepted")
    response = client_for(annotator).get(reverse("project_detail", args=[document.project_id]))
    row = next(r for r in response.context["rows"] if r["document"].pk == document.pk)
    assert row["label_counts"] == [2, 1, 0]
    assert row["status_counts"] == [2, 1, 0]
    assert row["total"] == 3


def test_a_manager_uploads_a_utf8_file(project, manager):
    upload = SimpleUploadedFile("notes.md", "\ufeff# Notes\r\n“quoted” 😀\r\n".encode("utf-8"))
    response = client_for(manager).post(reverse("document_create", args=[project.pk]), {"title": "", "file": upload})
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("document_detail", args=[doc.pk])
    assert (doc.title, doc.text, doc.origin) == ("# Notes", "# Notes\n“quoted” 😀\n", "notes.md")


def test_a_manager_pastes_text(project, manager):
    client_for(manager).post(reverse("document_create", args=[project.pk]), {"title": "Pasted", "text": "Some text."})
    assert Document.objects.get().text == "Some text."


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("latin.txt", "café".encode("latin-1"), "not UTF-8"),
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n", "empty"),
        ("image.png", b"\x89PNG", "This kind of file cannot be read: upload PDF, Word (.docx), HTML, .txt or .md."),
    ],
)
def test_bad_uploads_get_a_clear_error_and_create_nothing(project, manager, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = client_for(manager).post(reverse("document_create", args=[project.pk]), {"file": upload})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_an_upload_over_the_limit_is_refused(project, manager, settings):
    settings.ANNOTATOR_MAX_UPLOAD_BYTES = 100
    upload = SimpleUploadedFile("big.txt", b"x" * 101)
    response = client_for(manager).post(reverse("document_create", args=[project.pk]), {"file": upload})
    assert response.status_code == 422 and "the limit is 100" in response.content.decode()
    assert not Document.objects.exists()


def test_annotators_cannot_add_documents(project, annotator):
    response = client_for(annotator).post(reverse("document_create", args=[project.pk]), {"text": "x"})
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_repeated_failed_logins_lock_the_account_out_for_a_while(client, annotator, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "ann", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "ann", "password": "pw-for-tests"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [
        {"text": "\ufeff\ufeff"},
        {"file": SimpleUploadedFile("boms.txt", b"\xef\xbb\xbf\xef\xbb\xbf")},  # found by the fuzz tests: a 500
    ],
)
def test_a_text_of_only_byte_order_marks_is_refused_with_a_message(project, manager, data):
    response = client_for(manager).post(reverse("document_create", args=[project.pk]), {"title": "", **data})
    assert response.status_code == 422 and "The document is empty" in response.content.decode()
    assert not Document.objects.exists()
