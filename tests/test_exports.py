"""The export writers, on plain records: CSV cells, spreadsheet safety, read-back, JSON-LD shape. No database."""
import csv
import io
import itertools
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pandas
import pytest

from annotator import exports
from annotator.exports import CitationRecord, MarkRecord, SourceRecord

GETTY = SourceRecord(
    id=7, type="book", title="Origins of the Great Purges", authors=[{"family": "Getty", "given": "J. Arch"}],
    issued="1985", publisher="Cambridge University Press", doi="10.1017/CBO9780511572616",
)
SPEECH = SourceRecord(id=9, type="speech", title="Collected Works, Vol. 14", authors=[{"family": "Stalin", "given": "J. V."}], issued="1937")
WHEN = datetime(2024, 3, 1, 10, 15, 0, 123456, tzinfo=timezone.utc)


def record(**changes) -> MarkRecord:
    base = MarkRecord(
        annotation_id=42, project="Purge project", document_id=3, document_title="Did Stalin Want “Mass\u00a0Terror?”",
        start=10, end=20, exact="mass terror", prefix="Did Stalin want “", suffix="”? 😀 The", label="claim",
        note="", annotator="ann", status="pending", reviewer="", reviewed_at=None, review_note="",
        citations=(), created_at=WHEN, updated_at=WHEN,
    )
    return replace(base, **changes)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_header_is_the_documented_one_in_order():
    header = rows_of("".join(exports.stream_csv([])))[0]
    assert header == [
        "annotation_id", "project", "document_id", "document_title", "start", "end", "exact", "prefix", "suffix",
        "label", "note", "annotator", "status", "reviewer", "reviewed_at", "review_note", "source_ids",
        "source_citations", "created_at", "updated_at",
    ]


def test_a_row_holds_every_field_with_times_in_utc():
    tokyo = timezone(timedelta(hours=9))
    mark = record(
        status="accepted", reviewer="rev", reviewed_at=datetime(2024, 3, 2, 9, 0, tzinfo=tokyo), review_note="fine",
        citations=(CitationRecord(GETTY, "pp. 113-138"), CitationRecord(SPEECH)),
    )
    row = dict(zip(exports.CSV_HEADER, exports.csv_cells(mark)))
    assert row["reviewed_at"] == "2024-03-02T00:00:00Z"
    assert row["created_at"] == row["updated_at"] == "2024-03-01T10:15:00Z"
    assert row["source_ids"] == "7 | 9"
    assert row["source_citations"] == (
        "Getty, J. Arch (1985). Origins of the Great Purges. doi:10.1017/CBO9780511572616, pp. 113-138"
        " | Stalin, J. V. (1937). Collected Works, Vol. 14"
    )
    assert (row["start"], row["end"], row["exact"], row["label"], row["status"]) == ("10", "20", "mass terror", "claim", "accepted")


def test_a_mark_without_review_or_sources_leaves_those_cells_empty():
    row = dict(zip(exports.CSV_HEADER, exports.csv_cells(record())))
    assert [row[k] for k in ("reviewer", "reviewed_at", "review_note", "source_ids", "source_citations")] == [""] * 5


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=already"])
def test_formula_like_cells_get_an_apostrophe_unless_raw(cell):
    mark = record(note=cell)
    assert exports.csv_cells(mark)[exports.CSV_HEADER.index("note")] == "'" + cell
    assert exports.csv_cells(mark, raw=True)[exports.CSV_HEADER.index("note")] == cell
    assert exports.spreadsheet_unsafe(exports.spreadsheet_safe(cell)) == cell


@pytest.mark.parametrize("cell", ["plain", "a=b", " =x", "", "'quoted'", "’curly"])
def test_other_cells_are_left_alone(cell):
    assert exports.spreadsheet_safe(cell) == (cell if not cell.startswith("'") else "'" + cell)
    assert exports.spreadsheet_unsafe(exports.spreadsheet_safe(cell)) == cell


NASTY = [
    record(annotation_id=1, note='He said "no", then left.\nNext line,\r\nand a CRLF', exact="line one\nline two"),
    record(annotation_id=2, note="=HYPERLINK(\"http://evil\")", review_note="@admin -1", exact="-5 degrees"),
    record(annotation_id=3, note="", exact="😀 “quoted”, commas, 'apostrophes'", prefix="\u00a0", suffix="\u0301"),
]


@pytest.mark.parametrize("raw", [True, False])
def test_python_csv_and_pandas_read_the_same_rows_back(raw):
    text = "".join(exports.stream_csv(NASTY, raw=raw))
    with_csv = rows_of(text)
    frame = pandas.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(frame.columns) == with_csv[0] == exports.CSV_HEADER
    assert frame.values.tolist() == with_csv[1:]
    expected = [exports.csv_cells(mark, raw=raw) for mark in NASTY]
    assert with_csv[1:] == expected
    if raw:
        notes = [row[exports.CSV_HEADER.index("note")] for row in with_csv[1:]]
        assert notes == [mark.note for mark in NASTY]


