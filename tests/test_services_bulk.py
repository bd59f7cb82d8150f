"""Bulk writes (services/bulk.py): annotate's, cite_source's and create_link's rules, all or nothing, one revision."""

import pytest
from django.conf import settings

from annotator import services
from annotator.models import Annotation, Change, Citation, Document, Link, LinkType, SearchEntry, Span
from annotator.services import links as link_services
from annotator.services import rows
from annotator.services import sources as source_services
from annotator.services.bulk import NewCitation, NewLink, NewMark

from .factories import SAMPLE_TEXT, DocumentFactory, ProjectFactory, SourceFactory

EMOJI_AT = 31  # SAMPLE_TEXT: "Did Stalin want “mass terror”? 😀 The ..."


def new_mark(document, start, end, label, note=""):
    return NewMark(start, end, document.text[start:end], label, note)


def some_marks(document, labels):
    text = document.text
    archives = text.index("The archives")
    getty = text.index("Getty argues")
    return [
        new_mark(
            document, archives, archives + 12, labels["claim"], note='a "quoted" note\\ on\ntwo lines, 😀 \u202e%s%%'
        ),
        new_mark(document, EMOJI_AT, EMOJI_AT + 1, labels["quotation"]),
        new_mark(document, archives, archives + 12, labels["evidence"]),  # same span, another label
        new_mark(document, getty, text.index(";"), labels["evidence"]),
    ]


def nothing_saved(document):
    return (
        not Span.objects.exists()
        and not Annotation.objects.exists()
        and not Annotation.history.exists()
        and not Change.objects.exists()
        and Document.objects.get(pk=document.pk).revision == 0
    )


def test_it_makes_the_marks_annotate_makes(project, document, annotator, labels):
    twin = DocumentFactory(project=project, title="Twin", text=document.text)
    marks = some_marks(document, labels)
    for mark in marks:
        services.annotate(
            user=annotator,
            document=twin,
            start=mark.start,
            end=mark.end,
            exact=mark.exact,
            label=mark.label,
            note=mark.note,
        )
    made = services.bulk_annotate(user=annotator, document=document, marks=marks, cap=None)

    def state(doc):
        annotations = Annotation.objects.filter(span__document=doc).order_by("id")
        return [
            (
                a.span.version,
                a.span.start,
                a.span.end,
                a.span.exact,
                a.span.prefix,
                a.span.suffix,
                a.label_id,
                a.note,
                a.created_by_id,
                a.status,
                a.version,
                a.placement,
                a.reviewed_by_id,
                [
                    (
                        h.history_type,
                        h.history_user_id,
                        h.span_id == a.span_id,
                        h.label_id,
                        h.note,
                        h.status,
                        h.version,
                        (h.created_at, h.updated_at) == (a.created_at, a.updated_at),
                    )
                    for h in a.history.all()
                ],
                # Its search entry, as the single-mark path writes it (the vector too, on PostgreSQL).
                [
                    (e.kind, e.document_id == doc.pk, e.start, e.label_id, e.status, e.author_id, e.title, e.body)
                    + (e.created_at == a.created_at, str(e.vector))
                    for e in SearchEntry.objects.filter(annotation=a)
                ],
            )
            for a in annotations
        ]

    assert state(document) == state(twin)
    assert [a.pk for a in made] == list(
        Annotation.objects.filter(span__document=document).order_by("id").values_list("pk", flat=True)
    )
    assert Span.objects.filter(document=document).count() == Span.objects.filter(document=twin).count() == 3


def test_marks_written_many_statements_at_a_time_keep_their_order(document, annotator, labels, monkeypatch):
    # Batches of two rows (SQLite: statements of two rows; PostgreSQL writes one statement of arrays whatever the size).
    monkeypatch.setattr(rows, "ROWS_PER_STATEMENT", 2)
    text = document.text
    marks = [new_mark(document, start, start + 3, labels["claim"], note=f"n{start}") for start in range(0, 30, 3)]
    marks.reverse()
    made = services.bulk_annotate(user=annotator, document=document, marks=marks, cap=None)
    assert [(a.span.start, a.span.end, a.span.exact, a.note) for a in made] == [
        (m.start, m.end, text[m.start : m.end], m.note) for m in marks
    ]
    entries = dict(SearchEntry.objects.filter(annotation__in=made).values_list("annotation_id", "start"))
    assert entries == {a.pk: a.span.start for a in made}


