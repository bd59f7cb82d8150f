"""The admin's link pages: staff look links up and delete them; they are made and reviewed in the app."""

from django.urls import reverse

from annotator import services
from annotator.models import Link, LinkType
from annotator.services import links as link_services

from .conftest import client_for
from .factories import UserFactory


def test_staff_list_and_view_links_and_link_types_but_do_not_add_or_edit_links(project, document, annotator, labels):
    claim = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    evidence = services.annotate(
        user=annotator, document=document, start=4, end=10, exact=document.text[4:10], label=labels["evidence"]
    )
    link = link_services.create_link(
        user=annotator,
        from_annotation=evidence,
        type=LinkType.objects.get(project=project, key="supports"),
        to_annotation=claim,
    )
    client = client_for(UserFactory(username="staff", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:annotator_link_changelist"), {"q": "Did"})
    assert listing.status_code == 200 and "supports" in listing.content.decode()
    assert client.get(reverse("admin:annotator_link_change", args=[link.pk])).status_code == 200
    assert client.get(reverse("admin:annotator_link_add")).status_code == 403
    response = client.post(reverse("admin:annotator_link_change", args=[link.pk]), {"note": "forged"})
    assert response.status_code == 403 and Link.objects.get().note == ""
    assert client.get(reverse("admin:annotator_linktype_changelist")).status_code == 200
    assert client.get(reverse("admin:annotator_link_history", args=[link.pk])).status_code == 200
