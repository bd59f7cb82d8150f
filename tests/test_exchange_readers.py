"""Reading our files back (exchange.readers): what the writers write reads back to the same marks. No database."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from annotator import exchange
from annotator.exchange import readers, writers
from annotator.exchange.records import CSV_HEADER, JOIN, Addresses, CitationRecord, as_row, source_citation

from .test_exchange_writers import GETTY, NASTY, SPEECH, marks_csv, record
from .test_w3c_jsonld import marks


def csv_bytes(marks, raw=True) -> bytes:
    return marks_csv(marks, raw=raw).encode("utf-8")


ADDRESSES = Addresses("https://a.example")


def jsonld_text(marks, addresses=ADDRESSES) -> str:
    return "".join(
        writers.jsonld(
            map(as_row, marks), total=len(marks), collection_id="https://a.example/c", label="x", addresses=addresses
        )
    )


def second(moment):
    return moment and moment.replace(microsecond=0)


READ_BACK = (
    "project",
    "document_id",
    "document_title",
    "start",
    "end",
    "exact",
    "prefix",
    "suffix",
    "label",
    "note",
    "annotator",
    "status",
    "reviewer",
    "review_note",
)


def assert_read_back(row: readers.ImportRow, mark) -> None:
    """The row read from a file holds the mark's fields as they were written; times to the second."""
    assert {name: getattr(row, name) for name in READ_BACK} == {name: getattr(mark, name) for name in READ_BACK}
    assert (row.reviewed_at, row.created_at, row.updated_at) == (
        second(mark.reviewed_at),
        second(mark.created_at),
        second(mark.updated_at),
    )


def without_nul(mark) -> bool:
    # A NUL character cannot be stored, so the JSON-LD reader refuses it (the database never holds one either).
    return "\\x00" not in repr(mark)


@settings(max_examples=100, deadline=None)
@given(st.lists(marks(), min_size=1, max_size=4))
def test_every_raw_csv_reads_back_to_its_marks(batch):
    # " | " joins several sources in one cell: a reference holding it cannot be told apart (README: CSV columns), nor
    # one that ends in " |" or starts with "| " (beside the joining " | ", the split finds the wrong one first).
    assume(
        not any(
            JOIN.strip() in source_citation(c.source) or JOIN.strip() in c.locator
            for mark in batch
            for c in mark.citations
        )
    )
    parsed = readers.read_csv(marks_csv(batch, raw=True))
    assert parsed.problems == []
    for mark, row in zip(batch, parsed.rows, strict=True):
        assert_read_back(row, mark)
        assert row.iri == f"mark:{mark.annotation_id}"
        assert [(c.source_id, c.reference) for c in row.citations] == [
            (c.source.id, source_citation(c.source) + (f", {c.locator}" if c.locator else "")) for c in mark.citations
        ]


@settings(max_examples=100, deadline=None)
@given(st.lists(marks(), min_size=1, max_size=4))
def test_every_jsonld_reads_back_to_its_marks(batch):
    assume(all(without_nul(mark) for mark in batch))
    parsed = readers.read_jsonld(jsonld_text(batch))
    assert parsed.problems == []
    for mark, row in zip(batch, parsed.rows, strict=True):
        assert_read_back(row, mark)
        assert row.iri == f"https://a.example/annotations/{mark.annotation_id}/"
        assert [(c.reference, c.locator, c.note, c.csl["id"], c.csl["title"]) for c in row.citations] == [
            (source_citation(c.source), c.locator, c.note, str(c.source.id), c.source.title) for c in mark.citations
        ]


def test_our_csv_reads_back_field_for_field():
    mark = record(
        note='Said "no",\nthen left',
        status="accepted",
        reviewer="rev",
        reviewed_at=datetime(2024, 3, 2, tzinfo=UTC),
        review_note="=fine",
        citations=(CitationRecord(GETTY, "pp. 113-138"), CitationRecord(SPEECH)),
    )
    parsed = exchange.read(csv_bytes([mark]))
    assert parsed.problems == []
    (row,) = parsed.rows
    assert (row.line, row.project, row.document_id, row.document_title) == (2, mark.project, 3, mark.document_title)
    assert (row.start, row.end, row.exact, row.prefix, row.suffix) == (10, 20, mark.exact, mark.prefix, mark.suffix)
    assert (row.label, row.note, row.annotator, row.status, row.reviewer) == (
        "claim",
        mark.note,
        "ann",
        "accepted",
        "rev",
    )
    assert (row.reviewed_at, row.review_note) == (mark.reviewed_at, "=fine")
    assert row.created_at == mark.created_at.replace(microsecond=0)
    assert [(c.source_id, c.reference, c.locator) for c in row.citations] == [
        (7, "Getty, J. Arch (1985). Origins of the Great Purges. doi:10.1017/CBO9780511572616, pp. 113-138", None),
        (9, "Stalin, J. V. (1937). Collected Works, Vol. 14", None),
    ]


def test_a_spreadsheet_safe_csv_reads_back_with_the_apostrophes_removed():
    parsed = exchange.read(csv_bytes(NASTY, raw=False), spreadsheet_safe=True)
    assert [row.note for row in parsed.rows] == [mark.note for mark in NASTY]
    assert [row.exact for row in parsed.rows] == [mark.exact for mark in NASTY]


