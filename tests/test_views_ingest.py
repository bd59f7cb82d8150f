"""The "Add a document" page with addresses and PDF, HTML and Word files; the progress page; downloading an
original; fetching again from the versions page; hostile HTML shown only as text."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotator.models import Document, DocumentVersion, Extraction, Original
from annotator.services import ingest

from .conftest import client_for
from .ingest_files import Site, article, book, make_docx, make_pdf


@pytest.fixture
def site(settings):
    settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES = True
    with Site() as s:
        yield s


def _add(client, project, **data):
    return client.post(reverse("document_create", args=[project.pk]), data)


def _upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_the_form_offers_an_address_and_the_new_kinds_of_file(project, manager):
    page = client_for(manager).get(reverse("document_create", args=[project.pk])).content.decode()
    assert 'name="url"' in page and 'type="url"' in page
    assert 'accept=".pdf,.docx,.html,.htm,.txt,.md,.text,.markdown"' in page


def test_a_pdf_upload_goes_to_its_progress_page_and_the_document_is_made(project, manager):
    response = _add(client_for(manager), project, file=_upload("report.pdf", make_pdf(book(2), labels=[(0, "D", 5)])))
    extraction = Extraction.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("extraction_detail", args=[extraction.pk])
    page = client_for(manager).get(response["Location"]).content.decode()
    document = Document.objects.get(project=project)
    assert "Added “" in page and reverse("document_detail", args=[document.pk]) in page
    assert [label for _, label in DocumentVersion.objects.get(document=document).pages] == ["5", "6"]


@pytest.mark.parametrize(
    "name, data",
    [("page.html", article()), ("page.htm", article()), ("notes.docx", make_docx([("p", "Some notes to mark.")]))],
)
def test_html_and_word_uploads_make_documents(project, manager, name, data):
    response = _add(client_for(manager), project, file=_upload(name, data))
    assert response.status_code == 302
    assert Extraction.objects.get().state == "done" and Document.objects.filter(project=project).count() == 1


def test_a_text_file_is_still_added_at_once(project, manager):
    response = _add(client_for(manager), project, file=_upload("a.txt", b"Plain text.\n"))
    document = Document.objects.get(project=project)
    assert response["Location"] == reverse("document_detail", args=[document.pk]) and not Extraction.objects.exists()
    assert DocumentVersion.objects.get(document=document).text == "Plain text.\n"


def test_an_address_is_fetched_and_made_a_document(project, manager, site):
    url = site.html("/story", article())
    response = _add(client_for(manager), project, url=url)
    assert response.status_code == 302
    document = Document.objects.get(project=project)
    assert document.origin == url and document.source.type == "webpage"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"file": "picture.png"}, "This kind of file cannot be read: upload PDF, Word (.docx), HTML, .txt or .md."),
        ({"url": "https://example.org/", "text": "Some text"}, "Give one of them: an address, a file or pasted text."),
        ({"title": ""}, "Give the address of a web page, upload a file or paste some text."),
        ({"url": "gopher://example.org/"}, "Only http:// and https:// addresses can be fetched."),
    ],
)
def test_what_cannot_be_taken_is_refused_on_the_form_with_its_reason(project, manager, data, message):
    if "file" in data:
        data["file"] = _upload(data["file"], b"\x89PNG\r\n\x1a\n")
    response = _add(client_for(manager), project, **data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Document.objects.filter(project=project).exists() and not Extraction.objects.exists()


def test_a_file_over_the_limit_is_refused_on_the_form(project, manager, settings):
    settings.ANNOTATOR_MAX_UPLOAD_BYTES = 2000
    response = _add(client_for(manager), project, file=_upload("r.pdf", make_pdf(book(3))))
    assert response.status_code == 422 and "the limit is 2.0" in response.content.decode()


def test_a_failed_extraction_shows_its_reason_on_the_progress_page(project, manager):
    response = _add(client_for(manager), project, file=_upload("broken.pdf", b"%PDF-1.4 broken"))
    page = client_for(manager).get(response["Location"]).content.decode()
    assert 'role="alert"' in page and "Nothing was added: This PDF cannot be read" in page
    assert not Document.objects.filter(project=project).exists()
    # the managers' project page lists it too, with its reason
    project_page = client_for(manager).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "failed: This PDF cannot be read" in project_page


def test_the_progress_page_polls_with_an_accessible_progress_bar_until_it_is_done(project, manager, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nobody works on it
    response = _add(client_for(manager), project, file=_upload("r.pdf", make_pdf(book(1))))
    url = response["Location"]
    page = client_for(manager).get(url).content.decode()
    bar = re.search(r"<progress[^>]*>", page).group()
    assert 'aria-valuenow="0"' in bar and 'max="100"' in bar and "Waiting for the worker to start" in page
    assert f'hx-get="{url}"' in page and 'hx-trigger="every 1s"' in page
    Extraction.objects.update(state="running", progress=42)
    fragment = client_for(manager).get(url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text and 'aria-valuenow="42"' in text and "42% done" in text and "Extracting the text" in text
    assert fragment["Vary"].count("HX-Request") == 1
    ingest.run_extraction(Extraction.objects.get().pk)  # (it was taken as running; a real worker claims waiting ones)
    Extraction.objects.update(state="waiting")
    ingest.run_extraction(Extraction.objects.get().pk)
    done = client_for(manager).get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "Open “" in done


def test_members_follow_an_extraction_and_outsiders_do_not(project, manager, annotator, outsider):
    _add(client_for(manager), project, file=_upload("r.pdf", make_pdf(book(1))))
    url = reverse("extraction_detail", args=[Extraction.objects.get().pk])
    assert client_for(annotator).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404


# Hostile HTML -------------------------------------------------------------------------------------


def test_a_hostile_page_reaches_our_pages_only_as_text(project, manager):
    _add(
        client_for(manager), project, file=_upload("hostile.html", article(title="<img src=x onerror=alert('title')>"))
    )
    document = Document.objects.get(project=project)
    for url in (
        reverse("document_detail", args=[document.pk]),
        reverse("project_detail", args=[project.pk]),
        reverse("document_versions", args=[document.pk]),
        reverse("source_list", args=[project.pk]),
    ):
        page = client_for(manager).get(url).content.decode()
        for code in ("<img src=x", "onclick=", "alert('handler')", "javascript:alert", "<script>alert"):
            assert code not in page, (url, code)
    detail = client_for(manager).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;escaped&quot;)&lt;/script&gt;" in detail  # the article's own words, escaped


# Originals ----------------------------------------------------------------------------------------


def test_members_download_the_original_as_an_attachment_never_inline(project, manager, reviewer, outsider):
    data = article()
    _add(client_for(manager), project, file=_upload("saved page.html", data))
    document = Document.objects.get(project=project)
    url = reverse("original_download", args=[document.pk, 1])
    response = client_for(reviewer).get(url)
    assert response.status_code == 200 and response.content == data
    assert response["Content-Disposition"] == 'attachment; filename="saved page.html"'
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "text/html"
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(reviewer).get(reverse("original_download", args=[document.pk, 2])).status_code == 404


def test_a_fetched_original_is_named_for_its_document(project, manager, site):
    _add(client_for(manager), project, url=site.html("/story", article()) + "?x=1")
    document = Document.objects.get(project=project)
    response = client_for(manager).get(reverse("original_download", args=[document.pk, 1]))
    assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}-v1.html"'
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_the_versions_page_lists_originals_with_their_download(project, manager, annotator):
    data = make_pdf(book(1))
    _add(client_for(manager), project, file=_upload("r.pdf", data))
    document = Document.objects.get(project=project)
    page = client_for(annotator).get(reverse("document_versions", args=[document.pk])).content.decode()
    assert reverse("original_download", args=[document.pk, 1]) in page and "application/pdf" in page
    assert Original.objects.get().sha256[:12] in page
    assert "Fetch again" not in page  # not made from an address, and not a manager


# Fetching again -----------------------------------------------------------------------------------


def test_fetch_again_from_the_versions_page(project, manager, labels, site):
    url = site.html("/story", article())
    _add(client_for(manager), project, url=url)
    document = Document.objects.get(project=project)
    versions_url = reverse("document_versions", args=[document.pk])
    page = client_for(manager).get(versions_url).content.decode()
    assert "Fetch again" in page and reverse("document_refetch", args=[document.pk]) in page

    response = client_for(manager).post(reverse("document_refetch", args=[document.pk]))
    progress = client_for(manager).get(response["Location"]).content.decode()
    assert "the text has not changed since version 1" in progress

    site.html(
        "/story",
        article(
            first="The outlet rewrote its first paragraph after publication, quietly, and it now "
            "says something else about the archives and the numbers than it did before."
        ),
    )
    response = client_for(manager).post(reverse("document_refetch", args=[document.pk]))
    progress = client_for(manager).get(response["Location"]).content.decode()
    assert "the text changed, and is now version 2" in progress
    assert reverse("version_report", args=[document.pk, 2]) in progress
    diff = client_for(manager).get(reverse("version_diff", args=[document.pk]), {"from": 1, "to": 2}).content.decode()
    assert "rewrote" in diff


def test_fetch_again_on_a_document_not_from_an_address_says_why(project, manager, document):
    response = client_for(manager).post(reverse("document_refetch", args=[document.pk]), follow=True)
    assert "This document was not made from a web address" in response.content.decode()


def _pdf_document(project, manager):
    """A document made from a three-page PDF whose pages are numbered i, 1, 2 (roman, then decimal)."""
    pdf = make_pdf(book(3), labels=[(0, "r", 1), (1, "D", 1)], title="The annual report")
    ingest.request_document(user=manager, project=project, name="report.pdf", data=pdf)
    return Document.objects.get(project=project)


def test_the_page_numbers_of_a_pdf_show_beside_its_text(project, manager):
    document = _pdf_document(project, manager)
    page = client_for(manager).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert re.findall(r'<span class="page-no">(.*?)</span>', page) == ["p. i", "p. 1", "p. 2"]
    # Outside the pieces of text: no offset counts them.
    assert re.search(r'<div id="block-0" class="block"><span class="page-no">p. i</span><span class="p"', page)


def test_a_mark_on_a_pdf_says_its_page_and_citing_the_document_prefills_the_locator(project, manager, labels):
    from annotator import services
    from annotator.models import Citation

    document = _pdf_document(project, manager)
    words = "the regions on page 3"
    start = document.text.index(words)
    mark = services.annotate(
        user=manager, document=document, start=start, end=start + len(words), exact=words, label=labels["quotation"]
    )
    client = client_for(manager)
    panel = client.get(reverse("annotation_detail", args=[mark.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "on p. 2 of the original" in panel
    own = document.source
    assert re.search(rf'<input type="radio" name="source" value="{own.pk}" data-own-source checked>', panel)
    assert (
        'name="locator" maxlength="200" placeholder="p. 113, or f. 17, op. 3, d. 922, ll. 50-55" value="p. 2"' in panel
    )
    client.post(reverse("citation_create", args=[mark.pk]), {"source": own.pk, "locator": "p. 2"})
    assert Citation.objects.get(annotation=mark).locator == "p. 2"


def test_a_mark_across_two_pages_names_both(project, manager, labels):
    from annotator import services

    document = _pdf_document(project, manager)
    start = document.text.index("from paragraph 3", document.text.index("on page 2"))
    end = document.text.index("on page 3") + len("on page 3")
    mark = services.annotate(
        user=manager, document=document, start=start, end=end, exact=document.text[start:end], label=labels["claim"]
    )
    panel = client_for(manager).get(reverse("annotation_detail", args=[mark.pk]), HTTP_HX_REQUEST="true")
    assert "on pp. 1–2 of the original" in panel.content.decode()


def test_a_plain_text_document_shows_no_page_numbers(project, manager, document):
    page = client_for(manager).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "page-no" not in page and "of the original" not in page
