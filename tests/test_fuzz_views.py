"""Random input at the write endpoints (marks, citations, sources, links, document upload), as htmx and forms send it.

Whatever arrives: never a 500, a message on every refusal, and afterwards every stored span is its
document's text at its offsets (integrity.problems() finds nothing). Examples are few and the data
small, so that these run in CI on both databases.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from annotator import integrity, services
from annotator.models import Annotation, Citation, Document, Extraction, Link, LinkType, Source
from annotator.services import sources as services_sources

from .conftest import client_for
from .factories import DocumentFactory, ProjectFactory, SourceFactory

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
HTMX = {"HTTP_HX_REQUEST": "true"}

# Emoji (two UTF-16 units), a combining accent, right-to-left words, a bidi override and a zero-width space.
TEXT = (
    "Did Stalin want “mass terror”? 😀 e\u0301 שלום עליכם عربي \u202eevil\u202c zero\u200bwidth.\n\nSecond paragraph.\n"
)

ODD_NUMBERS = [
    "",
    " ",
    "1e3",
    "0x10",
    "٣",
    "²",
    "1_0",
    "+3",
    "-0",
    "3.0",
    "NaN",
    "Infinity",
    "9" * 30,
    "9" * 5000,
    "\x00",
    "3\x00",
    "18446744073709551616",
    "-9223372036854775809",
]
numbers = st.one_of(
    st.integers(min_value=-3, max_value=len(TEXT) + 3),
    st.integers(),
    st.floats(),
    st.sampled_from(ODD_NUMBERS),
    st.text(max_size=6),
)
HOSTILE = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=window.__pwned=1>",
    '"><svg onload=window.__pwned=1>',
    "javascript:window.__pwned=1",
    "\u202egnp.exe",
    "\u2066x\u2069",
    "\u200b",
    "\x00",
    "a\x00b",
    "'=1+1",
    "😀" * 3,
    "e\u0301",
    "\ufeff",
    "\r\n",
    "%00",
    "\\u0000",
]
texts = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE))


def field(value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def message_of(response) -> str:
    """The text the user is shown for a refusal: the error element's, else the page's first error list."""
    body = response.content.decode()
    found = re.search(r'role="alert"[^>]*>(.*?)</', body, re.S) or re.search(
        r'class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', body, re.S
    )
    return found.group(1).strip() if found else ""


def check_answer(response):
    assert response.status_code < 500
    if 400 <= response.status_code < 500 and response.status_code not in (404, 405):
        assert message_of(response), (response.status_code, response.content[:500])


def check_integrity():
    assert list(integrity.problems()) == []


@contextmanager
def alone():
    """Each example starts from the fixtures' objects: what it wrote is rolled back after it, checks done."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def fuzz_document(project):
    return DocumentFactory(project=project, title="Fuzzed", text=TEXT)


@pytest.fixture
def world(fuzz_document, annotator, labels):
    """Made once per test, outside the examples: two marks, a source cited by the first, another project's ids."""

    def mark(word):
        start = TEXT.index(word)
        return services.annotate(
            user=annotator,
            document=fuzz_document,
            start=start,
            end=start + len(word),
            exact=word,
            label=labels["claim"],
        )

    first, second = mark("Did"), mark("Stalin")
    source = SourceFactory(project=fuzz_document.project)
    citation = services_sources.cite_source(user=annotator, annotation=first, source=source, locator="p. 1")
    other = ProjectFactory(name="Elsewhere project")
    return SimpleNamespace(
        document=fuzz_document,
        labels=labels,
        first=first,
        second=second,
        source=source,
        citation=citation,
        types=list(LinkType.objects.filter(project=fuzz_document.project).values_list("pk", flat=True)),
        other_label=other.labels.get(key="claim").pk,
        other_source=SourceFactory(project=other).pk,
    )


@pytest.fixture
def as_annotator(annotator):
    return client_for(annotator)


