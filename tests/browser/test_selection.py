"""A selection becomes a mark of whole words (issue 18, item 9): the client snaps it (annotator.js, snapToWords), the
server takes exactly what it is sent; Shift, or the project's setting, keeps the characters as selected."""

import pytest
from playwright.sync_api import expect

from annotator.models import Annotation

from ..factories import DocumentFactory
from .conftest import select_text

TEXT = (
    'The historian A said: "The archives were opened in 1991," and don\'t forget the well-known caveats.\n'
    "\n"
    "Историк Б ответил: «Архивы открыли не все» — семья 👨‍👩‍👧 и флаг 🇷🇺 e\u0301cole.\n"
    "\n"
    "L'historien C a écrit aujourd’hui. 東京大学の歴史学者\n"
)


def open_document(page, live_server, document):
    page.goto(f"{live_server.url}/documents/{document.pk}/")
    expect(page.locator("#doc-text")).to_be_visible()


def marked(page, text):
    """The new mark is highlighted, and its panel has fetched the rest of what it shows."""
    expect(page.locator("#doc-text .m")).to_have_text(text)
    expect(page.locator("#mark-detail")).not_to_have_attribute("aria-busy", "true")


# What was dragged (found once in its text) and what is marked.
SNAPS = [
    ('storian A said: "The arch', 'historian A said: "The archives'),  # the example
    ("storian", "historian"),  # inside one word
    ("The historian A said: ", "The historian A said:"),  # trailing space dropped, punctuation kept
    (" said", "said"),
    ('"The arch', '"The archives'),
    ('in 1991," and', 'in 1991," and'),  # already whole words
    ("99", "1991"),
    ("n't forg", "don't forget"),  # an apostrophe inside a word
    ("ll-kno", "well-known"),  # two words joined by a hyphen, both taken
    ("caveats.\n\nИс", "caveats.\n\nИсторик"),  # across blocks: the white space inside stays
    ("торик Б отве", "Историк Б ответил"),  # Cyrillic
    ("«Архи", "«Архивы"),
    ("👩\u200d👧 и", "👨\u200d👩\u200d👧 и"),  # inside an emoji sequence: the whole emoji
    ("\U0001f1fa", "🇷🇺"),  # half a flag
    ("\u0301col", "e\u0301cole"),  # a combining accent and its letter
    ("historien", "L'historien"),  # French elision: one word for Unicode
    ("jourd’h", "aujourd’hui"),  # a typographic apostrophe
    ("aujourd’hui. ", "aujourd’hui."),
]


def test_snap_to_words_takes_whole_unicode_words_and_drops_white_space(login, live_server, document, annotator):
    page = login(annotator)
    open_document(page, live_server, document)
    snapped = page.evaluate(
        """([text, cases]) => cases.map(([dragged]) => {
            const start = text.indexOf(dragged);
            if (start < 0 || text.indexOf(dragged, start + 1) >= 0) return 'not found once: ' + dragged;
            const [s, e] = annotator.snapToWords(text, start, start + dragged.length);
            return text.slice(s, e);
        })""",
        [TEXT, SNAPS],
    )
    assert snapped == [expected for _, expected in SNAPS]
    only_space = page.evaluate("""() => { const t = 'one \\n\\n two'; return annotator.snapToWords(t, 3, 7); }""")
    assert only_space[0] == only_space[1]
    # Scripts written without spaces are cut by Unicode's dictionaries: a part of a word takes the word it is in.
    cjk = page.evaluate(
        """(text) => { const s = text.indexOf('京大'); const [a, b] = annotator.snapToWords(text, s, s + 2); return text.slice(a, b); }""",
        TEXT,
    )
    assert "京大" in cjk and cjk in "東京大学の歴史学者" and len(cjk) > 2


def drag(page, start: int, end: int):
    """Drag the mouse across the text from code point `start` to `end`, as an editor does."""

    def point(offset):
        return page.evaluate(
            """(offset) => {
                for (const p of document.querySelectorAll('#doc-text .p')) {
                    const s = parseInt(p.dataset.start, 10), chars = Array.from(p.textContent);
                    if (offset >= s && offset < s + chars.length) {
                        const units = chars.slice(0, offset - s).join('').length;
                        const range = document.createRange();
                        range.setStart(p.firstChild, units); range.setEnd(p.firstChild, units + chars[offset - s].length);
                        const box = range.getBoundingClientRect();
                        return [box.left + 1, box.right - 1, box.top + box.height / 2];
                    }
                }
                throw new Error('offset ' + offset + ' not in the text');
            }""",
            offset,
        )

    x0, _, y0 = point(start)
    _, x1, y1 = point(end - 1)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=8)
    page.mouse.up()


