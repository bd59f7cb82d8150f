"""Documents made from web pages and files (services/ingest.py): the document, its version 1 with its pages, its
original and its source; fetching again; every refusal leaves nothing but the reason."""

import hashlib

import pytest

from annotator import services
from annotator.ingest import pages as pagelib
from annotator.models import Annotation, Document, DocumentVersion, Extraction, Original, Source
from annotator.services import ActionRefused, Forbidden, ingest

from .ingest_files import Site, article, book, make_docx, make_pdf


@pytest.fixture
def site(settings):
    settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES = True
    with Site() as s:
        yield s


def _nothing_made(project):
    assert not Document.objects.filter(project=project).exists()
    assert not Original.objects.exists() and not Source.objects.filter(project=project).exists()


def test_a_pdf_becomes_a_document_with_its_pages_original_and_source(project, manager):
    data = make_pdf(book(3, 1), labels=[(0, "D", 7)], title="Annual Report", author="Jane Roe")
    extraction = ingest.request_document(user=manager, project=project, name="report.pdf", data=data)
    extraction.refresh_from_db()
    assert (extraction.state, extraction.progress, extraction.data) == ("done", 100, b"")
    document = extraction.document
    assert document.title == "Annual Report" and document.origin == "report.pdf"
    version = DocumentVersion.objects.get(document=document, number=1)
    assert version.text == document.text and [label for _, label in version.pages] == ["7", "8", "9"]
    original = version.original
    assert bytes(original.data) == data and original.sha256 == hashlib.sha256(data).hexdigest()
    assert (original.media_type, original.size, original.name, original.url) == (
        "application/pdf",
        len(data),
        "report.pdf",
        "",
    )
    source = document.source
    assert (source.type, source.title, source.authors) == (
        "report",
        "Annual Report",
        [{"family": "Roe", "given": "Jane"}],
    )
    assert source.project == project and source.created_by == manager


def test_the_page_of_a_mark_on_an_extracted_pdf(project, manager, labels):
    data = make_pdf(book(3, 1), labels=[(0, "r", 1), (1, "D", 1)])
    document = ingest.request_document(user=manager, project=project, name="r.pdf", data=data).document
    start = document.text.index("on page 2,")
    mark = services.annotate(
        user=manager,
        document=document,
        start=start,
        end=start + 9,
        exact=document.text[start : start + 9],
        label=labels["claim"],
    )
    assert DocumentVersion.objects.page_label(mark.span) == "1"
    assert pagelib.locator(DocumentVersion.objects.pages_of(document.pk, 1), 0, len(document.text)) == "pp. i–2"


def test_a_pdf_without_metadata_gets_no_source(project, manager):
    extraction = ingest.request_document(user=manager, project=project, name="plain.pdf", data=make_pdf(book(1)))
    extraction.refresh_from_db()
    assert extraction.document.source is None and extraction.document.title.startswith("The archives say")


def test_a_docx_becomes_a_document(project, manager):
    data = make_docx([("h1", "Minutes"), ("p", "The meeting opened at ten.")], title="Minutes of May")
    document = ingest.request_document(
        user=manager, project=project, title="My title", name="m.docx", data=data
    ).document
    assert document.title == "My title" and document.text == "Minutes\n\nThe meeting opened at ten."
    assert document.source.title == "Minutes of May"
    assert DocumentVersion.objects.get(document=document).pages == []


def test_a_web_page_becomes_a_document_with_a_webpage_source(project, manager, site):
    url = site.html("/article", article())
    extraction = ingest.request_document(user=manager, project=project, url=url)
    extraction.refresh_from_db()
    document = extraction.document
    assert extraction.state == "done" and document.origin == url and document.title == "Purge numbers revisited"
    original = DocumentVersion.objects.get(document=document).original
    assert original.url == url and original.fetched_at is not None and original.media_type.startswith("text/html")
    assert bytes(original.data) == article()
    source = document.source
    assert (source.type, source.container_title, source.issued, source.url) == (
        "webpage",
        "The Historian",
        {"date-parts": [[2024, 3, 5]]},
        "https://example.org/purge-numbers",
    )