@pytest.fixture
def as_manager(manager):
    return client_for(manager)


def selection(draw, text):
    """An honest selection of the text half the time, random offsets and text otherwise."""
    if draw(st.booleans()):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        return {"start": start, "end": end, "exact": text[start:end]}
    return {"start": draw(numbers), "end": draw(numbers), "exact": draw(texts)}


def maybe(draw, fields: dict) -> dict:
    """The fields as a form sends them, each sometimes missing or sent twice."""
    sent = {}
    for name, value in fields.items():
        how = draw(st.sampled_from(["once"] * 6 + ["missing", "twice"]))
        if how == "once":
            sent[name] = field(value)
        elif how == "twice":
            sent[name] = [field(value), field(draw(numbers))]
    return sent


# Marks -------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
@example(data=None)
def test_random_marks_never_break_the_server_or_the_text(world, as_annotator, data):
    with alone():
        claim = world.labels["claim"].pk
        if data is None:  # offsets in UTF-16 units, as a page that forgot to convert would send: they split the emoji
            at = TEXT.index("😀")
            fields = {"start": str(at), "end": str(at + 2), "exact": "😀 ", "label": str(claim)}
        else:
            label = data.draw(st.sampled_from([claim, world.labels["quotation"].pk, world.other_label, 0]) | numbers)
            fields = maybe(data.draw, {**selection(data.draw, TEXT), "label": label})
        response = as_annotator.post(reverse("annotation_create", args=[world.document.pk]), fields, **HTMX)
        check_answer(response)
        if response.status_code == 200:
            mark = Annotation.objects.latest("pk")
            assert mark.span.exact == TEXT[mark.span.start : mark.span.end] == fields["exact"]
            assert mark.label.project_id == world.document.project_id
        check_integrity()


@FUZZ
@given(data=st.data())
def test_random_edits_reviews_and_deletes_of_a_mark_are_answered_cleanly(world, as_annotator, reviewer, data):
    with alone():
        mark = world.first
        version = data.draw(st.sampled_from([mark.version, mark.version + 1]) | numbers)
        which = data.draw(st.sampled_from(["update", "review", "delete"]))
        if which == "update":
            label = data.draw(st.sampled_from([world.labels["evidence"].pk, world.other_label]) | numbers)
            fields = maybe(data.draw, {"label": label, "note": data.draw(texts), "version": version})
            response = as_annotator.post(reverse("annotation_update", args=[mark.pk]), fields, **HTMX)
        elif which == "review":
            status = data.draw(st.sampled_from(["accepted", "rejected", "pending"]) | texts)
            fields = maybe(
                data.draw, {"status": status, "note": data.draw(texts), "version": version, "origin": "panel"}
            )
            response = client_for(reviewer).post(reverse("annotation_review", args=[mark.pk]), fields, **HTMX)
        else:
            response = as_annotator.post(
                reverse("annotation_delete", args=[mark.pk]), maybe(data.draw, {"version": version}), **HTMX
            )
        check_answer(response)
        check_integrity()


@pytest.mark.parametrize("fields", [{"version": "0"}, {"version": "x"}, {}, {"version": "1", "note": "a\x00b"}])
def test_a_refused_edit_says_why_even_when_the_field_at_fault_is_hidden(world, as_annotator, fields):
    # Found by the fuzzing above: a bad hidden version (or a NUL in the note) answered 422 with no message shown.
    data = {"label": world.labels["claim"].pk, "note": "", **fields}
    response = as_annotator.post(reverse("annotation_update", args=[world.first.pk]), data, **HTMX)
    assert response.status_code == 422 and message_of(response)
    assert "reload" in message_of(response) or "Null characters" in message_of(response)


# Citations and sources -----------------------------------------------------------------------------

