"""link_rows: the links CSV's header and rows, without a database."""
import csv
import io
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from annotator.links_export import LINK_HEADER, link_rows


def fake_link(pk=7, key="supports", to=12, note="see p. 3", username="ann", status="pending", created=None,
              source=None, speaker=""):
    return SimpleNamespace(
        pk=pk, type=SimpleNamespace(key=key), from_annotation_id=11, to_annotation_id=to, note=note,
        to_source_id=source, speaker=speaker,
        created_by=SimpleNamespace(get_username=lambda: username), status=status,
        created_at=created or datetime(2026, 11, 23, 19, 5, 1, tzinfo=timezone.utc),
    )


def test_the_header_is_the_documented_one_and_comes_first():
    assert next(link_rows([])) == [
        "link_id", "type", "from_annotation_id", "to_annotation_id", "note", "author", "status", "created_at",
        "to_source_id", "speaker",
    ]
    assert LINK_HEADER == next(link_rows([fake_link()])) == next(link_rows([], raw=True))


def test_a_row_names_the_type_by_key_the_author_by_username_and_the_time_in_utc():
    cet = timezone(timedelta(hours=1))
    rows = list(link_rows([fake_link(created=datetime(2026, 11, 23, 20, 5, 1, tzinfo=cet))]))
    assert rows[1] == ["7", "supports", "11", "12", "see p. 3", "ann", "pending", "2026-11-23T19:05:01Z", "", ""]


def test_a_link_to_a_source_or_speaker_has_no_target_mark_and_names_its_target():
    to_source = list(link_rows([fake_link(key="attributed-to", to=None, source=5)]))[1]
    to_speaker = list(link_rows([fake_link(key="attributed-to", to=None, speaker="J. V. Stalin")]))[1]
    assert (to_source[3], to_source[8], to_source[9]) == ("", "5", "")
    assert (to_speaker[3], to_speaker[8], to_speaker[9]) == ("", "", "J. V. Stalin")


def test_formula_cells_are_neutralised_as_in_the_marks_csv_unless_raw():
    link = fake_link(note="=HYPERLINK(\"http://x\")", username="@bob")
    assert list(link_rows([link]))[1][4:6] == ["'=HYPERLINK(\"http://x\")", "'@bob"]
    assert list(link_rows([link], raw=True))[1][4:6] == ["=HYPERLINK(\"http://x\")", "@bob"]
    # An apostrophe of the author's own is doubled, so that undoing the escape never guesses.
    assert list(link_rows([fake_link(note="'tis so")]))[1][4] == "''tis so"


def test_rows_of_real_links_take_one_query(project, document, annotator, labels, django_assert_num_queries):
    from annotator import services
    from annotator.models import Link, LinkType
    from annotator.services.links import create_link

    claim = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    for i in range(4, 7):
        evidence = services.annotate(user=annotator, document=document, start=i, end=i + 3, exact=document.text[i:i + 3], label=labels["evidence"])
        create_link(user=annotator, from_annotation=evidence, type=LinkType.objects.get(project=project, key="supports"), to_annotation=claim)
    with django_assert_num_queries(1):
        rows = list(link_rows(Link.objects.select_related("type", "created_by").order_by("pk")))
    assert [row[1:4] for row in rows[1:]] == [["supports", str(pk), str(claim.pk)] for pk in Link.objects.order_by("pk").values_list("from_annotation_id", flat=True)]


def test_rows_survive_a_csv_round_trip_with_commas_quotes_and_newlines():
    note = 'He said "no", twice;\nthen\u00a0yes 😀'
    out = io.StringIO()
    csv.writer(out).writerows(link_rows([fake_link(note=note)]))
    back = list(csv.reader(io.StringIO(out.getvalue())))
    assert back[1][4] == note