def test_csv_lines_end_in_crlf_and_text_is_utf8_clean():
    text = "".join(exports.stream_csv([record()]))
    assert text.endswith("\r\n")
    assert text.encode("utf-8").decode("utf-8") == text


def test_the_csv_is_written_as_it_is_read():
    endless = (record(annotation_id=i) for i in itertools.count(1))
    first = list(itertools.islice(exports.csv_lines(endless), 3))
    assert len(first) == 3 and first[2].startswith("2,")
    chunk = next(exports.stream_csv(record(annotation_id=i) for i in itertools.count(1)))
    assert 64 * 1024 <= len(chunk) < 65 * 1024  # lines go out in chunks of about 64 KiB


def test_the_jsonld_is_written_as_it_is_read():
    endless = (record(annotation_id=i) for i in itertools.count(1))
    pieces = exports.jsonld_pieces(endless, total=10**9, collection_id="https://a.example/c", label="x", addresses=ADDRESSES)
    head, first, second = itertools.islice(pieces, 3)
    assert '"total": 1000000000' in head and '"id": "https://annotator.example.org/annotations/2/"' in second


def test_source_citation_shapes():
    assert exports.source_citation(SourceRecord(id=1, title="Untitled memo")) == "Untitled memo"
    assert exports.source_citation(SourceRecord(id=1, title="Report", issued="1956")) == "(1956). Report"
    assert exports.source_citation(
        SourceRecord(id=1, title="Diary", authors=[{"literal": "NKVD"}, {"family": "Ezhov"}], container_title="Archive")
    ) == "NKVD; Ezhov. Diary. Archive"


def test_iso_utc_refuses_naive_times():
    with pytest.raises(ValueError):
        exports.iso_utc(datetime(2024, 1, 1))


ADDRESSES = exports.Addresses("https://annotator.example.org")


def test_a_mark_in_jsonld_has_label_note_sources_and_both_selectors():
    mark = record(
        note="Getty's reading", status="accepted", reviewer="rev", reviewed_at=WHEN, review_note="ok",
        citations=(CitationRecord(GETTY, "pp. 113-138", "central"), CitationRecord(SPEECH)),
    )
    item = exports.jsonld_annotation(mark, ADDRESSES)
    assert item["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert item["id"] == "https://annotator.example.org/annotations/42/"
    assert (item["type"], item["motivation"], item["creator"]["nickname"]) == ("Annotation", "tagging", "ann")
    assert item["created"] == item["modified"] == "2024-03-01T10:15:00Z"
    tag, note, getty, speech = item["body"]
    assert tag == {"type": "TextualBody", "purpose": "tagging", "value": "claim", "format": "text/plain"}
    assert (note["purpose"], note["value"]) == ("commenting", "Getty's reading")
    assert getty["source"]["id"] == "https://doi.org/10.1017/CBO9780511572616"
    assert (getty["purpose"], getty["locator"], getty["citationNote"]) == ("linking", "pp. 113-138", "central")
    assert getty["source"]["csl"]["issued"] == {"date-parts": [[1985]]}
    assert speech["source"]["id"] == "https://annotator.example.org/sources/9/"
    target = item["target"]
    assert target["source"]["id"] == "https://annotator.example.org/documents/3/versions/1/"
    assert target["source"]["label"] == "Did Stalin Want “Mass\u00a0Terror?”"
    assert target["selector"] == [
        {"type": "TextPositionSelector", "start": 10, "end": 20},
        {"type": "TextQuoteSelector", "exact": "mass terror", "prefix": "Did Stalin want “", "suffix": "”? 😀 The"},
    ]
    assert (item["reviewStatus"], item["reviewer"]["nickname"], item["reviewNote"]) == ("accepted", "rev", "ok")


def test_a_mark_without_note_has_only_its_label_as_body():
    item = exports.jsonld_annotation(record(), ADDRESSES)
    assert [b["purpose"] for b in item["body"]] == ["tagging"]
    assert "reviewer" not in item and "reviewed" not in item


def test_the_jsonld_collection_parses_and_counts_its_items():
    text = "".join(
        exports.stream_jsonld(NASTY, total=3, collection_id="https://a.example/c", label="All", addresses=ADDRESSES)
    )
    collection = json.loads(text)
    assert (collection["type"], collection["total"], collection["label"]) == ("AnnotationCollection", 3, "All")
    page = collection["first"]
    assert (page["type"], page["partOf"], page["startIndex"]) == ("AnnotationPage", "https://a.example/c", 0)
    assert [item["id"].rsplit("/", 2)[1] for item in page["items"]] == ["1", "2", "3"]
    assert page["items"][0]["target"]["selector"][1]["exact"] == "line one\nline two"


def test_an_empty_jsonld_collection_is_valid_json():
    collection = json.loads("".join(exports.stream_jsonld([], total=0, collection_id="https://a.example/c", label="x", addresses=ADDRESSES)))
    assert collection["first"]["items"] == []