URLS = st.one_of(
    st.sampled_from(
        [
            "javascript:window.__pwned=1",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\x01javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "//evil.example/x",
            "http://",
            "https://example.org/a b",
            "https://example.org/\u202e",
            "https://example.org/<script>",
            "ftp://example.org/",
            "file:///etc/passwd",
            'https://example.org/x?a="><svg onload=1>',
        ]
    ),
    st.text(max_size=20),
)


@FUZZ
@given(data=st.data())
def test_random_sources_are_saved_with_safe_urls_or_refused_with_a_message(world, as_annotator, data):
    with alone():
        fields = {
            "type": data.draw(st.sampled_from(["book", "webpage", "speech"]) | texts),
            "title": data.draw(texts),
            "authors": data.draw(texts),
            "issued": data.draw(st.sampled_from(["2002", "2002-13"]) | texts),
            "container_title": data.draw(texts),
            "publisher": data.draw(texts),
            "url": data.draw(URLS),
            "doi": data.draw(st.sampled_from(["10.1000/x", "https://doi.org/10.1/Y"]) | texts),
            "archive": data.draw(texts),
            "archive_location": data.draw(texts),
            "full_text": data.draw(texts),
        }
        response = as_annotator.post(
            reverse("source_create", args=[world.document.project_id]), maybe(data.draw, fields)
        )
        check_answer(response)
        for url in Source.objects.values_list("url", flat=True):
            assert url == "" or re.match(r"https?://[^\s/]", url), url


@FUZZ
@given(data=st.data())
def test_random_citations_are_made_or_refused_cleanly(world, as_annotator, data):
    with alone():
        which = data.draw(st.sampled_from(["cite", "new", "delete"]))
        if which == "cite":
            source = data.draw(st.sampled_from([world.source.pk, world.other_source]) | numbers)
            fields = maybe(data.draw, {"source": source, "locator": data.draw(texts), "note": data.draw(texts)})
            response = as_annotator.post(reverse("citation_create", args=[world.first.pk]), fields, **HTMX)
        elif which == "new":
            fields = maybe(
                data.draw,
                {
                    "new-type": "book",
                    "new-title": data.draw(texts),
                    "new-url": data.draw(URLS),
                    "new-locator": data.draw(texts),
                    "new-note": data.draw(texts),
                },
            )
            response = as_annotator.post(reverse("citation_create_new", args=[world.first.pk]), fields, **HTMX)
        else:
            pk = data.draw(st.sampled_from([world.citation.pk]) | st.integers(min_value=0))
            response = as_annotator.post(reverse("citation_delete", args=[pk]), {}, **HTMX)
        check_answer(response)
        assert not Citation.objects.exclude(source__project=world.document.project).exists()
        check_integrity()


# Links ---------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
@example(data=None)
def test_random_links_are_made_or_refused_cleanly(world, as_annotator, data):
    with alone():
        if data is None:
            fields, target = {"type": "²", "to_annotation": str(world.second.pk)}, "²"
        else:
            kind = data.draw(st.sampled_from(world.types) | numbers)
            suffix = data.draw(st.sampled_from(["", ":reverse", ":x"]))
            fields = maybe(
                data.draw,
                {
                    "type": f"{field(kind)}{suffix}",
                    "to_annotation": data.draw(st.sampled_from([world.second.pk, world.first.pk]) | numbers),
                    "to_source": data.draw(st.sampled_from([world.source.pk, world.other_source]) | numbers),
                    "speaker": data.draw(texts),
                    "note": data.draw(texts),
                    "open": data.draw(numbers),
                },
            )
            target = data.draw(st.sampled_from(["", "²", "٣", "9" * 30, str(world.second.pk)]) | texts)
        response = as_annotator.post(reverse("link_create", args=[world.first.pk]), fields, **HTMX)
        check_answer(response)
        check_answer(as_annotator.get(reverse("link_targets", args=[world.first.pk]), {"mark": target, "q": target}))
        assert not Link.objects.exclude(project=world.document.project).exists()
        check_integrity()


