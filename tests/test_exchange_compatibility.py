"""Today's writers write the files of tests/data/exchange byte for byte: what the writers before the exchange package
wrote for the same marks and links (tests/exchange_fixture.py), so no reader of our files notices the change. Issue 24
added a claim's verdict: four columns at the end of the marks CSV, four terms in the JSON-LD's context (the files were
written again then; a reader reads columns by name, and old files without them still import)."""

from pathlib import Path

import pytest

from annotator.exchange import writers
from annotator.exchange.records import Addresses, CitationRecord, MarkRecord, SourceRecord, as_row

from . import exchange_fixture as fx

DATA = Path(__file__).resolve().parent / "data" / "exchange"


def rows() -> list[tuple]:
    """The fixture's marks as the query hands them out: tuples, one SourceRecord per source."""
    sources: dict[int, SourceRecord] = {}

    def source(fields: dict) -> SourceRecord:
        return sources.setdefault(id(fields), SourceRecord(**fields))

    return [
        as_row(
            MarkRecord(
                **{
                    **mark,
                    "citations": tuple(
                        CitationRecord(source(fields), locator, note) for fields, locator, note in mark["citations"]
                    ),
                }
            )
        )
        for mark in fx.MARKS
    ]


def written(chunks) -> bytes:
    return "".join(chunks).encode("utf-8")


@pytest.mark.parametrize("raw,name", [(False, "marks.csv"), (True, "marks-raw.csv")])
def test_the_marks_csv_is_what_it_was(raw, name):
    assert written(writers.marks_csv(rows(), raw=raw)) == (DATA / name).read_bytes()


@pytest.mark.parametrize("raw,name", [(False, "links.csv"), (True, "links-raw.csv")])
def test_the_links_csv_is_what_it_was(raw, name):
    assert written(writers.links_csv(fx.LINKS, raw=raw)) == (DATA / name).read_bytes()


def test_the_jsonld_is_what_it_was():
    chunks = writers.jsonld(
        rows(),
        fx.LINKS,
        total=len(fx.MARKS) + len(fx.LINKS),
        collection_id=fx.COLLECTION_ID,
        label=fx.LABEL,
        addresses=Addresses(fx.BASE),
    )
    assert written(chunks) == (DATA / "marks.jsonld").read_bytes()
