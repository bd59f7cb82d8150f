"""Reading marks and links for export (exchange.query), and the one entry point (exchange.export) that the web
download, the admin's actions and the command share: what they write is what the writers write of the marks as
their model instances say, one attribute at a time."""

import json
from dataclasses import fields, replace

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotator import exchange, services
from annotator.exchange import query, writers
from annotator.exchange.records import Addresses, CitationRecord, MarkRecord, SourceRecord, as_row, iso_utc
from annotator.models import Annotation, Link
from annotator.services import links as link_services

from .conftest import client_for
from .factories import CitationFactory, SourceFactory, UserFactory

ADDRESSES = Addresses("https://annotator.example.org")


def test_the_export_columns_follow_the_records_fields():
    named = [f.name for f in fields(MarkRecord) if f.name != "citations"]
    assert list(query.MARK_COLUMNS) == named


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
        made.append(
            MarkRecord(
                annotation_id=a.pk,
                project=a.span.document.project.name,
                document_id=a.span.document_id,
                document_title=a.span.document.title,
                start=a.span.start,
                end=a.span.end,
                exact=a.span.exact,
                prefix=a.span.prefix,
                suffix=a.span.suffix,
                label=a.label.key,
                note=a.note,
                annotator=a.created_by.username,
                status=a.status,
                reviewer=a.reviewed_by.username if a.reviewed_by else "",
                reviewed_at=a.reviewed_at,
                review_note=a.review_note,
                citations=citations,
                created_at=a.created_at,
                updated_at=a.updated_at,
                version=a.span.version,
            )
        )
    return made


def _mark_up(document, annotator, annotator2, reviewer, labels):
    text = document.text
    spots = [
        (0, 3, annotator, "claim", "=1+1"),
        (4, 10, annotator, "evidence", ""),
        (4, 10, annotator2, "claim", "x"),
        (11, 29, annotator2, "quotation", 'line\nbreak, "quoted"'),
        (31, 32, annotator, "claim", ""),
    ]
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
    CitationFactory(
        annotation=made[4], source=SourceFactory(project=document.project, url="https://e.org/x", issued="")
    )


def test_rows_from_the_database_are_the_records_made_by_hand(document, annotator, annotator2, reviewer, labels):
    _mark_up(document, annotator, annotator2, reviewer, labels)
    annotations = query.marks(query.ExportFilter(project_id=document.project_id))
    made = [to_the_second(record) for record in by_hand(annotations)]
    assert [to_the_second(MarkRecord(*row)) for row in query.rows(annotations, chunk_size=2)] == made
    assert [to_the_second(MarkRecord(*row)) for row in query.rows(annotations)] == made


def to_the_second(record: MarkRecord) -> MarkRecord:
    """The record with its times as every writer writes them (rows() reads them as the database's text)."""
    return replace(
        record,
        reviewed_at=iso_utc(record.reviewed_at),
        created_at=iso_utc(record.created_at),
        updated_at=iso_utc(record.updated_at),
    )


def test_times_read_as_text_are_written_as_the_datetimes_were(document, annotator, reviewer, labels):
    _mark_up(document, annotator, annotator, reviewer, labels)
    for record, row in zip(by_hand(Annotation.objects.all()), query.rows(Annotation.objects.all()), strict=True):
        as_text = MarkRecord(*row)
        assert isinstance(as_text.created_at, str)
        assert iso_utc(as_text.created_at) == iso_utc(record.created_at)
        assert iso_utc(as_text.reviewed_at) == iso_utc(record.reviewed_at)
    with pytest.raises(ValueError):
        iso_utc("2024-03-01 10:15:00+02")  # not UTC


def test_rows_hand_out_one_source_record_per_source(document, annotator, annotator2, reviewer, labels):
    # The writers work out a source's text once per record: the query must not make one per citation.
    _mark_up(document, annotator, annotator2, reviewer, labels)
    cited = [
        c.source for row in query.rows(Annotation.objects.all()) for c in row[query.MARK_FIELDS.index("citations")]
    ]
    assert len({id(source) for source in cited}) == len({source.id for source in cited}) < len(cited)


def written_csv(records, raw):
    return "".join(writers.marks_csv(map(as_row, records), raw=raw))


def written_items(records, addresses=ADDRESSES):
    return list(writers.jsonld_marks(map(as_row, records), addresses))