# Document upload -------------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1251"]
NAMES = st.one_of(
    st.sampled_from(
        [
            "<img src=x onerror=window.__pwned=1>.txt",
            '"><svg onload=1>.md',
            "\u202etxt.exe.txt",
            "a\x00b.txt",
            "../../etc/passwd.txt",
            "..\\..\\boot.ini.txt",
            "con.txt",
            ".txt",
            "x.TXT",
            "x.pdf",
            "x",
            "&lt;b&gt;.txt",
            "page.html",
            "notes.docx",
            "<b>.htm",
        ]
    ),
    st.text(min_size=1, max_size=20).map(lambda s: s + ".txt"),
)


@st.composite
def file_bytes(draw):
    kind = draw(st.sampled_from(["encoded", "raw", "broken"]))
    if kind == "encoded":
        text = draw(st.text(min_size=0, max_size=40) | st.sampled_from(HOSTILE))
        encoding = draw(st.sampled_from(ENCODINGS))
        return text.encode(encoding, errors="replace")
    if kind == "raw":
        return draw(st.binary(max_size=60))
    # Valid UTF-8 around bytes that are not: a lone continuation byte, an overlong form, an encoded surrogate, NUL.
    return (
        b"Some text "
        + draw(st.sampled_from([b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf"]))
        + b" more"
    )


@FUZZ
@given(content=file_bytes(), name=NAMES, title=texts)
@example(content="Texte accentué".encode("latin-1"), name="latin.txt", title="")
@example(content="\ufeffBOM and text".encode("utf-8"), name="bom.txt", title="")
def test_random_uploads_become_documents_or_are_refused_with_a_message(project, as_manager, content, name, title):
    with alone():
        before = Document.objects.count()
        upload = SimpleUploadedFile(name, content, content_type="text/plain")
        response = as_manager.post(reverse("document_create", args=[project.pk]), {"title": title, "file": upload})
        check_answer(response)
        if response.status_code == 302 and "/extractions/" in response["Location"]:
            # A PDF, HTML or Word file: made in the background (here at once), or refused there with its reason.
            extraction = Extraction.objects.latest("pk")
            assert extraction.state in ("done", "failed") and extraction.message
            assert "went wrong" not in extraction.message
            assert Document.objects.count() == before + (extraction.state == "done")
        elif response.status_code == 302:
            document = Document.objects.latest("pk")
            assert document.text == content.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n").replace(
                "\r", "\n"
            )
            assert "\x00" not in document.text + document.title + document.origin
        else:
            assert Document.objects.count() == before
        check_integrity()


# Bibliography import ---------------------------------------------------------------------------------

csl_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | texts
    | st.sampled_from(["\ud800", "9" * 5000, "2002-13"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "type",
                    "title",
                    "author",
                    "issued",
                    "URL",
                    "DOI",
                    "family",
                    "given",
                    "literal",
                    "date-parts",
                    "page",
                    "id",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=8,
)


@FUZZ
@given(
    name=st.sampled_from(["refs.json", "refs.bib", "refs.txt"]),
    content=st.one_of(
        csl_values.map(lambda v: json.dumps(v).encode()),
        st.text(max_size=80).map(
            lambda s: ("@book{k, title={" + s + "}, year={1937}, month={²}}").encode("utf-8", "surrogatepass")
        ),
        file_bytes(),
    ),
)
@example(name="refs.json", content=b'[{"type": "book", "title": "A\\ud800"}]')
def test_random_bibliographies_are_imported_or_refused_with_a_message(world, as_annotator, name, content):
    with alone():
        upload = SimpleUploadedFile(name, content)
        response = as_annotator.post(reverse("source_import", args=[world.document.project_id]), {"file": upload})
        check_answer(response)
        for url in Source.objects.values_list("url", flat=True):
            assert url == "" or re.match(r"https?://[^\s/]", url), url