def test_a_pdf_at_an_address_is_read_as_a_pdf(project, manager, site):
    site.pages["/report"] = (200, {"Content-Type": "application/pdf"}, make_pdf(book(2, 1)))
    document = ingest.request_document(user=manager, project=project, url=site.url("/report")).document
    assert DocumentVersion.objects.get(document=document).pages[1][1] == "2"


@pytest.mark.parametrize(
    "path, page, reason",
    [
        ("/missing", None, "Not found: the server answered 404"),
        (
            "/image",
            (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n"),
            "not a web page: the server sent “image/png”, not HTML",
        ),
        (
            "/empty",
            (200, {"Content-Type": "text/html"}, b"<html><body><script>x()</script></body></html>"),
            "No article text",
        ),
    ],
)
def test_a_page_that_cannot_be_made_a_document_fails_with_its_reason(project, manager, site, path, page, reason):
    if page:
        site.pages[path] = page
    extraction = ingest.request_document(user=manager, project=project, url=site.url(path))
    extraction.refresh_from_db()
    assert extraction.state == "failed" and reason in extraction.message and extraction.document is None
    _nothing_made(project)


def test_a_private_address_is_refused_unless_the_setting_allows_it(project, manager, settings):
    with Site() as site:
        extraction = ingest.request_document(user=manager, project=project, url=site.html("/a", article()))
    extraction.refresh_from_db()
    assert extraction.state == "failed" and "Not allowed: the address 127.0.0.1 is not public" in extraction.message
    _nothing_made(project)


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("scan.pdf", None, "this PDF has no text to mark; run OCR on it first (for example OCRmyPDF)"),
        ("locked.pdf", make_pdf(book(1), password="pw"), "encrypted"),
        ("broken.pdf", b"%PDF-1.4 not really", "damaged or not a PDF"),
        ("notes.docx", b"PK\x03\x04 not really a zip", "not a Word (.docx) file"),
    ],
)
def test_a_file_that_cannot_be_read_fails_with_its_reason_and_nothing_saved(project, manager, name, data, reason):
    if data is None:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_page()
        pdf.rect(10, 10, 50, 50, style="F")
        data = bytes(pdf.output())
    extraction = ingest.request_document(user=manager, project=project, name=name, data=data)
    extraction.refresh_from_db()
    assert extraction.state == "failed" and reason.lower() in extraction.message.lower(), extraction.message
    assert extraction.data == b""  # the upload is not kept once the work is over
    _nothing_made(project)


def test_only_managers_ask_for_documents(project, annotator, reviewer, outsider):
    for user in (annotator, reviewer):
        with pytest.raises(Forbidden):
            ingest.request_document(user=user, project=project, name="a.pdf", data=make_pdf(book(1)))
    with pytest.raises(Forbidden):
        ingest.request_document(user=outsider, project=project, name="a.pdf", data=make_pdf(book(1)))
    assert not Extraction.objects.exists()


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"url": "ftp://example.org/x"}, "Only http:// and https://"),
        ({"name": "a.png", "data": b"\x89PNG\r\n\x1a\n"}, "cannot be read"),
        ({}, "either an address or a file"),
    ],
)
def test_requests_that_cannot_be_done_are_refused_at_once(project, manager, fields, reason):
    with pytest.raises(ActionRefused, match=reason):
        ingest.request_document(user=manager, project=project, **fields)
    assert not Extraction.objects.exists()


def test_a_file_over_the_limit_is_refused(project, manager, settings):
    settings.ANNOTATOR_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ActionRefused, match="over the limit"):
        ingest.request_document(user=manager, project=project, name="a.pdf", data=make_pdf(book(2)))


