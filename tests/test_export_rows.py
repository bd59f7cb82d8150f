"""The exports' fast path (export_query.rows, export_rows) writes what the plain definitions write, byte for byte.

The definitions: exports.csv_cells and exports.jsonld_annotation on a MarkRecord, written with csv.writer
and json.dumps; and, for the database side, records made by hand from model instances.
"""
import csv
import io
import json
from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone

from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import export_query, export_rows, exports, links_export, services
from annotator.exports import CitationRecord, MarkRecord, SourceRecord
from annotator.models import Annotation
from annotator.services import links as link_services

from .conftest import client_for
from .factories import CitationFactory, SourceFactory
from .test_w3c_jsonld import marks

ADDRESSES = exports.Addresses("https://annotator.example.org")


def reference_csv(records, raw):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(exports.CSV_HEADER)
    for record in records:
        writer.writerow(exports.csv_cells(record, raw))
    return out.getvalue()


def reference_items(records, addresses=ADDRESSES):
    return [json.dumps(exports.jsonld_annotation(record, addresses), ensure_ascii=False) for record in records]


def fast_csv(records, raw):
    return "".join(export_rows.stream_csv([exports.as_row(r) for r in records], raw=raw))


def fast_items(records, addresses=ADDRESSES):
    return list(export_rows.jsonld_items([exports.as_row(r) for r in records], addresses))


zones = st.sampled_from([timezone.utc, timezone(timedelta(hours=9)), timezone(timedelta(hours=-5, minutes=-30))])
moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones)


@settings(max_examples=150, deadline=None)
@given(st.lists(marks(), max_size=4), st.booleans())
def test_the_fast_csv_is_the_csv_that_csv_cells_defines(batch, raw):
    assert fast_csv(batch, raw) == reference_csv(batch, raw)


@settings(max_examples=150, deadline=None)
@given(st.lists(marks(), max_size=4))
def test_the_fast_jsonld_items_are_what_jsonld_annotation_defines(batch):
    assert fast_items(batch) == reference_items(batch)


@settings(max_examples=100, deadline=None)
@given(marks(), moments, st.none() | moments, moments)
def test_times_in_any_zone_are_written_in_utc_by_both(mark, created, reviewed, updated):
    mark = replace(mark, created_at=created, reviewed_at=reviewed, updated_at=updated)
    assert fast_csv([mark], False) == reference_csv([mark], False)
    assert fast_items([mark]) == reference_items([mark])


def test_a_source_shared_by_marks_is_written_once_worked_out_and_never_confused_with_another():
    getty = SourceRecord(id=7, title="Origins", authors=[{"family": "Getty", "given": "J. Arch"}], issued="1985", doi="10.1/x")
    impostor = SourceRecord(id=7, title="Another title under the same id", url="https://example.org/a")
    base = MarkRecord(
        annotation_id=1, project="P", document_id=2, document_title="D", start=0, end=3, exact="abc", prefix="",
        suffix="", label="claim", note="", annotator="ann", status="pending", reviewer="", reviewed_at=None,
        review_note="", created_at=datetime(2024, 3, 1, tzinfo=timezone.utc), updated_at=None,
    )
    batch = [
        replace(base, annotation_id=1, citations=(CitationRecord(getty, "p. 1"), CitationRecord(impostor))),
        replace(base, annotation_id=2, citations=(CitationRecord(getty, "", "=a note"),)),
        replace(base, annotation_id=3, citations=(CitationRecord(impostor, "-5"),)),
    ]
    for raw in (True, False):
        assert fast_csv(batch, raw) == reference_csv(batch, raw)
    assert fast_items(batch) == reference_items(batch)
    assert "Another title" in fast_items(batch)[2]


def test_the_export_columns_follow_the_records_fields():
    named = [f.name for f in fields(MarkRecord) if f.name != "citations"]
    assert list(export_query._FIELDS) == named
    assert export_query._SOURCE_FIELDS == [f.name for f in fields(SourceRecord)]


# From the database: the rows against records made by hand from model instances ---------------------------


def by_hand(annotations) -> list[MarkRecord]:
    """The straightforward way: model instances, one attribute at a time."""
    made = []
    for a in annotations.select_related("span__document__project", "label", "created_by", "reviewed_by").order_by("pk"):
        citations = tuple(
            CitationRecord(
                SourceRecord(**{f.name: getattr(c.source, f.name) for f in fields(SourceRecord)}), c.locator, c.note
            )
            for c in a.citations.select_related("source").order_by("id")
        )
        made.append(MarkRecord(
            annotation_id=a.pk, project=a.span.document.project.name, document_id=a.span.document_id,
            document_title=a.span.document.title, start=a.span.start, end=a.span.end, exact=a.span.exact,
            prefix=a.span.prefix, suffix=a.span.suffix, label=a.label.key, note=a.note,
            annotator=a.created_by.username, status=a.status,
            reviewer=a.reviewed_by.username if a.reviewed_by else "", reviewed_at=a.reviewed_at,
            review_note=a.review_note, citations=citations, created_at=a.created_at, updated_at=a.updated_at,
            version=a.span.version,
        ))
    return made


