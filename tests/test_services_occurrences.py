"""Mark all occurrences: the preview's places and count, and one all-or-nothing write through bulk_annotate."""

import pytest

from annotator import integrity, services
from annotator.models import Annotation, SearchEntry
from annotator.services.occurrences import places_in

TEXT = "Ezhov signed. The NKVD under Ezhov; Ezhovshchina. Ezhov again.\n\nEzhov, the end.\n"


def test_places_are_whole_words_only():
    assert places_in(TEXT, "Ezhov") == [(0, 5), (29, 34), (50, 55), (64, 69)]
    assert places_in("the theme, there: the", "the") == [(0, 3), (18, 21)]
    assert places_in("a (b) c (b)", "(b)") == [(2, 5), (8, 11)]
    assert places_in("text", "  ") == []


@pytest.fixture
def doc(manager, project):
    return services.add_document(user=manager, project=project, title="Ezhov", text=TEXT)


@pytest.fixture
def first(doc, annotator, labels):
    return services.annotate(user=annotator, document=doc, start=0, end=5, exact="Ezhov", label=labels["claim"])


def test_the_preview_counts_the_places_and_skips_the_users_own(first, annotator, annotator2, labels, doc):
    services.annotate(user=annotator2, document=doc, start=29, end=34, exact="Ezhov", label=labels["claim"])
    found = services.occurrences(user=annotator, annotation=first)
    assert [p.start for p in found.places] == [29, 50, 64]  # 29 is another editor's mark: still to mark for this one
    assert [(p.before.split()[-1], p.after.split()[0]) for p in found.places] == [
        ("under", ";"),
        ("Ezhovshchina.", "again."),
        ("again.", ","),
    ]
    assert found.already == 1  # the mark itself


def test_marking_all_makes_each_mark_with_the_label_and_indexes_it(first, annotator, doc):
    made = services.mark_occurrences(user=annotator, annotation=first, expected=3)
    assert sorted((a.span.start, a.label.key, a.created_by) for a in made) == [
        (29, "claim", annotator),
        (50, "claim", annotator),
        (64, "claim", annotator),
    ]
    assert SearchEntry.objects.filter(kind="mark").count() == 4
    assert list(integrity.problems()) == []
    again = services.occurrences(user=annotator, annotation=first)
    assert (again.count, again.already) == (0, 4)
    with pytest.raises(services.ActionRefused, match="marked every occurrence already"):
        services.mark_occurrences(user=annotator, annotation=first)


def test_a_preview_out_of_date_marks_nothing(first, annotator, doc, labels):
    services.annotate(user=annotator, document=doc, start=50, end=55, exact="Ezhov", label=labels["claim"])
    with pytest.raises(services.Conflict, match="2 places to mark now, not 3"):
        services.mark_occurrences(user=annotator, annotation=first, expected=3)
    assert Annotation.objects.count() == 2


def test_across_the_project_every_document_is_marked_or_none(first, annotator, manager, project, labels):
    services.add_document(user=manager, project=project, title="Other", text="Ezhov elsewhere.\n")
    found = services.occurrences(user=annotator, annotation=first, scope="project")
    assert found.count == 4
    made = services.mark_occurrences(user=annotator, annotation=first, scope="project", expected=4)
    assert {a.span.document.title for a in made} == {"Ezhov", "Other"}


def test_an_outsider_marks_nothing(first, outsider):
    with pytest.raises(services.Forbidden):
        services.occurrences(user=outsider, annotation=first)
    with pytest.raises(services.Forbidden):
        services.mark_occurrences(user=outsider, annotation=first)
    assert Annotation.objects.count() == 1


def test_the_page_previews_then_marks_all(first, annotator, client, doc):
    client.force_login(annotator)
    url = f"/annotations/{first.pk}/mark-all/"
    body = client.get(url).content.decode()
    assert "3 places to mark" in body and "<mark>Ezhov</mark>" in body
    response = client.post(url, {"scope": "document", "expected": "3"})
    assert response.status_code == 302 and Annotation.objects.count() == 4
    response = client.post(url, {"scope": "document", "expected": "3"}, follow=True)
    assert "marked every occurrence already" in response.content.decode()
