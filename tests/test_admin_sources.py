"""The admin's source form: staff edits keep the names that search reads in step."""
from django.urls import reverse

from annotator.models import Source

from .conftest import client_for
from .factories import SourceFactory, UserFactory


def test_a_staff_edit_of_a_sources_authors_updates_its_searchable_names(project):
    source = SourceFactory(project=project, title="Excesses", authors=[{"family": "Getty", "given": "J. Arch"}])
    admin = UserFactory(username="staff", is_staff=True, is_superuser=True)
    response = client_for(admin).post(reverse("admin:annotator_source_change", args=[source.pk]), {
        "project": project.pk, "type": "article-journal", "title": "Excesses",
        "authors": '[{"family": "Naumov", "given": "Oleg"}]',
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Source.objects.get().author_names == "Naumov, Oleg"
