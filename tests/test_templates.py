"""The templates as Django reads them."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_no_short_comment_spans_lines():
    # Django's {# … #} ends at the line's end: one that goes on is printed onto the page, words and all.
    found = [
        f"{path.relative_to(TEMPLATES)}:{text[:match.start()].count(chr(10)) + 1}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for text in [path.read_text(encoding="utf-8")]
        for match in re.finditer(r"\{#(?:(?!#\}).)*$", text, flags=re.M)
    ]
    assert found == []
