"""Template filters for text users wrote, where autoescaping alone is not enough: plain-text places, and links."""

import re

from django import template
from django.utils.html import format_html

from .. import text as textlib

register = template.Library()

# A link we make clickable: http or https, a host, and nothing a browser would strip or read as a break.
_HTTP_URL = re.compile(r"https?://[^\s/?#\\]+[^\s]*", re.IGNORECASE)


@register.filter(is_safe=True)
def isolate(value) -> str:
    """Plain text with user text in it (a page's <title>), isolated as text.isolated does: where no element can be."""
    return textlib.isolated(value)


@register.filter
def http_url(value) -> str:
    """The URL when it may be a link (http or https), else "": a javascript: or data: URL, kept in the database by some
    other path than the form, is shown as text and never becomes a clickable href."""
    value = str(value or "")
    return value if _HTTP_URL.fullmatch(value) and value.isprintable() else ""


@register.filter
def quoted(value) -> str:
    """User text in double quotation marks, none doubled (text.quote_marks), the text in its own <bdi> so that a
    bidi control in it cannot move the closing mark. The text is escaped here, as everywhere."""
    opening, closing = textlib.quote_marks(value)
    return format_html("{}<bdi>{}</bdi>{}", opening, value, closing)