def test_it_bumps_the_revision_once_with_one_change_over_the_touched_region(document, annotator, labels):
    marks = some_marks(document, labels)
    services.bulk_annotate(user=annotator, document=document, marks=marks, cap=None)
    assert Document.objects.get(pk=document.pk).revision == 1
    region = (min(m.start for m in marks), max(m.end for m in marks))
    assert list(Change.objects.values_list("revision", "start", "end")) == [(1, *region)]


def test_every_mark_has_its_history_row_by_its_author(document, annotator, labels):
    made = services.bulk_annotate(user=annotator, document=document, marks=some_marks(document, labels), cap=None)
    rows = Annotation.history.order_by("id")
    assert [(h.id, h.history_type, h.history_user) for h in rows] == [(a.pk, "+", annotator) for a in made]


def test_it_shares_a_span_another_editor_made(document, annotator, annotator2, labels):
    first = services.annotate(
        user=annotator2, document=document, start=0, end=10, exact=document.text[:10], label=labels["claim"]
    )
    made = services.bulk_annotate(
        user=annotator, document=document, marks=[new_mark(document, 0, 10, labels["claim"])], cap=None
    )
    assert made[0].span_id == first.span_id
    assert Span.objects.count() == 1


@pytest.mark.parametrize(
    "start,end,exact,message",
    [
        (5, 5, "", "empty"),
        (0, 9999, "x", "outside"),
        (-1, 3, "Did", "outside"),
        (0, 3, "Dod", "does not match"),
        (EMOJI_AT, EMOJI_AT + 2, "😀T", "does not match"),  # offsets count code points, not UTF-16 units
    ],
)
def test_it_refuses_a_batch_with_one_bad_span_and_saves_nothing(
    document, annotator, labels, start, end, exact, message
):
    good = new_mark(document, 0, 10, labels["claim"])
    bad = NewMark(start, end, exact, labels["claim"])
    with pytest.raises(services.ActionRefused, match=f"Item 2: .*{message}"):
        services.bulk_annotate(user=annotator, document=document, marks=[good, bad], cap=None)
    assert nothing_saved(document)


def test_it_refuses_a_label_of_another_project(document, annotator, labels):
    foreign = ProjectFactory(name="Other").labels.get(key="claim")
    marks = [new_mark(document, 0, 3, labels["claim"]), new_mark(document, 4, 8, foreign)]
    with pytest.raises(services.ActionRefused, match="another project"):
        services.bulk_annotate(user=annotator, document=document, marks=marks, cap=None)
    assert nothing_saved(document)


def test_it_refuses_outsiders(document, outsider, labels):
    with pytest.raises(services.Forbidden):
        services.bulk_annotate(
            user=outsider, document=document, marks=[new_mark(document, 0, 3, labels["claim"])], cap=None
        )
    assert nothing_saved(document)


def test_it_refuses_the_same_mark_twice_in_one_batch(document, annotator, labels):
    marks = [new_mark(document, 0, 3, labels["claim"]), new_mark(document, 0, 3, labels["claim"])]
    with pytest.raises(services.ActionRefused, match="Item 2: You have already marked this text as Claim"):
        services.bulk_annotate(user=annotator, document=document, marks=marks, cap=None)
    assert nothing_saved(document)


def test_it_refuses_a_mark_the_user_made_before(document, annotator, labels):
    services.annotate(user=annotator, document=document, start=0, end=3, exact=document.text[:3], label=labels["claim"])
    marks = [new_mark(document, 4, 8, labels["claim"]), new_mark(document, 0, 3, labels["claim"])]
    with pytest.raises(services.ActionRefused, match="already marked"):
        services.bulk_annotate(user=annotator, document=document, marks=marks, cap=None)
    assert Annotation.objects.count() == 1 and Span.objects.count() == 1
    assert Document.objects.get(pk=document.pk).revision == 1


