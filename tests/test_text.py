"""Pure text functions: import normalisation, offsets, context, UTF-16, blocks and segmentation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator import text as textlib

# --- import --------------------------------------------------------------------------------------


def test_it_decodes_utf8_and_keeps_everything_else():
    raw = "“Quote” — naïve\u00a0text 😀 e\u0301\n".encode("utf-8")
    assert textlib.decode_import(raw) == "“Quote” — naïve\u00a0text 😀 e\u0301\n"


def test_it_drops_a_leading_bom_only():
    assert textlib.decode_import("\ufeffa\ufeffb".encode("utf-8")) == "a\ufeffb"


def test_it_turns_crlf_and_cr_into_lf():
    assert textlib.decode_import(b"one\r\ntwo\rthree\n\r\nfour") == "one\ntwo\nthree\n\nfour"


@pytest.mark.parametrize("raw", ["caf\xe9".encode("latin-1"), "abc".encode("utf-16"), b"\xff\xfe\x00"])
def test_it_refuses_text_that_is_not_utf8(raw):
    with pytest.raises(textlib.TextImportError, match="not UTF-8"):
        textlib.decode_import(raw)


@pytest.mark.parametrize("raw", [b"", b"   \n\t\n", "\ufeff".encode("utf-8")])
def test_it_refuses_empty_text(raw):
    with pytest.raises(textlib.TextImportError, match="empty"):
        textlib.decode_import(raw)


def test_it_refuses_nul_characters():
    with pytest.raises(textlib.TextImportError, match="NUL"):
        textlib.decode_import(b"text\x00more")


# --- spans and context ---------------------------------------------------------------------------

TEXT = "ab😀cd"  # the emoji is one code point, two UTF-16 code units


def test_a_matching_span_passes():
    textlib.check_span(TEXT, 2, 3, "😀")


@pytest.mark.parametrize(
    "start,end,exact,message",
    [
        (3, 3, "", r"empty \(it starts and ends at 3\)"),
        (4, 2, "", "4–2 ends before it starts"),
        (-1, 2, "ab", "outside"),
        (2, 99, "😀cd", "outside"),
        (0, 2, "xx", "does not match the document's text at 0–2"),
        (2, 4, "😀", "does not match"),
    ],
)
def test_it_refuses_bad_spans(start, end, exact, message):
    with pytest.raises(textlib.SpanError, match=message):
        textlib.check_span(TEXT, start, end, exact)


def test_it_refuses_non_integer_offsets():
    with pytest.raises(textlib.SpanError):
        textlib.check_span(TEXT, True, 2)


def test_context_is_32_code_points_either_side():
    text = "x" * 40 + "MARK" + "y" * 40
    prefix, suffix = textlib.quote_context(text, 40, 44)
    assert prefix == "x" * 32 and suffix == "y" * 32


def test_context_is_shorter_at_the_edges():
    assert textlib.quote_context("ab😀cd", 2, 3) == ("ab", "cd")


# --- UTF-16 --------------------------------------------------------------------------------------


def test_utf16_offsets_count_astral_characters_twice():
    assert textlib.codepoint_to_utf16(TEXT, 3) == 4
    assert textlib.utf16_to_codepoint(TEXT, 4) == 3
    assert textlib.utf16_length("😀") == 2


def test_a_utf16_offset_inside_a_surrogate_pair_is_refused():
    with pytest.raises(textlib.SpanError, match="inside a character"):
        textlib.utf16_to_codepoint(TEXT, 3)


@given(st.text(), st.data())
def test_utf16_conversion_round_trips(text, data):
    offset = data.draw(st.integers(0, len(text)))
    assert textlib.utf16_to_codepoint(text, textlib.codepoint_to_utf16(text, offset)) == offset


# The API's converter (?offsets=utf16): the same answers as the functions above, each in O(log n).


def test_the_converter_counts_astral_characters_twice_both_ways():
    text = "a😀b𝄞c\U0010ffffd"  # an emoji, a musical symbol (U+1D11E), the last code point
    convert = textlib.Utf16Offsets(text)
    assert [convert.to_utf16(i) for i in range(len(text) + 1)] == [0, 1, 3, 4, 6, 7, 9, 10]
    assert [convert.to_codepoint(u) for u in (0, 1, 3, 4, 6, 7, 9, 10)] == list(range(len(text) + 1))


def test_the_converter_refuses_an_offset_inside_a_surrogate_pair_or_outside_the_text():
    convert = textlib.Utf16Offsets("a😀b")
    with pytest.raises(textlib.SpanError, match="inside a character"):
        convert.to_codepoint(2)
    for outside in (-1, 5):
        with pytest.raises(textlib.SpanError, match="outside the text"):
            convert.to_codepoint(outside)
    with pytest.raises(textlib.SpanError, match="outside the text"):
        convert.to_utf16(4)


def test_the_converter_of_a_text_without_astral_characters_changes_nothing():
    convert = textlib.Utf16Offsets("Ежов, 中文, naïve")
    assert convert.astral == [] and convert.to_utf16(7) == 7 and convert.to_codepoint(7) == 7


@given(st.text(), st.data())
def test_the_converter_agrees_with_the_plain_functions(text, data):
    convert = textlib.Utf16Offsets(text)
    offset = data.draw(st.integers(0, len(text)))
    assert convert.to_utf16(offset) == textlib.codepoint_to_utf16(text, offset)
    unit = data.draw(st.integers(0, textlib.utf16_length(text)))
    try:
        expected = textlib.utf16_to_codepoint(text, unit)
    except textlib.SpanError:
        with pytest.raises(textlib.SpanError):
            convert.to_codepoint(unit)
    else:
        assert convert.to_codepoint(unit) == expected


# --- blocks --------------------------------------------------------------------------------------


def test_blocks_split_at_blank_lines_including_nbsp_lines():
    text = "Post one\nline two\n\u00a0\nPost two\n\nPost three"
    bounds = textlib.split_blocks(text)
    assert [text[s:e] for s, e in bounds] == ["Post one\nline two\n\u00a0\n", "Post two\n\n", "Post three"]


@given(st.text(alphabet="ab \n\u00a0"))
def test_blocks_tile_the_text(text):
    bounds = textlib.split_blocks(text)
    assert "".join(text[s:e] for s, e in bounds) == text
    assert all(s < e for s, e in bounds) or text == ""


# --- segmentation --------------------------------------------------------------------------------


def test_overlapping_spans_make_layered_pieces():
    pieces = textlib.segment([("a", 0, 6), ("b", 3, 9)], 0, 10)
    assert [(p.start, p.end, p.span_ids) for p in pieces] == [
        (0, 3, ("a",)),
        (3, 6, ("a", "b")),
        (6, 9, ("b",)),
        (9, 10, ()),
    ]


def test_layout_puts_each_piece_in_its_block():
    text = "one\n\ntwo"
    blocks = textlib.layout(text, [(1, 2, 7)])
    assert [[(p.start, p.end, p.span_ids) for p in b.pieces] for b in blocks] == [
        [(0, 2, ()), (2, 5, (1,))],
        [(5, 7, (1,)), (7, 8, ())],
    ]


@st.composite
def text_and_spans(draw):
    text = draw(st.text(alphabet="ab\n😀é", min_size=1, max_size=60))
    n = len(text)
    spans = []
    for i in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        spans.append((i, start, end))
    return text, spans


@given(text_and_spans())
def test_pieces_concatenate_to_the_text_and_cover_each_span_exactly(case):
    text, spans = case
    blocks = textlib.layout(text, spans)
    pieces = [p for b in blocks for p in b.pieces]
    assert "".join(text[p.start : p.end] for p in pieces) == text
    assert all(p.start < p.end for p in pieces)
    for span_id, start, end in spans:
        covering = [p for p in pieces if span_id in p.span_ids]
        assert covering[0].start == start and covering[-1].end == end
        assert all(a.end == b.start for a, b in zip(covering, covering[1:]))
        assert "".join(text[p.start : p.end] for p in covering) == text[start:end]
    for block in blocks:
        assert all(block.start <= p.start and p.end <= block.end for p in block.pieces)


@given(text_and_spans())
def test_a_block_segmented_alone_matches_the_whole_layout(case):
    text, spans = case
    for block in textlib.layout(text, spans):
        alone = textlib.segment(spans, block.start, block.end)
        assert alone == block.pieces


@pytest.mark.parametrize(
    "q, terms", [("  a\tb\n ", "a b"), ("a\x00b", "a b"), ("\x00", ""), ("😀 e\u0301", "😀 e\u0301")]
)
def test_search_terms_are_single_spaced_words_without_nul(q, terms):
    assert textlib.search_terms(q) == terms


@given(st.text(alphabet="ab\r\n\ufeff"))
def test_normalising_twice_gives_what_normalising_once_gave(text):
    once = textlib.normalise_text(text)
    assert textlib.normalise_text(once) == once and not once.startswith(textlib.BOM)


@pytest.mark.parametrize(
    "value, shown",
    [
        ("plain words", "“plain words”"),
        ("“These comrades do not…", "“These comrades do not…”"),
        ("Did Stalin Want “Mass Terror?”", "“Did Stalin Want “Mass Terror?”"),
        ("„Anführung“", "„Anführung“"),
        ("« guillemets »", "« guillemets »"),
        ("", "“”"),
        ("\u202eevil", "“\u2068\u202eevil\u2069”"),  # the closing mark stays outside what a control reorders
    ],
)
def test_quoted_text_gets_no_quotation_mark_it_already_has(value, shown):
    assert textlib.quoted(value) == shown
