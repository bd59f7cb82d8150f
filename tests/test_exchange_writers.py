"""The writers, one per format, on plain rows: the CSVs' cells as README.md defines them, spreadsheet safety,
read-back with csv and pandas, the JSON-LD's shape, and streaming. No database.

Byte-for-byte compatibility with the files of earlier releases is tests/test_exchange_compatibility.py's; validity
against the W3C model is tests/test_w3c_jsonld.py's; export -> read -> the same marks is tests/test_exchange_readers.py's.
"""

import csv
import io
import itertools
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pandas
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.exchange import writers
from annotator.exchange.records import (
    CSV_HEADER,
    JSONLD_CONTEXT,
    LINK_HEADER,
    Addresses,
    CitationRecord,
    MarkRecord,
    SourceRecord,
    as_row,
    buffered,
    iso_utc,
    source_citation,
    spreadsheet_safe,
    spreadsheet_unsafe,
)

from .test_w3c_jsonld import marks

GETTY = SourceRecord(
    id=7,
    type="book",
    title="Origins of the Great Purges",
    authors=[{"family": "Getty", "given": "J. Arch"}],
    issued="1985",
    publisher="Cambridge University Press",
    doi="10.1017/CBO9780511572616",
)
SPEECH = SourceRecord(
    id=9,
    type="speech",
    title="Collected Works, Vol. 14",
    authors=[{"family": "Stalin", "given": "J. V."}],
    issued="1937",
)
WHEN = datetime(2024, 3, 1, 10, 15, 0, 123456, tzinfo=UTC)
ADDRESSES = Addresses("https://annotator.example.org")


def record(**changes) -> MarkRecord:
    base = MarkRecord(
        annotation_id=42,
        project="Purge project",
        document_id=3,
        document_title="Did Stalin Want “Mass\u00a0Terror?”",
        start=10,
        end=20,
        exact="mass terror",
        prefix="Did Stalin want “",
        suffix="”? 😀 The",
        label="claim",
        note="",
        annotator="ann",
        status="pending",
        reviewer="",
        reviewed_at=None,
        review_note="",
        citations=(),
        created_at=WHEN,
        updated_at=WHEN,
    )
    return replace(base, **changes)


def marks_csv(records, raw=False) -> str:
    return "".join(writers.marks_csv(map(as_row, records), raw=raw))


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def row_of(mark: MarkRecord, raw=False) -> dict:
    [row] = rows_of(marks_csv([mark], raw))[1:]
    return dict(zip(CSV_HEADER, row))


def jsonld_item(mark: MarkRecord) -> dict:
    [item] = writers.jsonld_marks([as_row(mark)], ADDRESSES)
    return json.loads(item)


# The specification, as README.md states it -----------------------------------------------------------------


def utc(moment: datetime | None) -> str:
    """README: 'Times are ISO 8601 in UTC to the second (2024-03-01T10:15:00Z)'."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def readme_cells(mark: MarkRecord) -> list[str]:
    """The row README.md's table of columns describes for a mark, column by column, with raw cells."""
    return [
        str(mark.annotation_id),
        mark.project,
        str(mark.document_id),
        mark.document_title,
        str(mark.start),
        str(mark.end),
        mark.exact,
        mark.prefix,
        mark.suffix,
        mark.label,
        mark.note,
        mark.annotator,
        mark.status,
        mark.reviewer,
        utc(mark.reviewed_at),
        mark.review_note,
        " | ".join(str(c.source.id) for c in mark.citations),
        " | ".join(source_citation(c.source) + (f", {c.locator}" if c.locator else "") for c in mark.citations),
        utc(mark.created_at),
        utc(mark.updated_at),
        mark.verdict,
        "" if mark.verdict_value is None else str(mark.verdict_value),
        mark.verdict_summary,
        mark.verdict_status,
    ]