def test_it_refuses_more_marks_than_the_cap(document, annotator, labels):
    marks = [new_mark(document, i, i + 1, labels["claim"]) for i in range(3)]
    with pytest.raises(services.ActionRefused, match="At most 2 marks"):
        services.bulk_annotate(user=annotator, document=document, marks=marks, cap=2)
    assert nothing_saved(document)
    assert len(services.bulk_annotate(user=annotator, document=document, marks=marks[:2], cap=2)) == 2


def test_requests_are_capped_at_a_thousand_marks_unless_configured():
    assert settings.ANNOTATOR_MAX_MARKS_PER_REQUEST == 1000


# Citations ---------------------------------------------------------------------------------------


@pytest.fixture
def marks(document, annotator, labels):
    return services.bulk_annotate(user=annotator, document=document, marks=some_marks(document, labels), cap=None)


def test_it_cites_as_cite_source_does(project, document, annotator, marks):
    source = SourceFactory(project=project)
    single = source_services.cite_source(
        user=annotator, annotation=marks[0], source=source, locator=" p.  5 ", note=" n "
    )
    made = services.bulk_cite(
        user=annotator,
        cap=None,
        citations=[NewCitation(marks[1], source, " p.  5 ", " n "), NewCitation(marks[2], source)],
    )
    assert [(c.annotation_id, c.source_id, c.locator, c.note) for c in made] == [
        (marks[1].pk, source.pk, single.locator, single.note),
        (marks[2].pk, source.pk, "", ""),
    ]
    assert [(h.history_type, h.history_user) for c in made for h in c.history.all()] == [("+", annotator)] * 2
    assert Document.objects.get(pk=document.pk).revision == 3  # the marks, the single citation, the batch


def test_it_refuses_citations_on_another_editors_mark(project, annotator2, marks):
    with pytest.raises(services.Forbidden, match="Only the author"):
        services.bulk_cite(user=annotator2, citations=[NewCitation(marks[0], SourceFactory(project=project))], cap=None)
    assert not Citation.objects.exists()


def test_it_refuses_a_source_of_another_project_and_saves_nothing(project, annotator, marks):
    mine, foreign = SourceFactory(project=project), SourceFactory(project=ProjectFactory(name="Other"))
    with pytest.raises(services.ActionRefused, match="Item 2: That source belongs to another project"):
        services.bulk_cite(
            user=annotator, citations=[NewCitation(marks[0], mine), NewCitation(marks[1], foreign)], cap=None
        )
    assert not Citation.objects.exists() and not Citation.history.exists()


def test_it_refuses_a_citation_twice(project, annotator, marks):
    source = SourceFactory(project=project)
    source_services.cite_source(user=annotator, annotation=marks[0], source=source, locator="p. 5")
    with pytest.raises(services.ActionRefused, match="cites .* at “p. 5” already"):
        services.bulk_cite(user=annotator, citations=[NewCitation(marks[0], source, "p.  5")], cap=None)
    with pytest.raises(services.ActionRefused, match="Item 2: .*already"):
        services.bulk_cite(
            user=annotator, citations=[NewCitation(marks[1], source), NewCitation(marks[1], source)], cap=None
        )
    assert Citation.objects.count() == 1


def test_it_refuses_more_citations_than_the_cap(project, annotator, marks):
    source = SourceFactory(project=project)
    with pytest.raises(services.ActionRefused, match="At most 1 citations"):
        services.bulk_cite(user=annotator, citations=[NewCitation(m, source) for m in marks[:2]], cap=1)


# Links -------------------------------------------------------------------------------------------


def link_type(project, key):
    return LinkType.objects.get(project=project, key=key)


