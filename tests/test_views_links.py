"""Links on the mark panel, the link types page and the argument map, driven as htmx and a browser drive them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator import services
from annotator.models import Citation, Link, LinkType
from annotator.services import links as link_services

from .conftest import client_for, events
from .factories import DocumentFactory, SourceFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
FORUM_TEXT = "Stalin was unseated by the party.\nHe was not; his rivals were shot.\n"


def mark(user, document, start, end, label):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label
    )


def type_of(project, key):
    return LinkType.objects.get(project=project, key=key)


@pytest.fixture
def forum(project):
    return DocumentFactory(project=project, title="Forum thread", text=FORUM_TEXT)


@pytest.fixture
def claim(forum, annotator, labels):
    return mark(annotator, forum, 0, 33, labels["claim"])


@pytest.fixture
def evidence(document, annotator2, labels):
    return mark(annotator2, document, 34, 70, labels["evidence"])


def link_post(client, annotation, **data):
    return client.post(reverse("link_create", args=[annotation.pk]), {"since": 0, **data}, **HTMX)


def test_the_panel_offers_the_types_this_mark_can_take_both_ways(project, claim, annotator):
    body = client_for(annotator).get(reverse("annotation_detail", args=[claim.pk]), **HTMX).content.decode()
    options = re.findall(
        r'<option value="([^"]+)"[^>]*>([^<]+)</option>', body.split('name="type"')[1].split("</select>")[0]
    )
    assert [text for _, text in options] == [
        "rests on the quotation …",
        "is the same claim as …",
        "is supported by …",
        "is refuted by …",
    ]
    assert "Link to…" in body and 'id="mark-links"' in body


def test_searching_finds_marks_of_other_documents_of_the_project_only(project, claim, evidence, annotator2, outsider):
    foreign = DocumentFactory(project=outsider.memberships.get().project, text=FORUM_TEXT)
    mark(outsider, foreign, 0, 33, foreign.project.labels.get(key="claim"))
    response = client_for(annotator2).get(reverse("link_targets", args=[evidence.pk]), {"q": "unseated"})
    body = response.content.decode()
    assert body.count('name="to_annotation"') == 1
    assert f'value="{claim.pk}" checked' in body and "Forum thread" in body


def test_an_editor_links_evidence_to_a_claim_in_another_document_and_both_panels_show_it(
    project, document, forum, claim, evidence, annotator, annotator2
):
    client = client_for(annotator2)
    response = link_post(
        client, evidence, type=str(type_of(project, "supports").pk), to_annotation=claim.pk, note="p. 3"
    )
    assert response.status_code == 200, response.content
    assert events(response) == ["link-saved"]
    link = Link.objects.get()
    assert (link.from_annotation, link.to_annotation, link.created_by, link.note) == (
        evidence,
        claim,
        annotator2,
        "p. 3",
    )
    body = response.content.decode()
    assert "supports" in body and "Stalin was unseated by the party." in body and "in “<bdi>Forum thread</bdi>”" in body
    assert 'id="list-updates" hidden hx-swap-oob="true"' in body
    other = client_for(annotator).get(reverse("annotation_detail", args=[claim.pk]), **HTMX).content.decode()
    assert "is supported by" in other and "p. 3" in other
    assert "Delete link" not in other  # not the author
    listed = client_for(annotator).get(reverse("mark_list", args=[forum.pk])).content.decode()
    assert "1 link" in listed


def test_a_claim_links_backwards_to_its_evidence(project, claim, evidence, annotator):
    response = link_post(
        client_for(annotator), claim, type=f"{type_of(project, 'supports').pk}:reverse", to_annotation=evidence.pk
    )
    assert response.status_code == 200
    link = Link.objects.get()
    assert (link.from_annotation, link.to_annotation) == (evidence, claim)


def test_a_type_rule_broken_is_a_422_with_the_message_and_nothing_saved(project, claim, evidence, annotator):
    response = link_post(
        client_for(annotator), claim, type=str(type_of(project, "supports").pk), to_annotation=evidence.pk
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'role="alert"' in body and "starts from a mark labelled Evidence, not Claim" in body
    assert 'details class="link-new" id="link-new" open' in body
    assert not Link.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose how the marks are linked."),
        ({"type": "nonsense"}, "not one of this project"),
        ({"type": "SUPPORTS"}, "Pick a mark to link to"),
        ({"type": "SUPPORTS", "to_annotation": 999999}, "not found in this project"),
    ],
)
def test_bad_input_gets_a_message(project, evidence, annotator2, data, message):
    if data.get("type") == "SUPPORTS":
        data["type"] = str(type_of(project, "supports").pk)
    response = link_post(client_for(annotator2), evidence, **data)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_no_link_into_another_project_by_id(project, evidence, annotator2, outsider):
    elsewhere = outsider.memberships.get().project
    foreign_claim = mark(
        outsider, DocumentFactory(project=elsewhere, text=FORUM_TEXT), 0, 33, elsewhere.labels.get(key="claim")
    )
    response = link_post(
        client_for(annotator2), evidence, type=str(type_of(project, "supports").pk), to_annotation=foreign_claim.pk
    )
    assert response.status_code == 422 and "not found in this project" in response.content.decode()
    response = link_post(
        client_for(annotator2), evidence, type=str(type_of(elsewhere, "supports").pk), to_annotation=foreign_claim.pk
    )
    assert response.status_code == 422 and "not one of this project" in response.content.decode()
    assert not Link.objects.exists()


def test_a_quotation_is_attributed_to_a_speaker_from_its_panel(project, document, annotator, labels):
    quotation = mark(annotator, document, 0, 10, labels["quotation"])
    SourceFactory(project=project, title="Collected Works")
    body = client_for(annotator).get(reverse("annotation_detail", args=[quotation.pk]), **HTMX).content.decode()
    assert 'data-person="true"' in body and "Collected Works" in body
    response = link_post(
        client_for(annotator), quotation, type=str(type_of(project, "attributed-to").pk), speaker="J. V. Stalin"
    )
    assert response.status_code == 200
    assert Link.objects.get().speaker == "J. V. Stalin"
    assert "J. V. Stalin" in response.content.decode()


def test_the_author_deletes_a_link_and_others_cannot(project, claim, evidence, annotator, annotator2):
    link = link_services.create_link(
        user=annotator2, from_annotation=evidence, type=type_of(project, "supports"), to_annotation=claim
    )
    url = reverse("link_delete", args=[link.pk])
    refused = client_for(annotator).post(url, {"open": claim.pk, "version": 1, "since": 0}, **HTMX)
    assert refused.status_code == 403 and "Only the author of a link" in refused.content.decode()
    done = client_for(annotator2).post(url, {"open": evidence.pk, "version": 1, "since": 0}, **HTMX)
    assert done.status_code == 200 and events(done) == ["link-deleted"]
    assert not Link.objects.exists()
    assert "No links yet." in done.content.decode()


def test_the_author_edits_the_note_and_a_reviewer_accepts_from_the_panel(
    project, claim, evidence, annotator, annotator2, reviewer
):
    link = link_services.create_link(
        user=annotator2, from_annotation=evidence, type=type_of(project, "supports"), to_annotation=claim
    )
    edited = client_for(annotator2).post(
        reverse("link_update", args=[link.pk]), {"open": evidence.pk, "version": 1, "note": "ll. 50-55"}, **HTMX
    )
    assert edited.status_code == 200 and "ll. 50-55" in edited.content.decode()
    panel = client_for(reviewer).get(reverse("annotation_detail", args=[claim.pk]), **HTMX).content.decode()
    assert reverse("link_review", args=[link.pk]) in panel
    response = client_for(reviewer).post(
        reverse("link_review", args=[link.pk]),
        {"open": claim.pk, "version": 2, "status": "accepted", "note": "ok"},
        **HTMX,
    )
    assert response.status_code == 200 and events(response) == ["review-changed"]
    link.refresh_from_db()
    assert (link.status, link.reviewed_by, link.review_note) == ("accepted", reviewer, "ok")
    stale = client_for(reviewer).post(
        reverse("link_review", args=[link.pk]), {"open": claim.pk, "version": 2, "status": "rejected"}, **HTMX
    )
    assert stale.status_code == 409


def test_an_open_mark_of_another_project_is_ignored(project, claim, evidence, annotator2, outsider):
    link = link_services.create_link(
        user=annotator2, from_annotation=evidence, type=type_of(project, "supports"), to_annotation=claim
    )
    foreign = mark(
        outsider,
        DocumentFactory(project=outsider.memberships.get().project),
        0,
        3,
        outsider.memberships.get().project.labels.get(key="claim"),
    )
    response = client_for(annotator2).post(
        reverse("link_update", args=[link.pk]), {"open": foreign.pk, "version": 1, "note": "x"}, **HTMX
    )
    assert response.status_code == 200
    assert f'data-annotation="{evidence.pk}"' in response.content.decode()


def test_the_delete_button_of_a_linked_mark_names_its_links(project, claim, evidence, annotator, annotator2):
    link_services.create_link(
        user=annotator2, from_annotation=evidence, type=type_of(project, "supports"), to_annotation=claim
    )
    body = client_for(annotator).get(reverse("annotation_detail", args=[claim.pk]), **HTMX).content.decode()
    assert "Delete this mark and the 1 link to and from it (listed under Links)? Its history is kept." in body
    response = client_for(annotator).post(
        reverse("annotation_delete", args=[claim.pk]), {"version": claim.version, "since": 0}, **HTMX
    )
    assert response.status_code == 200
    assert not Link.objects.exists() and Link.history.filter(history_type="-").count() == 1


def test_linked_marks_of_the_same_document_are_named_for_the_page_to_connect(project, document, annotator, labels):
    c = mark(annotator, document, 0, 10, labels["claim"])
    e = mark(annotator, document, 34, 60, labels["evidence"])
    link_services.create_link(user=annotator, from_annotation=e, type=type_of(project, "supports"), to_annotation=c)
    body = client_for(annotator).get(reverse("annotation_detail", args=[c.pk]), **HTMX).content.decode()
    assert f'data-linked-marks="{e.pk}"' in body


# Link types ------------------------------------------------------------------------------------------


def test_managers_add_rename_and_reorder_link_types_on_their_page(project, manager, labels):
    client = client_for(manager)
    url = reverse("link_types", args=[project.pk])
    assert "supports" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "action": "add",
            "name": "contextualises",
            "inverse_name": "is contextualised by",
            "from_labels": [labels["evidence"].pk],
            "to_labels": [labels["claim"].pk],
            "targets": "marks",
        },
    )
    assert response.status_code == 302
    added = LinkType.objects.get(key="contextualises")
    client.post(url, {"action": "up", "link_type": added.pk})
    client.post(url, {"action": "rename", "link_type": added.pk, "name": "frames", "inverse_name": "is framed by"})
    assert [t.name for t in project.link_types.all()][-2:] == ["frames", "is the same claim as"]
    duplicate = client.post(url, {"action": "add", "name": "refutes", "targets": "marks"})
    assert duplicate.status_code == 422 and "exists already" in duplicate.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        # Read straight from the POST, these answered 500: a link type id that is no number, a NUL (PostgreSQL).
        ({"action": "rename", "link_type": "abc", "name": "x"}, "Choose a link type."),
        ({"action": "up", "link_type": ""}, "Choose a link type."),
        ({"action": "rename", "name": "x\x00y"}, "Null characters are not allowed."),
    ],
)
def test_an_odd_rename_or_move_of_a_link_type_is_refused_with_a_message(project, manager, data, message):
    kind = LinkType.objects.filter(project=project).first()
    data.setdefault("link_type", kind.pk)
    response = client_for(manager).post(reverse("link_types", args=[project.pk]), data)
    assert response.status_code == 422 and message in response.content.decode()
    assert LinkType.objects.get(pk=kind.pk).name == kind.name


def test_others_read_link_types_but_cannot_change_them(project, annotator):
    client = client_for(annotator)
    url = reverse("link_types", args=[project.pk])
    assert "Add a link type" not in client.get(url).content.decode()
    assert client.post(url, {"action": "add", "name": "x"}).status_code == 403
    assert not LinkType.objects.filter(name="x").exists()


# The argument map --------------------------------------------------------------------------------------


def build_map_data(project, document, forum, annotator, annotator2, reviewer, labels, claims=3):
    """Claims in the forum with evidence for and against from the blog, a quotation with a source and a speaker."""
    made = []
    for i in range(claims):
        start = i * 11
        made.append(mark(annotator, forum, start, start + 10, labels["claim"]))
    e1 = mark(annotator2, document, 34, 60, labels["evidence"])
    e2 = mark(annotator2, document, 0, 10, labels["evidence"])
    q = mark(annotator, document, 11, 20, labels["quotation"])
    source = SourceFactory(project=project, title="Getty 2002")
    Citation.objects.create(annotation=q, source=source, locator="p. 113")
    supports = link_services.create_link(
        user=annotator2, from_annotation=e1, type=type_of(project, "supports"), to_annotation=made[0]
    )
    link_services.review_link(user=reviewer, link=supports, status="accepted")
    link_services.create_link(
        user=annotator2, from_annotation=e2, type=type_of(project, "refutes"), to_annotation=made[0]
    )
    link_services.create_link(user=annotator, from_annotation=made[0], type=type_of(project, "quotes"), to_annotation=q)
    link_services.create_link(
        user=annotator, from_annotation=q, type=type_of(project, "attributed-to"), speaker="Stalin"
    )
    return made


def test_the_document_map_shows_each_claim_with_evidence_quotations_and_sources(
    project, document, forum, annotator, annotator2, reviewer, labels
):
    claims = build_map_data(project, document, forum, annotator, annotator2, reviewer, labels)
    body = client_for(annotator).get(reverse("document_map", args=[forum.pk])).content.decode()
    assert "3 claims" in body and "2 without evidence" in body and "links: 1 accepted, 2 pending" in body
    first = body.split(f'id="claim-{claims[0].pk}"')[1].split('id="claim-')[0]
    assert "Evidence for (1)" in first and "Evidence against (1)" in first and "Rests on the quotation" in first
    assert "Getty 2002" in first and "p. 113" in first and "Stalin" in first and "in “<bdi>Sample</bdi>”" in first
    assert body.count("No evidence yet") == 2
    assert f'class="map-claim no-evidence" id="claim-{claims[1].pk}"' in body


def test_the_project_map_groups_claims_by_document(project, document, forum, annotator, annotator2, reviewer, labels):
    build_map_data(project, document, forum, annotator, annotator2, reviewer, labels)
    mark(annotator, document, 40, 50, labels["claim"])
    body = client_for(annotator).get(reverse("project_map", args=[project.pk])).content.decode()
    assert "4 claims" in body and "Forum thread" in body and 'class="map-document"' in body
    assert body.index("Forum thread") < body.index(">Sample<")


@pytest.mark.parametrize("url_name", ["document_map", "project_map"])
def test_the_map_pages_take_the_same_number_of_queries_for_3_or_30_claims(
    project, document, forum, annotator, annotator2, reviewer, labels, url_name
):
    forum.text = "x" * 400
    forum.save()
    build_map_data(project, document, forum, annotator, annotator2, reviewer, labels, claims=3)
    client = client_for(annotator)
    url = reverse(url_name, args=[forum.pk if url_name == "document_map" else project.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(3, 30):
        claim = mark(annotator, forum, i * 11, i * 11 + 10, labels["claim"])
        link_services.create_link(
            user=annotator2,
            from_annotation=Link.objects.filter(type__key="supports").first().from_annotation,
            type=type_of(project, "supports"),
            to_annotation=claim,
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) <= 11, [q["sql"] for q in many.captured_queries]


def test_the_mark_panel_takes_the_same_number_of_queries_for_1_or_20_links(
    project, document, forum, claim, annotator, annotator2, labels
):
    client = client_for(annotator)
    url = reverse("annotation_detail", args=[claim.pk])
    supports = type_of(project, "supports")

    def evidence_at(i):
        return mark(annotator2, document, i, i + 3, labels["evidence"])

    link_services.create_link(user=annotator2, from_annotation=evidence_at(0), type=supports, to_annotation=claim)
    # Warm up: a document's layout is kept per process after its first use (one query then), as its text is.
    client.get(url, **HTMX)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **HTMX).status_code == 200
    for i in range(1, 20):
        link_services.create_link(user=annotator2, from_annotation=evidence_at(i), type=supports, to_annotation=claim)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url, **HTMX).content.decode()
    assert body.count('class="link-item"') == 20
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_links_section_of_a_mark_deleted_meanwhile_says_so_to_members_only(
    project, claim, evidence, annotator, annotator2, outsider
):
    link_services.create_link(
        user=annotator2, from_annotation=evidence, type=type_of(project, "supports"), to_annotation=claim
    )
    url = reverse("mark_links", args=[claim.pk])
    assert "is supported by" in client_for(annotator2).get(url, **HTMX).content.decode()
    services.delete_annotation(user=annotator, annotation=claim)
    response = client_for(annotator2).get(url, **HTMX)
    assert response.status_code == 200 and "This mark was deleted meanwhile" in response.content.decode()
    assert client_for(outsider).get(url, **HTMX).status_code == 404
    assert client_for(outsider).get(reverse("mark_links", args=[99999]), **HTMX).status_code == 404


def test_deleting_a_link_needs_the_version_the_page_showed(project, claim, evidence, annotator2):
    link = link_services.create_link(
        user=annotator2, from_annotation=evidence, type=type_of(project, "supports"), to_annotation=claim
    )
    url = reverse("link_delete", args=[link.pk])
    missing = client_for(annotator2).post(url, {"open": evidence.pk}, **HTMX)
    assert missing.status_code == 422 and "version is missing" in missing.content.decode()
    link_services.update_link(user=annotator2, link=link, version=1, note="changed elsewhere")
    stale = client_for(annotator2).post(url, {"open": evidence.pk, "version": 1}, **HTMX)
    assert stale.status_code == 409 and Link.objects.exists()


# Links to review ------------------------------------------------------------------------------------


def test_the_links_queue_lists_pending_links_of_others_and_a_reviewer_accepts_from_it(
    project, claim, evidence, annotator, annotator2, reviewer, manager
):
    theirs = link_services.create_link(
        user=annotator2, from_annotation=evidence, type=type_of(project, "supports"), to_annotation=claim
    )
    own = link_services.create_link(
        user=manager,
        from_annotation=claim,
        type=type_of(project, "same-as"),
        to_annotation=mark(annotator, claim.span.document, 34, 40, claim.label),
    )
    url = reverse("link_queue", args=[project.pk])
    body = client_for(manager).get(url).content.decode()
    assert f'id="link-review-{theirs.pk}"' in body and f'id="link-review-{own.pk}"' not in body
    assert "1 pending link." in body and "supports" in body and "in “<bdi>Forum thread</bdi>”" in body
    response = client_for(reviewer).post(
        reverse("link_review", args=[theirs.pk]),
        {"origin": "queue", "version": 1, "status": "accepted", "note": "fine"},
        **HTMX,
    )
    assert response.status_code == 200 and events(response) == ["review-changed"]
    assert "Accepted</span> by rev: fine" in response.content.decode()
    stale = client_for(manager).post(
        reverse("link_review", args=[theirs.pk]), {"origin": "queue", "version": 1, "status": "rejected"}, **HTMX
    )
    assert stale.status_code == 409 and 'role="alert"' in stale.content.decode()
    plain = client_for(manager).post(
        reverse("link_review", args=[own.pk]), {"origin": "queue", "version": 1, "status": "accepted"}
    )
    assert plain.status_code == 302 and plain["Location"] == url
    own.refresh_from_db()
    assert own.status == "pending"  # nobody reviews their own link


def test_annotators_have_no_links_queue_and_cannot_review_from_it(project, claim, evidence, annotator, annotator2):
    link = link_services.create_link(
        user=annotator2, from_annotation=evidence, type=type_of(project, "supports"), to_annotation=claim
    )
    assert client_for(annotator).get(reverse("link_queue", args=[project.pk])).status_code == 403
    response = client_for(annotator).post(
        reverse("link_review", args=[link.pk]), {"origin": "queue", "version": 1, "status": "accepted"}, **HTMX
    )
    assert response.status_code == 403 and "Only reviewers and managers" in response.content.decode()
    assert "<form" not in response.content.decode()


def test_the_links_queue_takes_the_same_number_of_queries_for_1_or_20_links(
    project, document, claim, annotator2, reviewer, labels
):
    client = client_for(reviewer)
    url = reverse("link_queue", args=[project.pk])
    supports = type_of(project, "supports")
    link_services.create_link(
        user=annotator2,
        from_annotation=mark(annotator2, document, 0, 3, labels["evidence"]),
        type=supports,
        to_annotation=claim,
    )
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(1, 20):
        link_services.create_link(
            user=annotator2,
            from_annotation=mark(annotator2, document, i, i + 3, labels["evidence"]),
            type=supports,
            to_annotation=claim,
        )
    with CaptureQueriesContext(connection) as many:
        assert "20 pending links." in client.get(url).content.decode()
    assert len(many) == len(few)


def test_a_nul_character_in_the_target_search_is_searched_as_a_space(document, annotator, labels):
    # PostgreSQL refuses NUL in a query: the search answered 500.
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    services.annotate(user=annotator, document=document, start=4, end=10, exact="Stalin", label=labels["claim"])
    response = client_for(annotator).get(reverse("link_targets", args=[mark.pk]), {"q": "Stalin\x00"})
    assert response.status_code == 200 and "Stalin" in response.content.decode()


def test_a_clicked_mark_in_odd_digits_finds_nothing_rather_than_failing(document, annotator, labels):
    # "²".isdigit() is true but int("²") fails: the target search answered 500.
    mark = services.annotate(user=annotator, document=document, start=0, end=3, exact="Did", label=labels["claim"])
    response = client_for(annotator).get(reverse("link_targets", args=[mark.pk]), {"mark": "²"})
    assert response.status_code == 200


def test_the_map_comes_a_page_of_claims_at_a_time_with_the_figures_of_the_whole_map(
    project, document, forum, annotator, annotator2, reviewer, labels, monkeypatch
):
    from annotator import reads

    monkeypatch.setattr(reads, "MAP_PAGE", 2)
    forum.text = "x" * 400
    forum.save()
    claims = build_map_data(project, document, forum, annotator, annotator2, reviewer, labels, claims=5)
    client = client_for(annotator)
    url = reverse("document_map", args=[forum.pk])
    shown = []
    for page in (1, 2, 3):
        body = client.get(url, {"page": page}).content.decode()
        # The figures are the whole map's on every page, not the page's.
        assert "5 claims" in body and "4 without evidence" in body and "links: 1 accepted, 2 pending" in body
        assert f"page {page} of 3" in body
        shown.append([pk for pk in (c.pk for c in claims) if f'id="claim-{pk}"' in body])
    assert shown == [[claims[0].pk, claims[1].pk], [claims[2].pk, claims[3].pk], [claims[4].pk]]
    first, last = client.get(url).content.decode(), client.get(url, {"page": 3}).content.decode()
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    assert 'href="?page=2" rel="prev"' in last and 'rel="next"' not in last
    # A page out of range, or no number, shows the nearest page.
    assert f'id="claim-{claims[4].pk}"' in client.get(url, {"page": 99}).content.decode()
    assert f'id="claim-{claims[0].pk}"' in client.get(url, {"page": "x"}).content.decode()


def test_the_map_summary_counts_as_the_claims_drawn_count(
    project, document, forum, annotator, annotator2, reviewer, labels
):
    """The figures come from SQL over every claim; the items drawn count their links in Python. They agree."""
    from annotator import reads

    build_map_data(project, document, forum, annotator, annotator2, reviewer, labels, claims=4)
    refutes = Link.objects.get(type__key="refutes")
    link_services.review_link(user=reviewer, link=refutes, status="rejected")
    items, summary = reads.argument_map({"span__document__project": project}, project.pk, None)
    assert summary["claims"] == len(items) == 4
    assert summary["without_evidence"] == sum(1 for i in items if not i.has_evidence)
    assert (summary["accepted"], summary["pending"], summary["rejected"]) == (1, 1, 1)
    for status in ("accepted", "pending", "rejected"):
        assert summary[status] == sum(getattr(i, status) for i in items), status


def test_page_of_keeps_the_page_in_range():
    from annotator.reads import page_of

    assert page_of(0, None, 200) == (1, 1)
    assert page_of(401, "3", 200) == (3, 3)
    assert page_of(401, "4", 200) == (3, 3)
    assert page_of(401, "0", 200) == (1, 3)
    assert page_of(401, "-2", 200) == (1, 3)
    assert page_of(401, "two", 200) == (1, 3)


@pytest.mark.parametrize("clicked", ["9" * 5000, "9" * 19])
def test_a_clicked_mark_number_no_mark_can_have_finds_nothing(project, document, annotator, labels, clicked):
    claim = mark(annotator, document, 0, 10, labels["claim"])
    response = client_for(annotator).get(reverse("link_targets", args=[claim.pk]), {"mark": clicked}, **HTMX)
    assert response.status_code == 200 and 'name="to_annotation"' not in response.content.decode()


def test_quotation_marks_are_not_doubled_in_lists(project, annotator, labels):
    # A mark whose text opens with its own quotation mark showed as ““These comrades…, and a document whose title
    # ends with one as “Did Stalin Want “Mass Terror?””.
    blog = DocumentFactory(
        project=project, title="Did Stalin Want “Mass Terror?”", text="“These comrades do not understand.”\n"
    )
    forum = DocumentFactory(project=project, title="Forum", text=FORUM_TEXT)
    quote = mark(annotator, blog, 0, 35, labels["quotation"])
    claim = mark(annotator, forum, 0, 33, labels["claim"])
    link_services.create_link(
        user=annotator, from_annotation=claim, type=type_of(project, "quotes"), to_annotation=quote
    )
    client = client_for(annotator)
    page = client.get(reverse("document_detail", args=[blog.pk])).content.decode()
    panel = client.get(reverse("annotation_detail", args=[claim.pk]), **HTMX).content.decode()
    assert "<q><bdi>“These comrades do not understand.”</bdi></q>" in page
    assert "in “<bdi>Did Stalin Want “Mass Terror?”</bdi></span>" in panel
    for body in (page, panel):
        assert "““" not in body and "””" not in body