def _mark_up(document, annotator, annotator2, reviewer, labels):
    text = document.text
    spots = [(0, 3, annotator, "claim", "=1+1"), (4, 10, annotator, "evidence", ""), (4, 10, annotator2, "claim", "x"),
             (11, 29, annotator2, "quotation", "line\nbreak, \"quoted\""), (31, 32, annotator, "claim", "")]
    made = [
        services.annotate(user=user, document=document, start=s, end=e, exact=text[s:e], label=labels[key], note=note)
        for s, e, user, key, note in spots
    ]
    services.review_annotation(user=reviewer, annotation=made[0], status="accepted", note="@fine")
    services.review_annotation(user=reviewer, annotation=made[3], status="rejected")
    shared = SourceFactory(project=document.project, doi="10.1017/CBO9780511572616", title="Origins")
    CitationFactory(annotation=made[0], source=shared, locator="p. 5")
    CitationFactory(annotation=made[0], source=SourceFactory(project=document.project, issued="1937-03"), locator="")
    CitationFactory(annotation=made[3], source=shared, locator="pp. 113-138", note="=note")
    CitationFactory(annotation=made[4], source=SourceFactory(project=document.project, url="https://e.org/x", issued=""))


def test_rows_from_the_database_are_the_records_made_by_hand(document, annotator, annotator2, reviewer, labels):
    _mark_up(document, annotator, annotator2, reviewer, labels)
    annotations = export_query.marks(export_query.ExportFilter(project_id=document.project_id))
    made = by_hand(annotations)
    assert [MarkRecord(*row) for row in export_query.rows(annotations, chunk_size=2)] == made
    assert list(export_query.records(annotations)) == made


def test_the_downloads_and_the_command_write_what_the_definitions_write(document, annotator, annotator2, reviewer, labels, tmp_path):
    _mark_up(document, annotator, annotator2, reviewer, labels)
    made = by_hand(Annotation.objects.all())
    client = client_for(annotator)
    url = reverse("project_export", args=[document.project_id])
    for raw in (False, True):
        params = {"format": "csv", **({"raw": "on"} if raw else {})}
        body = b"".join(client.get(url, params).streaming_content).decode("utf-8")
        assert body == reference_csv(made, raw)
        out = tmp_path / f"marks-{raw}.csv"
        call_command("export_annotations", output=str(out), **({"raw": True} if raw else {}))
        assert out.read_bytes().decode("utf-8") == reference_csv(made, raw)
    collection = json.loads(b"".join(client.get(url, {"format": "jsonld"}).streaming_content))
    addresses = exports.Addresses("http://testserver")
    assert collection["first"]["items"] == [json.loads(item) for item in reference_items(made, addresses)]
    out = tmp_path / "marks.jsonld"
    call_command("export_annotations", format="jsonld", output=str(out), base_url="https://annotator.example.org")
    text = out.read_text(encoding="utf-8")
    items = text[text.index('"items": [\n') + len('"items": [\n') : text.rindex("\n]}")].split(",\n")
    assert items == reference_items(made)


def test_link_tuples_from_the_database_are_the_links_as_their_instances_say(document, annotator, annotator2, reviewer, labels):
    _mark_up(document, annotator, annotator2, reviewer, labels)
    marks = list(Annotation.objects.order_by("pk"))
    types = {t.key: t for t in document.project.link_types.all()}
    with_doi = SourceFactory(project=document.project, doi="10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0")
    with_url = SourceFactory(project=document.project, url="https://example.org/a?b=c")
    made = [
        link_services.create_link(user=annotator, from_annotation=marks[1], type=types["supports"], to_annotation=marks[0], note="=1+1"),
        link_services.create_link(user=annotator2, from_annotation=marks[3], type=types["attributed-to"], to_source=with_doi),
        link_services.create_link(user=annotator2, from_annotation=marks[3], type=types["attributed-to"], to_source=with_url),
        link_services.create_link(user=annotator2, from_annotation=marks[3], type=types["attributed-to"], speaker="@Stalin"),
    ]
    link_services.review_link(user=reviewer, link=made[0], status="accepted")
    links = links_export.links_of(Annotation.objects.all())
    instances = list(links)
    values = list(links_export.link_values(links))
    assert [v[:10] for v in values] == [links_export._values_of(link) for link in instances]
    assert [links_export.jsonld_link_of(v, ADDRESSES) for v in values] == [links_export.jsonld_link(link, ADDRESSES) for link in instances]
    for raw in (True, False):
        assert list(links_export.value_rows(values, raw=raw)) == list(links_export.link_rows(instances, raw=raw))
    iris = [links_export.jsonld_link_of(v, ADDRESSES)["target"][-1] for v in values[1:3]]
    assert iris == ["https://doi.org/" + "10.1002/(sici)1097-4571(199806)49:8%3C693::aid-asi4%3E3.0.co;2-0", "https://example.org/a?b=c"]