def test_a_manager_who_left_before_the_work_ran_gets_nothing_made(project, manager, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    extraction = ingest.request_document(user=manager, project=project, name="a.pdf", data=make_pdf(book(1)))
    manager.memberships.update(role="annotator")
    ingest.run_extraction(extraction.pk)
    extraction.refresh_from_db()
    assert extraction.state == "failed" and "Only the project's managers" in extraction.message
    _nothing_made(project)


def test_the_work_runs_once(project, manager, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    extraction = ingest.request_document(user=manager, project=project, name="a.pdf", data=make_pdf(book(1)))
    ingest.run_extraction(extraction.pk)
    ingest.run_extraction(extraction.pk)
    assert Document.objects.filter(project=project).count() == 1


# Fetching again ----------------------------------------------------------------------------------


def test_fetch_again_makes_a_new_version_when_the_text_changed_and_carries_the_marks(project, manager, labels, site):
    url = site.html("/story", article())
    document = ingest.request_document(user=manager, project=project, url=url).document
    start = document.text.index("First paragraph")
    mark = services.annotate(
        user=manager, document=document, start=start, end=start + 15, exact="First paragraph", label=labels["claim"]
    )
    site.html(
        "/story",
        article(
            first="A quietly rewritten first paragraph, which now says the archives settle the "
            "matter, though the outlet did not say it had changed anything at all."
        ),
    )
    extraction = ingest.request_refetch(user=manager, document=document)
    extraction.refresh_from_db()
    document.refresh_from_db()
    assert extraction.state == "done" and extraction.version == 2 and document.version == 2
    assert "changed, and is now version 2" in extraction.message
    version = DocumentVersion.objects.get(document=document, number=2)
    assert version.note.startswith("Fetched again from the web at") and version.original.url == url
    assert Annotation.objects.get(pk=mark.pk).placement in ("orphaned", "fuzzy", "ambiguous")  # its text was rewritten
    assert version.placements.count() == 1


def test_fetch_again_says_so_when_nothing_changed(project, manager, site):
    document = ingest.request_document(user=manager, project=project, url=site.html("/story", article())).document
    extraction = ingest.request_refetch(user=manager, document=document)
    extraction.refresh_from_db()
    assert extraction.state == "done" and extraction.version is None
    assert "the text has not changed since version 1" in extraction.message
    assert DocumentVersion.objects.filter(document=document).count() == 1 and Original.objects.count() == 1


def test_fetch_again_needs_a_document_made_from_an_address(project, manager, document):
    with pytest.raises(ActionRefused, match="not made from a web address"):
        ingest.request_refetch(user=manager, document=document)


def test_fetch_again_is_for_managers(project, manager, annotator, site):
    document = ingest.request_document(user=manager, project=project, url=site.html("/s", article())).document
    with pytest.raises(Forbidden):
        ingest.request_refetch(user=annotator, document=document)


def test_every_new_document_has_its_version_1_as_a_row(project, manager):
    membership = manager.memberships.get()
    document = services.add_document(user=manager, project=membership.project, title="T", text="Some text.\n")
    version = DocumentVersion.objects.get(document=document)
    assert (version.number, version.text, version.created_at, version.pages) == (
        1,
        document.text,
        document.created_at,
        [],
    )


def test_check_integrity_finds_pages_past_the_text_and_a_source_of_another_project(project, manager):
    from annotator.integrity import problems

    document = ingest.request_document(
        user=manager, project=project, name="r.pdf", data=make_pdf(book(2), title="R")
    ).document
    assert list(problems()) == []
    DocumentVersion.objects.filter(document=document).update(pages=[[0, "1"], [10**6, "2"]])
    elsewhere = Source.objects.create(project=type(project).objects.create(name="Other"), title="Elsewhere")
    Document.objects.filter(pk=document.pk).update(source=elsewhere)
    found = list(problems())
    assert f"Document {document.pk}, version 1: its page boundaries are out of order or past its text." in found
    assert f"Document {document.pk}: its source belongs to another project." in found