def test_a_drag_from_inside_a_word_marks_whole_words_and_the_toolbar_says_so(login, live_server, project, annotator):
    document = DocumentFactory(project=project, title="Words", text=TEXT)
    page = login(annotator)
    open_document(page, live_server, document)
    start = TEXT.index("storian")
    drag(page, start, TEXT.index("hives"))
    assert page.evaluate("getSelection().toString()") == 'storian A said: "The arc'
    expect(page.locator("#selection-info")).to_contain_text('Marks whole words: “historian A said: "The archives”')
    page.keyboard.down("Shift")  # what Shift with a label's key would mark: the selection as it is
    expect(page.locator("#selection-info")).to_have_text(
        'With Shift: marks exactly the 24 characters selected: “storian A said: "The arc”'
    )
    page.keyboard.up("Shift")
    expect(page.locator("#selection-info")).to_contain_text("Marks whole words")
    page.keyboard.press("1")
    marked(page, 'historian A said: "The archives')
    span = Annotation.objects.get().span
    assert (span.start, span.end, span.exact) == (start - 2, start - 2 + 31, 'historian A said: "The archives')
    assert TEXT[span.start : span.end] == span.exact
    assert page.errors == []


def test_a_triple_clicked_paragraph_is_marked_without_its_line_breaks(login, live_server, project, annotator):
    document = DocumentFactory(project=project, title="Words", text=TEXT)
    page = login(annotator)
    open_document(page, live_server, document)
    page.locator("#block-1 .p").click(click_count=3)
    assert page.evaluate("getSelection().toString()").endswith("\n")
    page.get_by_role("button", name="Evidence").click()
    paragraph = TEXT.split("\n")[2]
    marked(page, paragraph)
    span = Annotation.objects.get().span
    assert span.exact == paragraph and TEXT[span.start : span.end] == paragraph


@pytest.mark.parametrize("how", ["Shift+1", "Shift+click"])
def test_shift_keeps_exactly_the_characters_selected(login, live_server, project, annotator, how):
    document = DocumentFactory(project=project, title="Words", text=TEXT)
    page = login(annotator)
    open_document(page, live_server, document)
    start, end = TEXT.index("storian"), TEXT.index("hives") + 1
    select_text(page, start, end)
    if how == "Shift+1":
        page.keyboard.press("Shift+Digit1")  # as a US keyboard sends it: the key "!"
    else:
        page.get_by_role("button", name="Claim").click(modifiers=["Shift"])
    marked(page, 'storian A said: "The arch')
    span = Annotation.objects.get().span
    assert (span.start, span.end, span.exact) == (start, end, 'storian A said: "The arch')
    assert Annotation.objects.get().label.key == "claim"


def test_a_project_that_marks_characters_keeps_every_selection_as_it_is(login, live_server, project, annotator):
    project.snap_to_words = False
    project.save()
    document = DocumentFactory(project=project, title="Words", text=TEXT)
    page = login(annotator)
    open_document(page, live_server, document)
    start, end = TEXT.index("торик"), TEXT.index("ответил") + 4
    select_text(page, start, end)
    expect(page.locator("#selection-info")).to_have_text("12 characters selected")
    page.keyboard.press("2")
    marked(page, "торик Б отве")
    assert Annotation.objects.get().span.exact == "торик Б отве"


def test_what_the_toolbar_says_neither_moves_the_text_nor_widens_a_narrow_page(login, live_server, project, annotator):
    # A long line about the selection wrapped the toolbar, and the text moved under the dragging mouse.
    document = DocumentFactory(project=project, title="Words", text=TEXT)
    page = login(annotator)
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        open_document(page, live_server, document)
        top = page.evaluate("document.getElementById('doc-text').getBoundingClientRect().top")
        select_text(page, TEXT.index("storian"), TEXT.index("hives"))
        expect(page.locator("#selection-info")).to_contain_text("Marks whole words")
        assert abs(page.evaluate("document.getElementById('doc-text').getBoundingClientRect().top") - top) < 0.5
        assert page.evaluate("document.documentElement.scrollWidth") == width
