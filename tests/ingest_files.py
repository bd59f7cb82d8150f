"""Files and web pages for the tests of documents brought in, made here: PDFs written by fpdf2, .docx files by
python-docx, pages served by a local http.server in a thread. Nothing is downloaded."""

from __future__ import annotations

import contextlib
import http.server
import io
import threading
import time
import zipfile

PARAGRAPH = (
    "The archives say more than one thing about the centre and the regions on page {page}, and historians "
    "disagree about intentions, numbers and the meaning of the documents that survive from paragraph {n}."
)


def make_pdf(
    pages: list[list[str]],
    *,
    labels: list[tuple[int, str, int]] = (),
    title: str = "",
    author: str = "",
    password: str = "",
) -> bytes:
    """A PDF with a text layer: each page's paragraphs, wrapped over several lines. `labels`: (page index, style,
    first number) for page labels ('r' roman, 'D' decimal); `password` encrypts it."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    starts = {index: (style, first) for index, style, first in labels}
    for index, paragraphs in enumerate(pages):
        pdf.add_page()
        if index in starts:
            style, first = starts[index]
            pdf.set_page_label(style, label_start=first)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 5, paragraph)
            pdf.ln(4)
    if password:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    return bytes(pdf.output())


def book(pages: int, paragraphs: int = 3) -> list[list[str]]:
    return [[PARAGRAPH.format(page=p + 1, n=n + 1) for n in range(paragraphs)] for p in range(pages)]


def make_docx(blocks: list[tuple[str, str]], *, title: str = "", author: str = "") -> bytes:
    """A .docx of (kind, text) blocks: 'p' a paragraph, 'h1'/'h2' a heading, 'li' a bulleted list item,
    'table' a table whose rows are lines and cells tab-separated."""
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    if author:
        document.core_properties.author = author
    for kind, text in blocks:
        if kind.startswith("h"):
            document.add_heading(text, level=int(kind[1:]))
        elif kind == "li":
            document.add_paragraph(text, style="List Bullet")
        elif kind == "table":
            rows = [line.split("\t") for line in text.split("\n")]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, cells in enumerate(rows):
                for c, value in enumerate(cells):
                    table.cell(r, c).text = value
        else:
            document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bomb(unpacked: int = 300 * 1024 * 1024) -> bytes:
    """A zip that looks like a .docx and would unpack to `unpacked` bytes of zeros (it is a few hundred KB)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return out.getvalue()


ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Historian</title>
<meta name="author" content="Ann Smith">
<meta property="og:site_name" content="The Historian">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="{canonical}">
<script>document.title = "pwned"; alert("script");</script>
<style>body {{ background: red }}</style>
</head><body>
<nav><a href="/">Home</a> · <a href="/about">About</a> · <a href="/contact">Contact us</a></nav>
<article>
<h1>{title}</h1>
<p onclick="alert('handler')">{first}</p>
<h2>What the files say</h2>
<p>Second paragraph <b>with bold words</b> and a <a href="javascript:alert('link')">link that runs script</a>, long
enough to be taken as content by the extractor: historians have argued over the numbers for decades.</p>
<ul><li>One item of a list about the archives</li><li>Another item of the same list</li></ul>
<img src="x" onerror="alert('image')" alt="">
<p>&lt;script&gt;alert("escaped")&lt;/script&gt; is how the article quotes the markup it warns about.</p>
</article>
<footer>Copyright 2024 The Historian. All rights reserved.</footer>
</body></html>
"""


def article(title="Purge numbers revisited", first=None, canonical="https://example.org/purge-numbers") -> bytes:
    first = first or (
        "First paragraph of the article, which says a thing about archives and numbers that historians have "
        "argued over since the files were opened in the nineteen-nineties."
    )
    return ARTICLE.format(title=title, first=first, canonical=canonical).encode("utf-8")


class Site:
    """A local web server in a thread: `pages` maps a path to (status, headers, body) or a callable handling it."""

    def __init__(self):
        self.pages: dict = {}
        self.requests: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                site.requests.append(self.path)
                page = site.pages.get(self.path.split("?")[0])
                if page is None:
                    page = (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")
                if callable(page):
                    return page(self)
                status, headers, body = page
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that hangs up on an endless page is what the tests want

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a slow page's thread is not waited for
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def html(self, path: str, body: bytes, content_type="text/html; charset=utf-8") -> str:
        self.pages[path] = (200, {"Content-Type": content_type}, body)
        return self.url(path)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def slow(handler, seconds: float = 30.0):
    """A page whose server says it is coming and then sends nothing for `seconds`."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    with contextlib.suppress(OSError):
        handler.wfile.write(b"<html><body><p>")
        handler.wfile.flush()
        time.sleep(seconds)


def endless(handler):
    """A page whose body never ends (no length, bytes forever), until the client hangs up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Connection", "close")
    handler.end_headers()
    chunk = b"<p>" + b"and more " * 1000 + b"</p>\n"
    with contextlib.suppress(OSError):
        for _ in range(100_000):
            handler.wfile.write(chunk)


def dribble(handler):
    """A page that sends a byte every 0.2 s, forever: each read is quick, the whole never comes."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Connection", "close")
    handler.end_headers()
    with contextlib.suppress(OSError):
        for _ in range(10_000):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.2)
