"""The admin's source form: staff edits keep the names that search reads in step."""

from django.urls import reverse

from annotator.models import Source

from .conftest import client_for
from .factories import SourceFactory, UserFactory


def test_a_staff_edit_of_a_sources_authors_updates_its_searchable_names(project):
    source = SourceFactory(project=project, title="Excesses", authors=[{"family": "Getty", "given": "J. Arch"}])
    admin = UserFactory(username="staff", is_staff=True, is_superuser=True)
    response = client_for(admin).post(
        reverse("admin:annotator_source_change", args=[source.pk]),
        {
            "project": project.pk,
            "type": "article-journal",
            "title": "Excesses",
            "authors": '[{"family": "Naumov", "given": "Oleg"}]',
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Source.objects.get().author_names == "Naumov, Oleg"


def _staff_edit(source, **fields):
    admin = UserFactory(username="staff", is_staff=True, is_superuser=True)
    data = {"project": source.project_id, "type": "book", "title": source.title, "authors": "[]", **fields}
    return client_for(admin).post(reverse("admin:annotator_source_change", args=[source.pk]), data)


def test_the_admin_refuses_a_date_issued_that_is_not_one(project):
    # The admin saved it unchecked, and the project's CSL-JSON export then answered 500 for everyone.
    source = SourceFactory(project=project, title="Excesses", issued="2002")
    response = _staff_edit(source, issued='{"date-parts": [[2002, 17]]}')
    assert response.status_code == 200
    assert "“issued” is not a date: 17 is not a month." in response.content.decode()
    response = _staff_edit(source, issued='"spring 1937"')
    assert response.status_code == 200 and "“issued” must be a CSL date such as" in response.content.decode()
    assert Source.objects.get().issued == {"date-parts": [[2002]]}
    assert _staff_edit(source, issued='{"date-parts": [[1984], [1986]], "circa": true}').status_code == 302
    assert Source.objects.get().issued_text == "c. 1984/1986"


def test_the_admin_refuses_authors_that_are_not_csl_names(project):
    source = SourceFactory(project=project, title="Excesses", authors=[{"family": "Getty"}])
    response = _staff_edit(source, authors='{"family": "Naumov"}')
    assert response.status_code == 200 and "must be a list of names" in response.content.decode()
    assert Source.objects.get().authors == [{"family": "Getty"}]
