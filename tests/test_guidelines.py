"""Guidelines: Markdown made safe (no raw HTML, links http and https only, no images), and where they are shown."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from annotator.guidelines import render
from annotator.services import projects

from .conftest import client_for


def test_markdown_becomes_its_markup():
    html = render(
        "# Claims\n\nMark *one* sentence.\n\n- a **claim**\n- `code`\n\n[Guide](https://example.org/g?a=1&b=2)"
    )
    assert "<h1>Claims</h1>" in html and "<em>one</em>" in html and "<li>a <strong>claim</strong></li>" in html
    assert '<a href="https://example.org/g?a=1&amp;b=2" rel="nofollow noopener noreferrer">Guide</a>' in html


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    "<svg onload=alert(1)>",
    "<style>body{display:none}</style>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[x]",
    "![x](https://evil.example/track.png)",
    '[x](https://ok.example "a\\" onmouseover=\\"alert(1)")',
    "```html\n<script>alert(1)</script>\n```",
    "<!-- <script>alert(1)</script> -->",
    "`<b onclick=alert(1)>`",
    "\u202eevil\u202c",
]


class Elements(HTMLParser):
    """Every element and attribute a browser would make of the HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_makes_no_markup_of_its_own(text):
    html = str(render(text))
    for tag, attrs in Elements(html).found:
        assert tag in {"p", "a", "pre", "code", "h1", "em", "strong", "ul", "li"}, html
        if tag == "a":
            assert set(attrs) <= {"href", "rel", "title"} and attrs["href"].startswith(("http://", "https://")), html
        else:
            assert not attrs or set(attrs) == {"class"} and tag == "code", html


def test_a_link_without_a_host_is_text():
    assert "<a " not in render("[x](https:evil) [y](http://)")


def test_the_guidelines_pane_is_on_the_document_page_and_the_review_queue(project, manager, reviewer, document):
    projects.update_project(user=manager, project=project, guidelines="Mark **whole** claims. <b>bold?</b>")
    for user, url in [
        (manager, reverse("document_detail", args=[document.pk])),
        (reviewer, reverse("review_queue", args=[project.pk])),
    ]:
        page = client_for(user).get(url).content.decode()
        assert '<details class="guidelines-pane"><summary>Guidelines</summary>' in page
        assert "<strong>whole</strong>" in page and "&lt;b&gt;bold?&lt;/b&gt;" in page


def test_no_pane_without_guidelines(project, annotator, document):
    page = client_for(annotator).get(reverse("document_detail", args=[document.pk])).content.decode()
    assert "guidelines-pane" not in page
