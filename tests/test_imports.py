"""Reading exports back and placing marks in a text: pure functions, no database."""
import csv
import io
import json
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator import exports, imports
from annotator.exports import CitationRecord

from .test_exports import GETTY, NASTY, SPEECH, record


def csv_bytes(marks, raw=True) -> bytes:
    return "".join(exports.stream_csv(marks, raw=raw)).encode("utf-8")


def test_our_csv_reads_back_field_for_field():
    mark = record(
        note='Said "no",\nthen left', status="accepted", reviewer="rev", reviewed_at=datetime(2024, 3, 2, tzinfo=timezone.utc),
        review_note="=fine", citations=(CitationRecord(GETTY, "pp. 113-138"), CitationRecord(SPEECH)),
    )
    parsed = imports.read(csv_bytes([mark]))
    assert parsed.problems == []
    (row,) = parsed.rows
    assert (row.line, row.project, row.document_id, row.document_title) == (2, mark.project, 3, mark.document_title)
    assert (row.start, row.end, row.exact, row.prefix, row.suffix) == (10, 20, mark.exact, mark.prefix, mark.suffix)
    assert (row.label, row.note, row.annotator, row.status, row.reviewer) == ("claim", mark.note, "ann", "accepted", "rev")
    assert (row.reviewed_at, row.review_note) == (mark.reviewed_at, "=fine")
    assert row.created_at == mark.created_at.replace(microsecond=0)
    assert [(c.source_id, c.reference, c.locator) for c in row.citations] == [
        (7, exports.cited(mark.citations[0]), None), (9, exports.cited(mark.citations[1]), None),
    ]


def test_a_spreadsheet_safe_csv_reads_back_with_the_apostrophes_removed():
    parsed = imports.read(csv_bytes(NASTY, raw=False), spreadsheet_safe=True)
    assert [row.note for row in parsed.rows] == [mark.note for mark in NASTY]
    assert [row.exact for row in parsed.rows] == [mark.exact for mark in NASTY]


def test_the_row_number_of_a_row_after_a_multiline_cell_is_its_line_in_the_file():
    parsed = imports.read(csv_bytes([record(note="a\nb\nc"), record(label="")]) + b"1,2\r\n")
    assert [row.line for row in parsed.rows] == [2, 5]  # the note spans lines 2-4
    assert [str(p) for p in parsed.problems] == ["row 6: 2 cells where the header has 20"]


@pytest.mark.parametrize(
    "change,message",
    [
        ({"start": "ten"}, "start “ten” is not a whole number"),
        ({"end": "-3"}, "end must not be negative"),
        ({"exact": ""}, "exact is empty"),
        ({"status": "maybe"}, "unknown status “maybe”"),
        ({"created_at": "yesterday"}, "bad time"),
        ({"created_at": "2024-03-01T10:15:00"}, "has no time zone"),
        ({"source_ids": "1 | 2", "source_citations": "One"}, "2 source ids but 1 citations"),
        ({"source_ids": "x", "source_citations": "One"}, "a source id “x” is not a whole number"),
    ],
)
def test_a_malformed_row_is_reported_with_its_row_and_the_others_are_read(change, message):
    good = exports.csv_cells(record(), raw=True)
    bad = [change.get(name, cell) for name, cell in zip(exports.CSV_HEADER, good)]
    out = io.StringIO(newline="")
    csv.writer(out).writerows([exports.CSV_HEADER, good, bad, good])
    parsed = imports.read(out.getvalue().encode())
    assert [row.line for row in parsed.rows] == [2, 4]
    assert len(parsed.problems) == 1 and parsed.problems[0].line == 3
    assert message in parsed.problems[0].message


