"""Extraction without a database: PDF (text, paragraphs, hyphens, pages and labels, refusals), HTML (main text,
metadata, nothing of the page's code), Word (paragraphs, headings, lists, tables, zip bombs), and pages of a span."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from annotator import ingest
from annotator import text as textlib
from annotator.ingest import pages as pagelib
from annotator.ingest.pdf import dehyphenate

from .ingest_files import article, book, make_docx, make_pdf, zip_bomb


def _page_texts(extracted):
    starts = [start for start, _ in extracted.pages] + [len(extracted.text)]
    return [extracted.text[a:b] for a, b in zip(starts, starts[1:])]


# PDF ----------------------------------------------------------------------------------------------


def test_a_pdf_gives_its_paragraphs_joined_and_its_pages_with_their_offsets():
    pages = book(3, paragraphs=2)
    extracted = ingest.extract(make_pdf(pages), ingest.PDF)
    paragraphs = extracted.text.split("\n\n")
    assert paragraphs == [p for page in pages for p in page]  # each wrapped paragraph is one line again
    assert [label for _, label in extracted.pages] == ["1", "2", "3"]
    for number, text in enumerate(_page_texts(extracted), start=1):
        assert f"on page {number}," in text and f"on page {number + 1}," not in text
    assert textlib.normalise_text(extracted.text) == extracted.text


def test_a_pdf_uses_its_page_labels_roman_then_arabic():
    extracted = ingest.extract(make_pdf(book(6, 1), labels=[(0, "r", 1), (2, "D", 1)]), ingest.PDF)
    assert [label for _, label in extracted.pages] == ["i", "ii", "1", "2", "3", "4"]


def test_a_report_starting_at_page_3_keeps_its_numbers():
    extracted = ingest.extract(make_pdf(book(3, 1), labels=[(0, "D", 3)]), ingest.PDF)
    assert [label for _, label in extracted.pages] == ["3", "4", "5"]


def test_the_page_of_a_mark_is_found_by_a_bisect_over_the_boundaries():
    extracted = ingest.extract(make_pdf(book(4, 1), labels=[(0, "r", 1), (2, "D", 1)]), ingest.PDF)
    text = extracted.text
    on_second = text.index("on page 2,")
    assert pagelib.page_label(extracted.pages, on_second, on_second + 5) == "ii"
    across = (text.index("from paragraph 1.", on_second), text.index("on page 3,") + 4)
    assert pagelib.page_label(extracted.pages, *across) == "ii–1"
    assert pagelib.locator(extracted.pages, *across) == "pp. ii–1"
    assert pagelib.locator(extracted.pages, 0, 3) == "p. i"


def test_hyphens_at_line_ends_go_where_the_word_is_whole_and_stay_in_compounds_and_names():
    lines = [
        "The committee discussed the recommendations at length and the recom-",
        "mendations of the well-",
        "known report by Jean-",
        "Paul on the COVID-",
        "19 figures. Every recommendations list was read.",
    ]
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    pdf.add_page()
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    text = ingest.extract(bytes(pdf.output()), ingest.PDF).text
    assert "the recommendations of the well-known report by Jean-Paul on the COVID-19 figures." in text
    assert "\ufffe" not in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a recom\ufffemendation", "a recommendation"),  # not seen elsewhere, a plain word: joined
        ("a well\ufffeknown one", "a well-known one"),  # a head of compounds: kept
        ("a high-\ufffe", "a high--"),
        ("x-ray and x\uffferay", "x-ray and x-ray"),  # hyphenated elsewhere: kept
        ("Jean\ufffePaul", "Jean-Paul"),
        ("COVID\ufffe19", "COVID-19"),
        ("data\ufffebase and database", "database and database"),  # joined elsewhere: joined
    ],
)
def test_dehyphenate_decides_each_hyphen(text, expected):
    assert dehyphenate(text, [0]).text == expected


def test_dehyphenate_moves_the_page_offsets_after_a_dropped_hyphen():
    result = dehyphenate("a recom\ufffemendation\n\nnext page", [0, 19])
    assert result.text == "a recommendation\n\nnext page"
    assert result.text[result.starts[1] :] == "next page"


def test_running_heads_and_page_numbers_are_dropped():
    pages = [["A History of Terror", *book(1, 2)[0], str(n)] for n in range(1, 6)]
    pages[2][1] = pages[2][1].replace("on page 1,", "on page 3,")
    text = ingest.extract(make_pdf(pages), ingest.PDF).text
    assert "A History of Terror" not in text
    assert "\n\n3\n\n" not in text and not text.endswith("5")
    assert "on page 3, and historians disagree about" in text


def test_a_pdf_without_text_is_refused_with_the_ocr_message():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")  # a "scan": a picture, no text
    with pytest.raises(ingest.ExtractionError) as caught:
        ingest.extract(bytes(pdf.output()), ingest.PDF)
    assert "this PDF has no text to mark; run OCR on it first (for example OCRmyPDF)" in str(
        caught.value
    ).lower().replace("this pdf", "this PDF").replace("ocrmypdf", "OCRmyPDF").replace("ocr on", "OCR on")


def test_an_encrypted_pdf_is_refused_with_its_reason():
    with pytest.raises(ingest.ExtractionError, match="encrypted: it needs a password"):
        ingest.extract(make_pdf(book(1), password="secret"), ingest.PDF)


@pytest.mark.parametrize("data", [b"%PDF-1.7\n garbage that is not a PDF", make_pdf(book(2))[:400]])
def test_a_damaged_pdf_is_refused_with_its_reason(data):
    with pytest.raises(ingest.ExtractionError, match="damaged or not a PDF"):
        ingest.extract(data, ingest.PDF)


def test_a_pdf_title_and_author_make_its_source_fields():
    extracted = ingest.extract(
        make_pdf(book(1), title="Annual Report 2023", author="Jane Roe; Bureau of Numbers"), ingest.PDF
    )
    assert extracted.metadata["type"] == "report"
    assert extracted.metadata["title"] == "Annual Report 2023"
    assert extracted.metadata["authors"] == [
        {"family": "Roe", "given": "Jane"},
        {"family": "Numbers", "given": "Bureau of"},
    ] or extracted.metadata["authors"][0] == {"family": "Roe", "given": "Jane"}
    assert len(extracted.metadata["issued"]) == 10


def test_progress_is_reported_page_by_page():
    seen = []
    ingest.extract(make_pdf(book(25, 1)), ingest.PDF, progress=lambda done, total: seen.append((done, total)))
    fractions = [done / total for done, total in seen]
    assert len(seen) >= 3 and fractions == sorted(fractions) and seen[-1] == (1, 1)


# HTML ---------------------------------------------------------------------------------------------


def test_a_web_page_gives_its_article_and_metadata():
    extracted = ingest.extract(article(), ingest.HTML, url="https://example.org/x?utm=1")
    assert extracted.text.startswith("Purge numbers revisited\n\nFirst paragraph of the article")
    assert "\n\nWhat the files say\n\n" in extracted.text
    assert "• One item of a list about the archives\n\n• Another item" in extracted.text
    assert "Home" not in extracted.text and "Copyright" not in extracted.text
    assert extracted.pages == []
    assert extracted.metadata == {
        "type": "webpage",
        "title": "Purge numbers revisited",
        "authors": [{"family": "Smith", "given": "Ann"}],
        "container_title": "The Historian",
        "issued": "2024-03-05",
        "url": "https://example.org/purge-numbers",
    }


def test_nothing_of_a_pages_code_comes_out_only_its_text():
    text = ingest.extract(article(), ingest.HTML).text
    for code in ("alert('handler')", "onclick", "onerror", "javascript:", "document.title", "background: red", "<b>"):
        assert code not in text
    assert '<script>alert("escaped")</script> is how the article quotes' in text  # the article's words, as text


def test_a_page_in_another_encoding_is_read_by_its_declaration_or_the_servers():
    page = article(
        first="Der Säuberung folgten Jahrzehnte des Schweigens über die Zahlen, die Archive und die "
        "Opfer, bis die Akten geöffnet wurden und Historiker zu zählen begannen."
    )
    latin = page.replace(b'charset="utf-8"', b'charset="iso-8859-1"').decode("utf-8").encode("iso-8859-1")
    assert "Säuberung" in ingest.extract(latin, ingest.HTML).text
    undeclared = page.replace(b'<meta charset="utf-8">', b"").decode("utf-8").encode("iso-8859-1")
    assert "Säuberung" in ingest.extract(undeclared, "text/html; charset=ISO-8859-1").text


def test_html_with_nothing_to_extract_is_refused():
    with pytest.raises(ingest.ExtractionError, match="No article text"):
        ingest.extract(b"<html><head><script>app()</script></head><body><div id=app></div></body></html>", ingest.HTML)


# Word ---------------------------------------------------------------------------------------------


def test_a_docx_gives_paragraphs_headings_lists_and_tables():
    data = make_docx(
        [
            ("h1", "The report"),
            ("p", "A first paragraph."),
            ("li", "first point"),
            ("li", "second point"),
            ("h2", "Numbers"),
            ("table", "Year\tArrests\n1937\t936,750"),
            ("p", "The end."),
        ],
        title="The Report",
        author="Roe, Jane",
    )
    extracted = ingest.extract(data, ingest.DOCX)
    assert extracted.text == (
        "The report\n\nA first paragraph.\n\n• first point\n\n• second point\n\nNumbers\n\nYear | Arrests\n\n"
        "1937 | 936,750\n\nThe end."
    )
    assert extracted.metadata["title"] == "The Report"
    assert extracted.metadata["authors"] == [{"family": "Roe", "given": "Jane"}]


def test_a_docx_that_is_not_a_zip_is_refused():
    with pytest.raises(ingest.ExtractionError, match="not a Word .* zip archive"):
        ingest.extract(b"This is plain text with a .docx name.", ingest.DOCX)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(ingest.ExtractionError, match="zip bomb"):
        ingest.extract(bomb, ingest.DOCX)


def test_a_zip_that_is_not_a_word_document_is_refused():
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(ingest.ExtractionError, match="no word/document.xml"):
        ingest.extract(out.getvalue(), ingest.DOCX)


# Kinds, pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, declared, head, expected",
    [
        ("report.pdf", "", b"%PDF-1.4", ingest.PDF),
        ("renamed.docx", "", b"%PDF-1.4", ingest.PDF),  # the bytes say what it is
        ("page.HTM", "", b"<html>", ingest.HTML),
        ("notes.docx", "", b"PK\x03\x04", ingest.DOCX),
        ("", "text/html; charset=utf-8", b"<!doctype html>", ingest.HTML),
        ("picture.png", "image/png", b"\x89PNG", ""),
    ],
)
def test_media_type_for(name, declared, head, expected):
    assert ingest.media_type_for(name, declared, head) == expected


def test_a_type_we_do_not_read_is_refused():
    with pytest.raises(ingest.ExtractionError, match="cannot be read"):
        ingest.extract(b"\x89PNG....", "image/png")


def test_pages_of_a_text_without_pages_are_none():
    assert pagelib.page_range([], 0, 5) is None
    assert pagelib.page_label([], 0, 5) == "" and pagelib.locator([], 0, 5) == ""


def test_an_empty_page_starts_where_the_next_does_and_is_never_the_answer():
    pages = [[0, "1"], [10, "2"], [10, "3"], [20, "4"]]
    assert pagelib.page_label(pages, 10, 12) == "3"
    assert pagelib.page_label(pages, 5, 15) == "1–3"
    assert pagelib.page_label(pages, 19, 20) == "3"
    assert pagelib.page_label(pages, 20, 21) == "4"


# Whatever the bytes ------------------------------------------------------------------------------

_PDF_BYTES = make_pdf(book(2, 1))
_DOCX_BYTES = make_docx([("p", "A paragraph of a Word file.")])


@st.composite
def mangled(draw, original: bytes):
    """The file with a stretch of it replaced by random bytes, or cut short: a damaged file."""
    data = bytearray(original)
    start = draw(st.integers(0, len(data) - 1))
    if draw(st.booleans()):
        return bytes(data[:start])
    data[start : start + 8] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from([ingest.PDF, ingest.HTML, ingest.DOCX]),
    data=st.one_of(st.binary(max_size=200), mangled(_PDF_BYTES), mangled(_DOCX_BYTES), mangled(article())),
)
def test_any_bytes_give_a_document_text_or_a_reason_never_a_crash(kind, data):
    try:
        extracted = ingest.extract(data, kind)
    except ingest.ExtractionError as exc:
        assert str(exc)
    else:
        assert extracted.text.strip() and "\x00" not in extracted.text
        assert textlib.normalise_text(extracted.text) == extracted.text
        assert all(0 <= start <= len(extracted.text) for start, _ in extracted.pages)