def test_it_links_as_create_link_does(project, document, annotator, annotator2, marks):
    claim, quotation, evidence, evidence2 = marks
    single = link_services.create_link(
        user=annotator2,
        from_annotation=evidence,
        type=link_type(project, "supports"),
        to_annotation=claim,
        note=" why ",
    )
    revision = Document.objects.get(pk=document.pk).revision
    made = services.bulk_link(
        user=annotator2,
        cap=None,
        links=[
            NewLink(evidence2, link_type(project, "supports"), to_annotation=claim, note=" why "),
            NewLink(quotation, link_type(project, "attributed-to"), speaker="  J. V.   Stalin "),
        ],
    )
    assert [
        (k.project_id, k.from_annotation_id, k.to_annotation_id, k.speaker, k.note, k.created_by, k.status)
        for k in made
    ] == [
        (project.pk, evidence2.pk, claim.pk, "", single.note, annotator2, single.status),
        (project.pk, quotation.pk, None, "J. V. Stalin", "", annotator2, "pending"),
    ]
    assert [(h.history_type, h.history_user) for k in made for h in k.history.all()] == [("+", annotator2)] * 2
    assert Document.objects.get(pk=document.pk).revision == revision + 1


def test_it_refuses_a_link_the_type_does_not_allow_and_saves_nothing(project, annotator, marks):
    claim, quotation, evidence, _ = marks
    links = [
        NewLink(evidence, link_type(project, "supports"), to_annotation=claim),
        NewLink(claim, link_type(project, "supports"), to_annotation=evidence),
    ]
    with pytest.raises(services.ActionRefused, match="Item 2: A “supports” link starts from a mark labelled Evidence"):
        services.bulk_link(user=annotator, links=links, cap=None)
    assert not Link.objects.exists() and not Link.history.exists()


@pytest.mark.parametrize(
    "case,message",
    [
        ("itself", "cannot be linked to itself"),
        ("twice", "exists already"),
        ("two targets", "Choose one thing"),
        ("other project", "belongs to another project"),
    ],
)
def test_it_refuses_what_create_link_refuses(project, annotator, marks, outsider, labels, case, message):
    claim, _, evidence, _ = marks
    same_as, supports = link_type(project, "same-as"), link_type(project, "supports")
    links = {
        "itself": [NewLink(claim, same_as, to_annotation=claim)],
        "twice": [NewLink(evidence, supports, to_annotation=claim), NewLink(evidence, supports, to_annotation=claim)],
        "two targets": [NewLink(evidence, supports, to_annotation=claim, speaker="Getty")],
        "other project": [
            NewLink(claim, link_type(outsider.memberships.get().project, "same-as"), to_annotation=claim)
        ],
    }[case]
    with pytest.raises(services.ActionRefused, match=message):
        services.bulk_link(user=annotator, links=links, cap=None)
    assert not Link.objects.exists()


def test_a_link_made_before_is_refused_with_its_item_and_nothing_saved(project, annotator, marks):
    claim, _, evidence, other_evidence = marks
    supports = link_type(project, "supports")
    link_services.create_link(user=annotator, from_annotation=evidence, type=supports, to_annotation=claim)
    links = [NewLink(other_evidence, supports, to_annotation=claim), NewLink(evidence, supports, to_annotation=claim)]
    with pytest.raises(services.ActionRefused, match="Item 2: This link .* exists already"):
        services.bulk_link(user=annotator, links=links, cap=None)
    assert Link.objects.count() == 1


def test_a_link_to_a_mark_of_a_project_one_is_not_in_is_refused_as_create_link_refuses_it(
    project, annotator, marks, outsider
):
    elsewhere = outsider.memberships.get().project
    theirs = services.annotate(
        user=outsider,
        document=DocumentFactory(project=elsewhere),
        start=0,
        end=3,
        exact=SAMPLE_TEXT[:3],
        label=elsewhere.labels.get(key="claim"),
    )
    links = [NewLink(marks[2], link_type(project, "supports"), to_annotation=theirs)]
    with pytest.raises(services.ActionRefused, match="Item 1: That mark belongs to another project"):
        services.bulk_link(user=annotator, links=links, cap=None)
    with pytest.raises(services.ActionRefused, match="That mark belongs to another project"):
        link_services.create_link(
            user=annotator, from_annotation=marks[2], type=link_type(project, "supports"), to_annotation=theirs
        )
    assert not Link.objects.exists()


def test_outsiders_cannot_link(project, outsider, marks):
    claim, _, evidence, _ = marks
    with pytest.raises(services.Forbidden):
        services.bulk_link(
            user=outsider, links=[NewLink(evidence, link_type(project, "supports"), to_annotation=claim)], cap=None
        )
