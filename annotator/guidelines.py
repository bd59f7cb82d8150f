"""A project's guidelines: Markdown made into HTML that is safe to show. Pure: no database.

markdown-it-py (CommonMark) with raw HTML off, so any tag written is shown as text (escaped); links only to http and
https addresses (anything else, `javascript:` and `data:` among them, stays text); no images (they would load from
elsewhere, which the CSP forbids anyway). Links open as plain links, with rel="nofollow noopener noreferrer".
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_SCHEMES = ("http", "https")


def _safe_link(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.netloc)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline"])
    # markdown-it's documented hook for which links to make: one that fails is left as the text written.
    md.validateLink = _safe_link  # type: ignore[method-assign]

    def link_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("link_open", link_open)
    return md


_MARKDOWN = _parser()


def render(markdown: str) -> SafeString:
    """The guidelines as HTML: every character of the input escaped by markdown-it, only its own markup added."""
    if not markdown.strip():
        return mark_safe("")
    # Everything the user wrote reaches the HTML escaped by markdown-it (html=False), which makes this markup safe.
    return mark_safe(_MARKDOWN.render(markdown))
