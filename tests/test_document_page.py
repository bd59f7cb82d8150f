"""The document page's pure parts: blocks grouped into parts, blocks a region touches, ranges joined,
block markup escaped; and the query that finds the marks of a stretch of text, long spans included."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator import reads, services
from annotator import text as textlib
from annotator.document_page import Layout, block_html
from annotator.models import Annotation, Role
from annotator.reads import BlockMark, merge_ranges

from .factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

paragraphs = st.lists(st.text(alphabet="ab 😀\u00a0", min_size=1, max_size=40), min_size=1, max_size=30)


def text_of(parts):
    return "\n\n".join(parts)


@given(paragraphs, st.integers(1, 200))
def test_parts_hold_every_block_once_in_order(parts, part_chars):
    text = text_of(parts)
    layout = Layout.of_text(text, part_chars)
    blocks = [index for first, last in layout.parts for index in range(first, last)]
    assert blocks == list(range(len(textlib.split_blocks(text))))
    assert all(first < last for first, last in layout.parts)
    # Parts tile the text: each starts where the one before ended.
    ranges = [layout.part_range(n) for n in range(len(layout.parts))]
    assert ranges[0][0] == 0 and ranges[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))


@given(paragraphs, st.data())
def test_touching_names_exactly_the_blocks_a_region_overlaps(parts, data):
    text = text_of(parts)
    layout = Layout.of_text(text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    # The obvious answer: every block, one by one.
    expected = [i for i, (s, e) in enumerate(textlib.split_blocks(text)) if s < end and start < e]
    assert list(layout.touching(start, end)) == expected


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 30)), max_size=12))
def test_merged_ranges_cover_the_same_points_without_overlap(pairs):
    ranges = [(s, s + n) for s, n in pairs]
    merged = merge_ranges(ranges)
    points = lambda rs: {p for s, e in rs for p in range(s, e)}  # noqa: E731
    assert points(merged) == points(ranges)
    assert all(a[1] < b[0] for a, b in zip(merged, merged[1:]))


def test_block_markup_escapes_the_text_and_the_titles():
    mark = BlockMark(7, 1, 0, 25, 3, '<b onmouseover="x()">', "a&b")
    html = block_html(0, [(0, "<script>alert(1)</script>", [mark])])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'title="&lt;b onmouseover=&quot;x()&quot;&gt; by a&amp;b"' in html and 'data-marks="7"' in html
    assert 'class="p m c1-3"' in html
    assert block_html(0, [(0, "plain", [])], oob=True).startswith('<div id="block-0" class="block" hx-swap-oob="true">')


@pytest.mark.django_db
def test_the_marks_of_a_stretch_include_long_spans_that_start_far_before_it(project, annotator, labels):
    text = ("word " * 2000 + "\n\n") * 3  # 30,006 code points
    document = DocumentFactory(project=project, text=text)
    spans = [(0, len(text) - 1), (100, 9_000), (4_990, 5_010), (5_004, 5_006), (6_000, 6_010), (20, 25)]
    for start, end in spans:
        services.annotate(
            user=annotator, document=document, start=start, end=end, exact=text[start:end], label=labels["claim"]
        )
    for start, end in [(5_000, 5_005), (5_100, 5_200), (8_999, 9_001), (29_000, 29_010), (0, 1)]:
        found = {(a.span.start, a.span.end) for a in reads.marks_in(document, [(start, end)])}
        assert found == {(s, e) for s, e in spans if s < end and start < e}, (start, end)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 11_000), st.integers(1, 4_000)), min_size=1, max_size=8),
    st.integers(0, 11_000),
    st.integers(1, 3_000),
)
def test_marks_in_agrees_with_checking_every_mark(spans, start, length):
    # Each example gets a document of its own (examples share the test's transaction).
    project = ProjectFactory()
    user = UserFactory()
    MembershipFactory(user=user, project=project, role=Role.ANNOTATOR)
    label = project.labels.first()
    text = "Ünïcode 😀 and words\n\n" * 700  # 15,400 code points
    document = DocumentFactory(project=project, text=text)
    for s, n in spans:
        e = min(len(text), s + n)
        if s < e and not Annotation.objects.filter(span__document=document, span__start=s, span__end=e).exists():
            services.annotate(user=user, document=document, start=s, end=e, exact=text[s:e], label=label)
    end = min(len(text), start + length)
    found = {a.pk for a in reads.marks_in(document, [(start, end)])}
    marks = Annotation.objects.filter(span__document=document).select_related("span")
    expected = {a.pk for a in marks if a.span.start < end and start < a.span.end}
    assert found == expected


@pytest.mark.django_db
def test_marks_in_finds_each_mark_of_the_stretches_with_its_list_fields(project, annotator, annotator2, labels):
    """marks_in: over several stretches, the marks of the current version overlapping any of them (long spans that
    start far before too), in text order, with their sources and links counted; other documents left out."""
    from django.utils import timezone

    from annotator.models import Link, LinkType

    from .factories import CitationFactory, SourceFactory

    text = "Zeal and restraint 😀 in the archives.\n\n" * 300
    document = DocumentFactory(project=project, text=text)
    other = DocumentFactory(project=project, text=text)
    marks = []
    for n, (start, end) in enumerate([(0, 4), (2, 30), (45, 60), (3_000, 3_010), (5_000, 9_000), (11_000, 11_006)]):
        user = annotator if n % 2 else annotator2
        marks.append(
            services.annotate(
                user=user,
                document=document,
                start=start,
                end=end,
                exact=text[start:end],
                label=labels["claim" if n % 3 else "evidence"],
                note=f"<note {n}>",
            )
        )
    services.annotate(user=annotator, document=other, start=0, end=4, exact=text[:4], label=labels["claim"])
    services.annotate(
        user=annotator, document=document, start=9_500, end=9_510, exact=text[9_500:9_510], label=labels["claim"]
    )
    CitationFactory(annotation=marks[1], source=SourceFactory(project=project))
    Link.objects.create(
        project=project,
        type=LinkType.objects.filter(project=project).first() or LinkType.objects.first(),
        from_annotation=marks[0],
        to_annotation=marks[1],
        created_by=annotator,
    )
    Annotation.objects.filter(pk=marks[2].pk).update(status="accepted", reviewed_at=timezone.now())

    stretches = [(0, 50), (2_990, 3_005), (8_000, 8_001), (10_990, 11_001)]
    found = reads.marks_in(document, stretches)
    assert [a.pk for a in found] == [m.pk for m in marks]  # each stretch's marks, the 4,000-long one included
    assert [(a.source_count, a.link_count) for a in found[:3]] == [(0, 1), (1, 1), (0, 0)]
    assert found[2].status == "accepted" and found[1].label.name == "Claim" and found[0].created_by == annotator2
    assert reads.marks_in(document, []) == []


def test_a_page_is_shown_beside_the_block_it_begins_in():
    # Blocks [0, 11) [11, 20) [20, 30), each with the blank line after it: a page beginning where a block begins is
    # that block's, one beginning inside it too; the first block holds the first page; each page is shown once.
    text = "aaaaaaaaa\n\nbbbbbbb\n\ncccccccccc"
    layout = Layout.of_text(text, pages=[(0, "i"), (11, "1"), (15, "2"), (20, "3"), (25, "4")])
    assert (layout.starts, layout.ends) == ((0, 11, 20), (11, 20, 30))
    assert [layout.pages_begun(i) for i in range(3)] == [["i"], ["1", "2"], ["3", "4"]]
    assert Layout.of_text(text).pages_begun(1) == []


def test_a_page_number_sits_outside_the_pieces_of_text():
    markup = block_html(3, [(40, "Some <text>", [])], pages=["12", "13"])
    assert (
        markup
        == '<div id="block-3" class="block"><span class="page-no">pp. 12, 13</span><span class="p" data-start="40">Some &lt;text&gt;</span></div>'
    )


def test_a_locator_names_the_pages_of_a_stretch():
    layout = Layout.of_text("x" * 30, pages=[(0, "iv"), (10, "1"), (20, "2")])
    assert layout.locator(2, 5) == "p. iv"
    assert layout.locator(5, 15) == "pp. iv–1"
    assert layout.locator(10, 20) == "p. 1"
    assert Layout.of_text("x" * 30).locator(2, 5) == ""
