"""Dismissing a quotation suggestion: it stays dismissed for the document, for everyone, and can be brought back."""

import pytest

from annotator import services
from annotator.models import DismissedSuggestion
from annotator.services import sources, versions

PASSAGE = "the centre restrained local zeal in the provinces that year"
TEXT = f"Getty wrote that {PASSAGE}.\n\nLater he repeats: {PASSAGE}.\n"


@pytest.fixture
def doc(manager, project):
    return services.add_document(user=manager, project=project, title="Repeats", text=TEXT)


def test_a_dismissed_suggestion_is_not_suggested_again_until_brought_back(doc, annotator, annotator2):
    [suggestion] = sources.quotation_suggestions(doc)
    dismissal = sources.dismiss_suggestion(user=annotator, document=doc, start=suggestion.start, end=suggestion.end)
    assert sources.quotation_suggestions(doc) == []
    with pytest.raises(services.Conflict):
        sources.accept_suggestion(user=annotator2, document=doc, start=suggestion.start, end=suggestion.end)
    sources.restore_suggestion(user=annotator2, dismissal=dismissal)
    assert [(s.start, s.end) for s in sources.quotation_suggestions(doc)] == [(suggestion.start, suggestion.end)]


def test_it_stays_dismissed_when_a_new_version_moves_it(doc, annotator, manager):
    [suggestion] = sources.quotation_suggestions(doc)
    sources.dismiss_suggestion(user=annotator, document=doc, start=suggestion.start, end=suggestion.end)
    versions.add_version(user=manager, document=doc, text="Preface.\n\n" + TEXT)
    doc.refresh_from_db()
    assert sources.quotation_suggestions(doc) == []


def test_an_outsider_dismisses_nothing(doc, outsider):
    [suggestion] = sources.quotation_suggestions(doc)
    with pytest.raises(services.Forbidden):
        sources.dismiss_suggestion(user=outsider, document=doc, start=suggestion.start, end=suggestion.end)
    assert not DismissedSuggestion.objects.exists()


def test_the_page_dismisses_and_brings_back(doc, annotator, client):
    client.force_login(annotator)
    [suggestion] = sources.quotation_suggestions(doc)
    url = f"/documents/{doc.pk}/suggestions/"
    response = client.post(url + "dismiss/", {"start": suggestion.start, "end": suggestion.end}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Dismissed" in response.content.decode()
    body = client.get(url).content.decode()
    assert "No repeated passages to suggest." in body and "Dismissed suggestions" in body
    dismissal = DismissedSuggestion.objects.get()
    assert client.post(url + "restore/", {"dismissal": dismissal.pk}).status_code == 302
    assert "Mark as quotation" in client.get(url).content.decode()
    again = client.post(
        url + "dismiss/", {"start": suggestion.start + 1, "end": suggestion.end}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 409 and "no longer suggested" in again.content.decode()