def readme_safe(cell: str) -> str:
    """README: a cell that starts with =, +, -, @, a tab or a carriage return, or with an apostrophe, gets an
    apostrophe in front."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else cell


zones = st.sampled_from([UTC, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5, minutes=-30))])
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones)


@settings(max_examples=150, deadline=None)
@given(st.lists(marks(), max_size=4), st.booleans())
def test_every_csv_row_holds_its_marks_fields_as_the_readme_says(batch, raw):
    rows = rows_of(marks_csv(batch, raw))
    expected = [readme_cells(mark) for mark in batch]
    if not raw:
        expected = [[readme_safe(cell) for cell in cells] for cells in expected]
    assert rows == [CSV_HEADER, *expected]


@settings(max_examples=100, deadline=None)
@given(marks(), moments, st.none() | moments, moments)
def test_times_in_any_zone_are_written_in_utc_to_the_second(mark, created, reviewed, updated):
    mark = replace(mark, created_at=created, reviewed_at=reviewed, updated_at=updated)
    row = row_of(mark)
    assert (row["created_at"], row["reviewed_at"], row["updated_at"]) == (utc(created), utc(reviewed), utc(updated))
    item = jsonld_item(mark)
    assert (item["created"], item["modified"], item.get("reviewed", "")) == (utc(created), utc(updated), utc(reviewed))


def test_the_header_is_the_documented_one_in_order():
    header = rows_of(marks_csv([]))[0]
    assert header == [
        "annotation_id",
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
        "reviewed_at",
        "review_note",
        "source_ids",
        "source_citations",
        "created_at",
        "updated_at",
        "verdict",
        "verdict_value",
        "verdict_summary",
        "verdict_status",
    ]


def test_a_row_holds_every_field_with_times_in_utc():
    tokyo = timezone(timedelta(hours=9))
    mark = record(
        status="accepted",
        reviewer="rev",
        reviewed_at=datetime(2024, 3, 2, 9, 0, tzinfo=tokyo),
        review_note="fine",
        citations=(CitationRecord(GETTY, "pp. 113-138"), CitationRecord(SPEECH)),
    )
    row = row_of(mark)
    assert row["reviewed_at"] == "2024-03-02T00:00:00Z"
    assert row["created_at"] == row["updated_at"] == "2024-03-01T10:15:00Z"
    assert row["source_ids"] == "7 | 9"
    assert row["source_citations"] == (
        "Getty, J. Arch (1985). Origins of the Great Purges. doi:10.1017/CBO9780511572616, pp. 113-138"
        " | Stalin, J. V. (1937). Collected Works, Vol. 14"
    )
    assert (row["start"], row["end"], row["exact"], row["label"], row["status"]) == (
        "10",
        "20",
        "mass terror",
        "claim",
        "accepted",
    )


def test_a_mark_without_review_or_sources_leaves_those_cells_empty():
    row = row_of(record())
    assert [row[k] for k in ("reviewer", "reviewed_at", "review_note", "source_ids", "source_citations")] == [""] * 5


def test_a_source_cited_by_many_marks_is_written_the_same_each_time_and_never_confused_with_another():
    # The writers work out a source's text once per record (by identity): another record under the same id is
    # another source.
    impostor = SourceRecord(id=7, title="Another title under the same id", url="https://example.org/a")
    batch = [
        record(annotation_id=1, citations=(CitationRecord(GETTY, "p. 1"), CitationRecord(impostor))),
        record(annotation_id=2, citations=(CitationRecord(GETTY, "", "=a note"),)),
        record(annotation_id=3, citations=(CitationRecord(impostor, "-5"),)),
    ]
    getty = "Getty, J. Arch (1985). Origins of the Great Purges. doi:10.1017/CBO9780511572616"
    rows = [dict(zip(CSV_HEADER, row)) for row in rows_of(marks_csv(batch, raw=True))[1:]]
    assert [row["source_citations"] for row in rows] == [
        f"{getty}, p. 1 | Another title under the same id",
        getty,
        "Another title under the same id, -5",
    ]
    items = [json.loads(item) for item in writers.jsonld_marks(map(as_row, batch), ADDRESSES)]
    assert [[body["source"]["id"] for body in item["body"][1:]] for item in items] == [
        ["https://doi.org/10.1017/CBO9780511572616", "https://example.org/a"],
        ["https://doi.org/10.1017/CBO9780511572616"],
        ["https://example.org/a"],
    ]
    assert items[1]["body"][1]["citationNote"] == "=a note" and items[2]["body"][1]["locator"] == "-5"
    assert items[2]["body"][1]["source"]["label"] == "Another title under the same id"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "'=already"])
def test_formula_like_cells_get_an_apostrophe_unless_raw(cell):
    mark = record(note=cell)
    assert row_of(mark)["note"] == "'" + cell
    assert row_of(mark, raw=True)["note"] == cell
    assert spreadsheet_unsafe(spreadsheet_safe(cell)) == cell


@pytest.mark.parametrize("cell", ["plain", "a=b", " =x", "", "'quoted'", "’curly"])
def test_other_cells_are_left_alone(cell):
    assert spreadsheet_safe(cell) == (cell if not cell.startswith("'") else "'" + cell)
    assert spreadsheet_unsafe(spreadsheet_safe(cell)) == cell


NASTY = [
    record(annotation_id=1, note='He said "no", then left.\nNext line,\r\nand a CRLF', exact="line one\nline two"),
    record(annotation_id=2, note='=HYPERLINK("http://evil")', review_note="@admin -1", exact="-5 degrees"),
    record(annotation_id=3, note="", exact="😀 “quoted”, commas, 'apostrophes'", prefix="\u00a0", suffix="\u0301"),
]


@pytest.mark.parametrize("raw", [True, False])
def test_python_csv_and_pandas_read_the_same_rows_back(raw):
    text = marks_csv(NASTY, raw=raw)
    with_csv = rows_of(text)
    frame = pandas.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(frame.columns) == with_csv[0] == CSV_HEADER
    assert frame.values.tolist() == with_csv[1:]
    notes = [row[CSV_HEADER.index("note")] for row in with_csv[1:]]
    assert notes == [mark.note if raw else readme_safe(mark.note) for mark in NASTY]
    assert [spreadsheet_unsafe(note) for note in notes] == [mark.note for mark in NASTY]


def test_csv_lines_end_in_crlf_and_text_is_utf8_clean():
    text = marks_csv([record()])
    assert text.endswith("\r\n")
    assert text.encode("utf-8").decode("utf-8") == text


def test_the_csv_is_written_as_it_is_read():
    endless = (as_row(record(annotation_id=i)) for i in itertools.count(1))
    first = list(itertools.islice(writers.marks_csv(endless), 3))
    assert len(first) == 3 and first[2].startswith("2,")
    chunk = next(buffered(writers.marks_csv(as_row(record(annotation_id=i)) for i in itertools.count(1))))
    assert 64 * 1024 <= len(chunk) < 65 * 1024  # lines go out in chunks of about 64 KiB


def test_the_jsonld_is_written_as_it_is_read():
    endless = (as_row(record(annotation_id=i)) for i in itertools.count(1))
    pieces = writers.jsonld(endless, total=10**9, collection_id="https://a.example/c", label="x", addresses=ADDRESSES)
    head, first, second = itertools.islice(pieces, 3)
    assert '"total": 1000000000' in head and '"id": "https://annotator.example.org/annotations/2/"' in second


def test_source_citation_shapes():
    assert source_citation(SourceRecord(id=1, title="Untitled memo")) == "Untitled memo"
    assert source_citation(SourceRecord(id=1, title="Report", issued="1956")) == "(1956). Report"
    assert (
        source_citation(
            SourceRecord(
                id=1, title="Diary", authors=[{"literal": "NKVD"}, {"family": "Ezhov"}], container_title="Archive"
            )
        )
        == "NKVD; Ezhov. Diary. Archive"
    )


def test_iso_utc_refuses_naive_times():
    with pytest.raises(ValueError):
        iso_utc(datetime(2024, 1, 1))


# JSON-LD --------------------------------------------------------------------------------------------------------


def test_a_mark_in_jsonld_has_label_note_sources_and_both_selectors():
    mark = record(
        note="Getty's reading",
        status="accepted",
        reviewer="rev",
        reviewed_at=WHEN,
        review_note="ok",
        citations=(CitationRecord(GETTY, "pp. 113-138", "central"), CitationRecord(SPEECH)),
    )
    item = jsonld_item(mark)
    assert item["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert item["id"] == "https://annotator.example.org/annotations/42/"
    assert (item["type"], item["motivation"], item["creator"]) == (
        "Annotation",
        "tagging",
        {"type": "Person", "nickname": "ann"},
    )
    assert item["created"] == item["modified"] == "2024-03-01T10:15:00Z"
    tag, note, getty, speech = item["body"]
    assert tag == {"type": "TextualBody", "purpose": "tagging", "value": "claim", "format": "text/plain"}
    assert note == {"type": "TextualBody", "purpose": "commenting", "value": "Getty's reading", "format": "text/plain"}
    assert getty["source"]["id"] == "https://doi.org/10.1017/CBO9780511572616"
    assert (getty["type"], getty["purpose"], getty["locator"], getty["citationNote"]) == (
        "SpecificResource",
        "linking",
        "pp. 113-138",
        "central",
    )
    assert getty["source"]["label"] == source_citation(GETTY) and getty["source"]["type"] == "Text"
    assert getty["source"]["csl"]["issued"] == {"date-parts": [[1985]]}
    assert speech["source"]["id"] == "https://annotator.example.org/sources/9/"
    assert "locator" not in speech and "citationNote" not in speech
    target = item["target"]
    assert target["type"] == "SpecificResource"
    assert target["source"] == {
        "id": "https://annotator.example.org/documents/3/versions/1/",
        "type": "Text",
        "format": "text/plain",
        "label": "Did Stalin Want “Mass\u00a0Terror?”",
    }
    assert target["selector"] == [
        {"type": "TextPositionSelector", "start": 10, "end": 20},
        {"type": "TextQuoteSelector", "exact": "mass terror", "prefix": "Did Stalin want “", "suffix": "”? 😀 The"},
    ]
    assert (item["project"], item["reviewStatus"], item["reviewer"]["nickname"], item["reviewNote"]) == (
        "Purge project",
        "accepted",
        "rev",
        "ok",
    )
    assert item["reviewed"] == "2024-03-01T10:15:00Z"


def test_a_mark_without_note_review_or_times_has_only_its_label_as_body():
    item = jsonld_item(record(created_at=None, updated_at=None))
    assert [b["purpose"] for b in item["body"]] == ["tagging"]
    assert not {"reviewer", "reviewed", "reviewNote", "created", "modified"} & set(item)


def test_a_mark_on_an_earlier_version_names_that_version():
    assert (
        jsonld_item(record(version=3))["target"]["source"]["id"]
        == "https://annotator.example.org/documents/3/versions/3/"
    )


def test_the_jsonld_collection_parses_and_counts_its_items():
    text = "".join(
        writers.jsonld(
            map(as_row, NASTY), total=3, collection_id="https://a.example/c", label="All", addresses=ADDRESSES
        )
    )
    collection = json.loads(text)
    assert (collection["type"], collection["total"], collection["label"]) == ("AnnotationCollection", 3, "All")
    page = collection["first"]
    assert (page["id"], page["type"], page["partOf"], page["startIndex"]) == (
        "https://a.example/c#page1",
        "AnnotationPage",
        "https://a.example/c",
        0,
    )
    assert [item["id"].rsplit("/", 2)[1] for item in page["items"]] == ["1", "2", "3"]
    assert page["items"][0]["target"]["selector"][1]["exact"] == "line one\nline two"


def test_an_empty_jsonld_collection_is_valid_json():
    collection = json.loads(
        "".join(writers.jsonld([], total=0, collection_id="https://a.example/c", label="x", addresses=ADDRESSES))
    )
    assert collection["first"]["items"] == []


WHEN_LINKED = datetime(2026, 11, 23, 19, 5, 1, tzinfo=UTC)


def link(
    pk=7,
    key="supports",
    to=12,
    note="see p. 3",
    author="ann",
    status="pending",
    created=WHEN_LINKED,
    source=None,
    speaker="",
    doi=None,
    url=None,
) -> tuple:
    """A link as query.links_of gives it."""
    return (pk, key, 11, to, note, author, status, created, source, speaker, doi, url)


def test_a_link_in_jsonld_classifies_comments_and_targets_both_marks():
    item = writers.jsonld_link(link(note="=1+1", status="accepted"), ADDRESSES)
    assert item == {
        "@context": JSONLD_CONTEXT,
        "id": "https://annotator.example.org/links/7/",
        "type": "Annotation",
        "motivation": "linking",
        "creator": {"type": "Person", "nickname": "ann"},
        "created": "2026-11-23T19:05:01Z",
        "body": [
            {"type": "TextualBody", "purpose": "classifying", "value": "supports", "format": "text/plain"},
            {"type": "TextualBody", "purpose": "commenting", "value": "=1+1", "format": "text/plain"},
        ],
        "target": ["https://annotator.example.org/annotations/11/", "https://annotator.example.org/annotations/12/"],
        "reviewStatus": "accepted",
    }


def test_a_link_to_a_source_names_it_as_citations_do_and_one_to_a_speaker_identifies_them():
    wiley = "10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0"
    targets = [
        writers.jsonld_link(link(to=None, source=5, doi=doi, url=url), ADDRESSES)["target"]
        for doi, url in [(wiley, ""), ("", "https://example.org/a?b=c"), ("", "")]
    ]
    assert [t[-1] for t in targets] == [
        "https://doi.org/10.1002/(sici)1097-4571(199806)49:8%3C693::aid-asi4%3E3.0.co;2-0",
        "https://example.org/a?b=c",
        "https://annotator.example.org/sources/5/",
    ]
    speaker = writers.jsonld_link(link(to=None, note="", speaker="J. V. Stalin"), ADDRESSES)
    assert speaker["target"] == ["https://annotator.example.org/annotations/11/"]
    assert speaker["body"][1] == {
        "type": "TextualBody",
        "purpose": "identifying",
        "value": "J. V. Stalin",
        "format": "text/plain",
    }


def test_links_follow_the_marks_in_the_collection_and_count_in_its_total():
    collection = json.loads(
        "".join(
            writers.jsonld(
                [as_row(record())],
                [link()],
                total=2,
                collection_id="https://a.example/c",
                label="x",
                addresses=ADDRESSES,
            )
        )
    )
    assert [item["motivation"] for item in collection["first"]["items"]] == ["tagging", "linking"]


# The links CSV ----------------------------------------------------------------------------------------------------


def links_rows(links, raw=False) -> list[list[str]]:
    return rows_of("".join(writers.links_csv(links, raw=raw)))


def test_the_links_header_is_the_documented_one_and_comes_first():
    assert links_rows([]) == [
        [
            "link_id",
            "type",
            "from_annotation_id",
            "to_annotation_id",
            "note",
            "author",
            "status",
            "created_at",
            "to_source_id",
            "speaker",
        ]
    ]
    assert LINK_HEADER == links_rows([link()])[0] == links_rows([], raw=True)[0]


def test_a_link_row_names_the_type_by_key_the_author_by_username_and_the_time_in_utc():
    cet = timezone(timedelta(hours=1))
    rows = links_rows([link(created=datetime(2026, 11, 23, 20, 5, 1, tzinfo=cet))])
    assert rows[1] == ["7", "supports", "11", "12", "see p. 3", "ann", "pending", "2026-11-23T19:05:01Z", "", ""]


def test_a_link_to_a_source_or_speaker_has_no_target_mark_and_names_its_target():
    to_source = links_rows([link(key="attributed-to", to=None, source=5)])[1]
    to_speaker = links_rows([link(key="attributed-to", to=None, speaker="J. V. Stalin")])[1]
    assert (to_source[3], to_source[8], to_source[9]) == ("", "5", "")
    assert (to_speaker[3], to_speaker[8], to_speaker[9]) == ("", "", "J. V. Stalin")


def test_link_cells_are_neutralised_as_in_the_marks_csv_unless_raw():
    formula = link(note='=HYPERLINK("http://x")', author="@bob")
    assert links_rows([formula])[1][4:6] == ['\'=HYPERLINK("http://x")', "'@bob"]
    assert links_rows([formula], raw=True)[1][4:6] == ['=HYPERLINK("http://x")', "@bob"]
    # An apostrophe of the author's own is doubled, so that undoing the escape never guesses.
    assert links_rows([link(note="'tis so")])[1][4] == "''tis so"


def test_link_rows_survive_a_csv_round_trip_with_commas_quotes_and_newlines():
    note = 'He said "no", twice;\nthen\u00a0yes 😀'
    assert links_rows([link(note=note)])[1][4] == note
