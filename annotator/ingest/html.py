"""The main text of a web page or HTML file and its metadata (trafilatura): title, authors, site, date, canonical URL.

Only text comes out: scripts, styles, event handlers and markup stay behind, so nothing of the page's own code can
reach ours. Paragraphs, headings and list items become paragraphs of the document.
"""

from __future__ import annotations

import re
from typing import Any

from .base import Extracted, ExtractionError, clean, issued, join_paragraphs, names

# Dates from the page's metadata and markup only: the search of the whole text for dates (htmldate's extensive
# search) took 2.2 of 2.7 seconds on a 2 MB page and finds dates *in* an article, not *of* it.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def extract_html(data: bytes, url: str | None = None, charset: str = "") -> Extracted:
    """`charset`: what the server said the bytes are in; without it, trafilatura reads the page's own declaration."""
    import codecs

    import trafilatura

    content: bytes | str = data
    if charset:
        try:
            content = data.decode(codecs.lookup(charset).name, errors="replace")
        except LookupError:
            pass  # a charset nobody knows: the page's own declaration, or a guess, will do

    try:
        found = trafilatura.bare_extraction(
            content,
            url=url,
            fast=True,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, TypeError) as exc:  # markup lxml cannot parse at all
        raise ExtractionError(f"This HTML cannot be read ({exc}).") from None
    text = clean(getattr(found, "text", None) or "") if found is not None else ""
    if not text.strip():
        raise ExtractionError(
            "No article text was found in this page: it may be empty, built by scripts in the browser, or not HTML."
        )
    paragraphs = [re.sub(r"^[-*•]\s+", "• ", line) for line in text.split("\n")]
    return Extracted(text=join_paragraphs(paragraphs), pages=[], metadata=_metadata(found, url))


def _metadata(found, url: str | None) -> dict:
    metadata: dict[str, Any] = {"type": "webpage"}
    title = " ".join((found.title or "").split())
    if title:
        metadata["title"] = title[:500]
    if found.author:
        metadata["authors"] = names(found.author)
    if found.sitename:
        metadata["container_title"] = " ".join(found.sitename.split())[:500]
    date = issued(found.date or "")
    if date:
        metadata["issued"] = date
    canonical = found.url or url or ""
    if re.match(r"^https?://[^\s/]+", canonical, re.IGNORECASE) and len(canonical) <= 1000 and " " not in canonical:
        metadata["url"] = canonical
    return metadata