def test_the_row_number_of_a_row_after_a_multiline_cell_is_its_line_in_the_file():
    parsed = exchange.read(csv_bytes([record(note="a\nb\nc"), record(label="")]) + b"1,2\r\n")
    assert [row.line for row in parsed.rows] == [2, 5]  # the note spans lines 2-4
    assert [str(p) for p in parsed.problems] == ["row 6: 2 cells where the header has 24"]


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
    good = list(csv.reader(io.StringIO(marks_csv([record()], raw=True), newline="")))[1]
    bad = [change.get(name, cell) for name, cell in zip(CSV_HEADER, good)]
    out = io.StringIO(newline="")
    csv.writer(out).writerows([CSV_HEADER, good, bad, good])
    parsed = exchange.read(out.getvalue().encode())
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
        (
            b'[{"type": "Annotation",\n "bodyValue": "cut',
            "not valid JSON: Unterminated string starting at line 2, column 15\\.$",
        ),
        (b'{"type": "Thing"}', "neither an annotation nor a collection"),
        (
            b'{"type": "AnnotationCollection", "total": 5, "first": "https://x.example/page2"}',
            "holds 5 annotations but embeds 0",
        ),
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
    with pytest.raises(exchange.ImportFileError, match=message):
        exchange.read(data)


def test_a_collection_whose_total_is_no_number_is_read_for_its_items():
    parsed = exchange.read(b'{"type": "AnnotationCollection", "total": "x", "first": {"items": []}}')
    assert parsed.rows == [] and parsed.problems == []


def test_a_utf8_bom_is_accepted():
    assert len(exchange.read(b"\xef\xbb\xbf" + csv_bytes([record()])).rows) == 1


def test_our_jsonld_reads_back_field_for_field():
    mark = record(
        note="a note",
        status="rejected",
        reviewer="rev",
        reviewed_at=datetime(2024, 3, 2, tzinfo=UTC),
        review_note="no",
        citations=(CitationRecord(GETTY, "pp. 113-138", "central"), CitationRecord(SPEECH)),
    )
    parsed = exchange.read(jsonld_text([mark, record(annotation_id=43)]).encode())
    assert parsed.problems == []
    row, other = parsed.rows
    assert (row.line, other.line) == (1, 2)
    assert (row.project, row.document_id, row.document_title) == (mark.project, 3, mark.document_title)
    assert (row.start, row.end, row.exact, row.prefix, row.suffix) == (10, 20, mark.exact, mark.prefix, mark.suffix)
    assert (row.label, row.note, row.annotator, row.status, row.reviewer, row.review_note) == (
        "claim",
        "a note",
        "ann",
        "rejected",
        "rev",
        "no",
    )
    getty, speech = row.citations
    assert (getty.locator, getty.note, getty.iri) == (
        "pp. 113-138",
        "central",
        "https://doi.org/10.1017/CBO9780511572616",
    )
    assert getty.csl["title"] == "Origins of the Great Purges"
    assert (speech.locator, speech.csl["type"]) == ("", "speech")


def test_a_single_w3c_annotation_from_another_tool_is_read():
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:x:1",
        "type": "Annotation",
        "bodyValue": "claim",
        "creator": {"name": "ann"},
        "target": {
            "source": "https://elsewhere.example/doc",
            "selector": {"type": "TextQuoteSelector", "exact": "mass terror"},
        },
    }
    (row,) = exchange.read(json.dumps(annotation).encode()).rows
    assert (row.label, row.annotator, row.exact, row.start, row.document_id) == (
        "claim",
        "ann",
        "mass terror",
        None,
        None,
    )


@pytest.mark.parametrize(
    "change,message",
    [
        ({"type": "Note"}, "not a W3C Annotation"),
        ({"target": [{"source": "x"}, {"source": "y"}]}, "one document"),
        # A mark with no tagging body, or a position with no quote, is read (issue 25): the import maps or places it.
        ({"target": "https://example.org/page1"}, "the target is a whole document"),
        (
            {"target": {"source": "x", "selector": {"type": "FragmentSelector", "value": "para5"}}},
            "no TextQuoteSelector with the exact text, nor a TextPositionSelector",
        ),
        ({"target": {"source": "x", "selector": {"type": "TextQuoteSelector", "exact": ""}}}, "has no exact text"),
        ({"created": "March 1st"}, "bad time"),
        ({"reviewStatus": "perhaps"}, "unknown status"),
    ],
)
def test_a_malformed_annotation_is_reported_with_its_number(change, message):
    good = json.loads(jsonld_text([record()]))["first"]["items"][0]
    parsed = exchange.read(json.dumps([good, {**good, **change}]).encode())
    assert len(parsed.rows) == 1
    assert [p.line for p in parsed.problems] == [2] and message in parsed.problems[0].message


def test_a_citation_splits_at_the_longest_reference_that_fits():
    references = ["Getty (1985). Origins", "Getty (1985). Origins, revised"]
    assert readers.split_citation("Getty (1985). Origins, revised, p. 4", references) == (
        "Getty (1985). Origins, revised",
        "p. 4",
    )
    assert readers.split_citation("Getty (1985). Origins, p. 4", references) == ("Getty (1985). Origins", "p. 4")
    assert readers.split_citation("Getty (1985). Origins", references) == ("Getty (1985). Origins", "")
    assert readers.split_citation("Conquest (1968)", references) is None