def test_the_downloads_the_admin_and_the_command_write_the_marks_as_their_instances_say(
    document, annotator, annotator2, reviewer, labels, tmp_path
):
    _mark_up(document, annotator, annotator2, reviewer, labels)
    made = by_hand(Annotation.objects.all())
    client = client_for(annotator)
    staff = client_for(UserFactory(username="staff", is_staff=True, is_superuser=True))
    url = reverse("project_export", args=[document.project_id])
    for raw in (False, True):
        params = {"format": "csv", **({"raw": "on"} if raw else {})}
        body = b"".join(client.get(url, params).streaming_content).decode("utf-8")
        assert body == written_csv(made, raw)
        out = tmp_path / f"marks-{raw}.csv"
        call_command("export_annotations", output=str(out), **({"raw": True} if raw else {}))
        assert out.read_bytes().decode("utf-8") == written_csv(made, raw)
    selected = staff.post(
        reverse("admin:annotator_annotation_changelist"),
        {"action": "export_selected_csv", "_selected_action": [m.annotation_id for m in made]},
    )
    assert b"".join(selected.streaming_content).decode("utf-8") == written_csv(made, raw=False)
    collection = json.loads(b"".join(client.get(url, {"format": "jsonld"}).streaming_content))
    addresses = Addresses("http://testserver")
    assert collection["first"]["items"] == [json.loads(item) for item in written_items(made, addresses)]
    out = tmp_path / "marks.jsonld"
    call_command("export_annotations", format="jsonld", output=str(out), base_url="https://annotator.example.org")
    text = out.read_text(encoding="utf-8")
    items = text[text.index('"items": [\n') + len('"items": [\n') : text.rindex("\n]}")].split(",\n")
    assert items == written_items(made)


def test_the_entry_point_refuses_what_it_cannot_write_before_reading_anything(document, django_assert_num_queries):
    earlier = query.EarlierVersion(document, 1, document.text)
    with django_assert_num_queries(0):
        with pytest.raises(ValueError, match="No export format “xml”"):
            exchange.export(Annotation.objects.all(), "xml")
        with pytest.raises(ValueError, match="current version only"):
            exchange.export(earlier, "links-csv")


def test_link_tuples_from_the_database_are_the_links_as_their_instances_say(
    document, annotator, annotator2, reviewer, labels
):
    _mark_up(document, annotator, annotator2, reviewer, labels)
    marks = list(Annotation.objects.order_by("pk"))
    types = {t.key: t for t in document.project.link_types.all()}
    with_doi = SourceFactory(
        project=document.project, doi="10.1002/(sici)1097-4571(199806)49:8<693::aid-asi4>3.0.co;2-0"
    )
    with_url = SourceFactory(project=document.project, url="https://example.org/a?b=c")
    made = [
        link_services.create_link(
            user=annotator, from_annotation=marks[1], type=types["supports"], to_annotation=marks[0], note="=1+1"
        ),
        link_services.create_link(
            user=annotator2, from_annotation=marks[3], type=types["attributed-to"], to_source=with_doi
        ),
        link_services.create_link(
            user=annotator2, from_annotation=marks[3], type=types["attributed-to"], to_source=with_url
        ),
        link_services.create_link(
            user=annotator2, from_annotation=marks[3], type=types["attributed-to"], speaker="@Stalin"
        ),
    ]
    link_services.review_link(user=reviewer, link=made[0], status="accepted")
    by_hand = [
        (
            link.pk,
            link.type.key,
            link.from_annotation_id,
            link.to_annotation_id,
            link.note,
            link.created_by.username,
            link.status,
            link.created_at,
            link.to_source_id,
            link.speaker,
            link.to_source and link.to_source.doi,
            link.to_source and link.to_source.url,
        )
        for link in Link.objects.select_related("type", "created_by", "to_source").order_by("pk")
    ]
    assert by_hand[0][6] == "accepted"
    assert list(query.links_of(Annotation.objects.all())) == by_hand


def test_the_links_of_a_selection_are_those_between_its_marks_or_to_a_source_or_speaker_in_one_query(
    project, document, annotator, labels, django_assert_num_queries
):
    types = {t.key: t for t in project.link_types.all()}
    claim = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    evidence = [
        services.annotate(
            user=annotator,
            document=document,
            start=i,
            end=i + 3,
            exact=document.text[i : i + 3],
            label=labels["evidence"],
        )
        for i in range(4, 7)
    ]
    for mark in evidence:
        link_services.create_link(user=annotator, from_annotation=mark, type=types["supports"], to_annotation=claim)
    quote = services.annotate(
        user=annotator, document=document, start=8, end=12, exact=document.text[8:12], label=labels["quotation"]
    )
    said = link_services.create_link(user=annotator, from_annotation=quote, type=types["attributed-to"], speaker="X")
    with django_assert_num_queries(1):
        found = list(query.links_of(Annotation.objects.all()))
    assert [row[:4] for row in found] == [
        (link.pk, "supports", mark.pk, claim.pk)
        for link, mark in zip(Link.objects.filter(type__key="supports").order_by("pk"), evidence)
    ] + [(said.pk, "attributed-to", quote.pk, None)]
    # Leaving out the claim leaves out the links to it, not the one to a speaker.
    assert [row[0] for row in query.links_of(Annotation.objects.exclude(pk=claim.pk))] == [said.pk]