@pytest.mark.parametrize(
    "data,message",
    [
        ("café;".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
        (b"id,text\r\n1,x\r\n", "header lacks annotation_id, project"),
        (b"{not json", "not valid JSON"),
        (b'{"type": "Thing"}', "neither an annotation nor a collection"),
        (b'{"type": "AnnotationCollection", "total": 5, "first": "https://x.example/page2"}', "holds 5 annotations but embeds 0"),
        # Each of these once escaped as a TypeError or UnicodeEncodeError (a traceback, or a 500 when saved):
        (b'{"type": [{}]}', "neither an annotation nor a collection"),
        (b'[{"type": "Annotation", "bodyValue": "\\ud800"}]', "lone surrogate"),
        (b'[{"type": "Annotation", "bodyValue": "a\\u0000b"}]', "NUL character"),
        (b"annotation_id,project\r\n1,a\x00b\r\n", "NUL character"),
        # json's parser recursed into a RecursionError: the command died with a traceback.
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_says_why(data, message):
    with pytest.raises(imports.ImportFileError, match=message):
        imports.read(data)


def test_a_collection_whose_total_is_no_number_is_read_for_its_items():
    parsed = imports.read(b'{"type": "AnnotationCollection", "total": "x", "first": {"items": []}}')
    assert parsed.rows == [] and parsed.problems == []


def test_a_utf8_bom_is_accepted():
    assert len(imports.read(b"\xef\xbb\xbf" + csv_bytes([record()])).rows) == 1


def test_our_jsonld_reads_back_field_for_field():
    mark = record(
        note="a note", status="rejected", reviewer="rev", reviewed_at=datetime(2024, 3, 2, tzinfo=timezone.utc),
        review_note="no", citations=(CitationRecord(GETTY, "pp. 113-138", "central"), CitationRecord(SPEECH)),
    )
    text = "".join(exports.stream_jsonld([mark, record(annotation_id=43)], total=2, collection_id="https://a.example/c",
                                       label="x", addresses=exports.Addresses("https://a.example")))
    parsed = imports.read(text.encode())
    assert parsed.problems == []
    row, other = parsed.rows
    assert (row.line, other.line) == (1, 2)
    assert (row.project, row.document_id, row.document_title) == (mark.project, 3, mark.document_title)
    assert (row.start, row.end, row.exact, row.prefix, row.suffix) == (10, 20, mark.exact, mark.prefix, mark.suffix)
    assert (row.label, row.note, row.annotator, row.status, row.reviewer, row.review_note) == (
        "claim", "a note", "ann", "rejected", "rev", "no")
    getty, speech = row.citations
    assert (getty.locator, getty.note, getty.iri) == ("pp. 113-138", "central", "https://doi.org/10.1017/CBO9780511572616")
    assert getty.csl["title"] == "Origins of the Great Purges"
    assert (speech.locator, speech.csl["type"]) == ("", "speech")


def test_a_single_w3c_annotation_from_another_tool_is_read():
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld", "id": "urn:x:1", "type": "Annotation", "bodyValue": "claim",
        "creator": {"name": "ann"},
        "target": {"source": "https://elsewhere.example/doc", "selector": {"type": "TextQuoteSelector", "exact": "mass terror"}},
    }
    (row,) = imports.read(json.dumps(annotation).encode()).rows
    assert (row.label, row.annotator, row.exact, row.start, row.document_id) == ("claim", "ann", "mass terror", None, None)


@pytest.mark.parametrize(
    "change,message",
    [
        ({"type": "Note"}, "not a W3C Annotation"),
        ({"body": []}, "no label"),
        ({"target": [{"source": "x"}, {"source": "y"}]}, "one document"),
        ({"target": {"source": "x", "selector": {"type": "TextPositionSelector", "start": 1, "end": 2}}}, "no TextQuoteSelector"),
        ({"created": "March 1st"}, "bad time"),
        ({"reviewStatus": "perhaps"}, "unknown status"),
    ],
)
def test_a_malformed_annotation_is_reported_with_its_number(change, message):
    good = exports.jsonld_annotation(record(), exports.Addresses("https://a.example"))
    parsed = imports.read(json.dumps([good, {**good, **change}]).encode())
    assert len(parsed.rows) == 1
    assert [p.line for p in parsed.problems] == [2] and message in parsed.problems[0].message


def test_a_citation_splits_at_the_longest_reference_that_fits():
    references = ["Getty (1985). Origins", "Getty (1985). Origins, revised"]
    assert imports.split_citation("Getty (1985). Origins, revised, p. 4", references) == ("Getty (1985). Origins, revised", "p. 4")
    assert imports.split_citation("Getty (1985). Origins, p. 4", references) == ("Getty (1985). Origins", "p. 4")
    assert imports.split_citation("Getty (1985). Origins", references) == ("Getty (1985). Origins", "")
    assert imports.split_citation("Conquest (1968)", references) is None


TEXT = "The purge began. The purge ended. Then the purge began again."


def test_a_mark_whose_offsets_fit_stays_where_it_was():
    assert imports.place(TEXT, "purge", 4, 9) == imports.Placement(4, 9, moved=False)


def test_a_mark_whose_offsets_moved_is_found_by_its_context():
    # The second "The purge" moved by three characters; its context says which of three it is.
    assert imports.place(TEXT, "purge", 19, 24, prefix="began. The ", suffix=" ended") == imports.Placement(21, 26, moved=True)


def test_a_mark_found_once_needs_no_context():
    assert imports.place(TEXT, "ended", 0, 5) == imports.Placement(27, 32, moved=True)


def test_a_mark_whose_text_is_gone_cannot_be_placed():
    with pytest.raises(imports.PlacementError, match="not in the document"):
        imports.place(TEXT, "Terror", 0, 6)


def test_an_ambiguous_mark_is_not_placed_by_a_guess():
    with pytest.raises(imports.PlacementError, match="occurs 2 times"):
        imports.place(TEXT, "purge began", None, None, prefix="", suffix="")


@given(st.text(min_size=1, max_size=60), st.data())
def test_a_mark_is_placed_on_its_own_text_or_refused_never_elsewhere(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    shift = data.draw(st.integers(-5, 5))
    exact, prefix, suffix = text[start:end], text[max(0, start - 32):start], text[end:end + 32]
    if shift == 0:
        assert imports.place(text, exact, start, end, prefix, suffix) == imports.Placement(start, end, moved=False)
        return
    try:
        placed = imports.place(text, exact, start + shift, end + shift, prefix, suffix)
    except imports.PlacementError as exc:
        assert "equally well" in str(exc)  # its text is there, so only a tie may refuse it
        return
    assert text[placed.start:placed.end] == exact
