"""Links between marks through the services: type rules, cross-document links, permissions, review, deletion, history."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from annotator import services
from annotator.models import Change, Document, Link, LinkType, Status
from annotator.services import links as link_services
from annotator.services import versions as version_services

from .conftest import client_for
from .factories import DocumentFactory, ProjectFactory, SourceFactory

FORUM_TEXT = "Stalin was unseated by the party.\nHe was not; his rivals were shot.\n"


def mark(user, document, start, end, label):
    return services.annotate(
        user=user, document=document, start=start, end=end, exact=document.text[start:end], label=label
    )


def link_type(project, key):
    return LinkType.objects.get(project=project, key=key)


@pytest.fixture
def forum(project):
    return DocumentFactory(project=project, title="Forum", text=FORUM_TEXT)


@pytest.fixture
def claim(forum, annotator, labels):
    return mark(annotator, forum, 0, 33, labels["claim"])


@pytest.fixture
def evidence(document, annotator, labels):
    return mark(annotator, document, 34, 70, labels["evidence"])


def test_every_new_project_gets_the_default_link_types_with_their_label_rules(project, labels):
    types = list(project.link_types.all())
    assert [t.key for t in types] == ["supports", "refutes", "quotes", "attributed-to", "same-as"]
    supports = types[0]
    assert list(supports.from_labels.all()) == [labels["evidence"]]
    assert list(supports.to_labels.all()) == [labels["claim"]]
    assert [(t.key, t.targets) for t in types if t.targets != "marks"] == [("attributed-to", "persons")]


def test_evidence_in_one_document_supports_a_claim_in_another_and_both_pages_redraw(
    project, document, forum, claim, evidence, annotator2
):
    revisions = {d.pk: d.revision for d in Document.objects.all()}
    link = link_services.create_link(
        user=annotator2,
        from_annotation=evidence,
        type=link_type(project, "supports"),
        to_annotation=claim,
        note="  see p. 3 ",
    )
    assert (link.project, link.created_by, link.note, link.status, link.version) == (
        project,
        annotator2,
        "see p. 3",
        "pending",
        1,
    )
    assert Document.objects.get(pk=document.pk).revision == revisions[document.pk] + 1
    assert Document.objects.get(pk=forum.pk).revision == revisions[forum.pk] + 1
    assert Change.objects.filter(document=forum, start=0, end=33).count() == 2  # the mark, then the link
    assert link.history.latest().history_user == annotator2


def test_the_type_rules_are_enforced_with_a_message_and_nothing_is_saved(project, claim, evidence, annotator):
    with pytest.raises(
        services.ActionRefused, match="A “supports” link starts from a mark labelled Evidence, not Claim."
    ):
        link_services.create_link(
            user=annotator, from_annotation=claim, type=link_type(project, "supports"), to_annotation=evidence
        )
    with pytest.raises(services.ActionRefused, match="points to another mark, not to a source or a speaker"):
        link_services.create_link(
            user=annotator, from_annotation=evidence, type=link_type(project, "supports"), speaker="Stalin"
        )
    assert not Link.objects.exists()


def test_a_quotation_is_attributed_to_a_speaker_or_a_source(project, document, annotator, labels):
    quotation = mark(annotator, document, 0, 10, labels["quotation"])
    attributed = link_type(project, "attributed-to")
    by_name = link_services.create_link(
        user=annotator, from_annotation=quotation, type=attributed, speaker="  J. V.   Stalin "
    )
    source = SourceFactory(project=project, title="Collected Works")
    by_source = link_services.create_link(user=annotator, from_annotation=quotation, type=attributed, to_source=source)
    assert (by_name.speaker, by_name.target_kind, by_source.target_kind) == ("J. V. Stalin", "speaker", "source")
    with pytest.raises(services.ActionRefused, match="exists already"):
        link_services.create_link(user=annotator, from_annotation=quotation, type=attributed, speaker="J. V. Stalin")
    with pytest.raises(services.ActionRefused, match="one thing to link to"):
        link_services.create_link(
            user=annotator, from_annotation=quotation, type=attributed, speaker="X", to_source=source
        )


def test_no_link_to_itself_nor_twice(project, document, annotator, labels):
    a = mark(annotator, document, 0, 10, labels["claim"])
    b = mark(annotator, document, 11, 20, labels["claim"])
    same = link_type(project, "same-as")
    with pytest.raises(services.ActionRefused, match="cannot be linked to itself"):
        link_services.create_link(user=annotator, from_annotation=a, type=same, to_annotation=a)
    link_services.create_link(user=annotator, from_annotation=a, type=same, to_annotation=b)
    with pytest.raises(services.ActionRefused, match="exists already"):
        link_services.create_link(user=annotator, from_annotation=a, type=same, to_annotation=b)


def test_the_database_refuses_a_self_link_and_a_duplicate(project, document, annotator, labels):
    a = mark(annotator, document, 0, 10, labels["claim"])
    b = mark(annotator, document, 11, 20, labels["claim"])
    same = link_type(project, "same-as")
    base = {"project": project, "type": same, "from_annotation": a, "created_by": annotator}
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(**base, to_annotation=a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(**base)  # no target at all
    Link.objects.create(**base, to_annotation=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(**base, to_annotation=b)


def test_no_link_into_another_project_nor_by_an_outsider(project, evidence, annotator, outsider, labels):
    elsewhere = outsider.memberships.get().project
    foreign_doc = DocumentFactory(project=elsewhere)
    foreign_claim = mark(outsider, foreign_doc, 0, 10, elsewhere.labels.get(key="claim"))
    with pytest.raises(services.ActionRefused, match="another project"):
        link_services.create_link(
            user=annotator, from_annotation=evidence, type=link_type(project, "supports"), to_annotation=foreign_claim
        )
    with pytest.raises(services.ActionRefused, match="another project"):
        link_services.create_link(
            user=annotator, from_annotation=evidence, type=link_type(elsewhere, "supports"), to_annotation=foreign_claim
        )
    with pytest.raises(services.ActionRefused, match="That mark belongs to another project."):
        link_services.create_link(
            user=outsider, from_annotation=foreign_claim, type=link_type(elsewhere, "same-as"), to_annotation=evidence
        )
    with pytest.raises(services.Forbidden, match="not a member"):
        link_services.create_link(
            user=outsider, from_annotation=evidence, type=link_type(project, "supports"), to_annotation=evidence
        )
    assert not Link.objects.exists()


def test_only_the_author_edits_or_deletes_a_link_and_an_edit_reopens_review(
    project, claim, evidence, annotator, annotator2, reviewer
):
    link = link_services.create_link(
        user=annotator, from_annotation=evidence, type=link_type(project, "supports"), to_annotation=claim
    )
    with pytest.raises(services.Forbidden, match="Only the author"):
        link_services.update_link(user=annotator2, link=link, version=1, note="mine now")
    with pytest.raises(services.Forbidden):
        link_services.delete_link(user=annotator2, link=link)
    link = link_services.review_link(user=reviewer, link=link, status=Status.ACCEPTED, version=1, note="sound")
    with pytest.raises(services.Conflict):
        link_services.update_link(user=annotator, link=link, version=1, note="stale")
    link = link_services.update_link(user=annotator, link=link, version=2, note="a better note")
    assert (link.note, link.status, link.version) == ("a better note", "pending", 3)
    # Pending again, it carries no review (it kept the old one, shown as "Pending by reviewer"); its history does.
    assert (link.reviewed_by, link.reviewed_at, link.review_note) == (None, None, "")
    assert link.history.filter(status="accepted", reviewed_by=reviewer, review_note="sound").exists()
    link_services.delete_link(user=annotator, link=link, version=3)
    assert not Link.objects.exists()
    assert [h.history_type for h in Link.history.order_by("history_date")] == ["+", "~", "~", "-"]


def test_reviewers_and_managers_review_links_but_never_their_own(
    project, claim, evidence, annotator, reviewer, manager
):
    link = link_services.create_link(
        user=annotator, from_annotation=evidence, type=link_type(project, "supports"), to_annotation=claim
    )
    with pytest.raises(services.Forbidden, match="Only reviewers and managers"):
        link_services.review_link(user=annotator, link=link, status="accepted")
    own = link_services.create_link(
        user=manager,
        from_annotation=claim,
        type=link_type(project, "same-as"),
        to_annotation=mark(annotator, claim.span.document, 34, 40, claim.label),
    )
    with pytest.raises(services.Forbidden, match="Nobody reviews their own link"):
        link_services.review_link(user=manager, link=own, status="accepted")
    reviewed = link_services.review_link(user=reviewer, link=link, status="rejected", note=" weak ", version=1)
    assert (reviewed.status, reviewed.reviewed_by, reviewed.review_note, reviewed.version) == (
        "rejected",
        reviewer,
        "weak",
        2,
    )
    with pytest.raises(services.Conflict):
        link_services.review_link(user=manager, link=link, status="accepted", version=1)


def test_deleting_a_mark_deletes_its_links_keeps_their_history_and_redraws_the_other_document(
    project, forum, claim, evidence, annotator, annotator2
):
    link_services.create_link(
        user=annotator2, from_annotation=evidence, type=link_type(project, "supports"), to_annotation=claim
    )
    before = Document.objects.get(pk=forum.pk).revision
    services.delete_annotation(user=annotator, annotation=evidence)
    assert not Link.objects.exists()
    deleted = Link.history.filter(history_type="-").get()
    assert deleted.history_user == annotator and deleted.to_annotation_id == claim.pk
    assert Document.objects.get(pk=forum.pk).revision == before + 1


def test_links_of_a_mark_counts_both_directions(project, document, claim, evidence, annotator, labels):
    quotation = mark(annotator, document, 0, 10, labels["quotation"])
    link_services.create_link(
        user=annotator, from_annotation=evidence, type=link_type(project, "supports"), to_annotation=claim
    )
    link_services.create_link(
        user=annotator, from_annotation=claim, type=link_type(project, "quotes"), to_annotation=quotation
    )
    assert link_services.links_of(claim).count() == 2
    assert link_services.links_of(quotation).count() == 1


def test_managers_add_rename_and_reorder_link_types(project, manager, annotator, labels):
    added = link_services.add_link_type(
        user=manager,
        project=project,
        name="contextualises",
        inverse_name="is contextualised by",
        from_labels=[labels["evidence"]],
        to_labels=[labels["claim"], labels["quotation"]],
    )
    assert (added.key, added.order) == ("contextualises", 5)
    renamed = link_services.rename_link_type(
        user=manager, link_type=link_type(project, "supports"), name="backs", inverse_name="is backed by"
    )
    assert (renamed.key, renamed.name) == ("supports", "backs")
    link_services.move_link_type(user=manager, link_type=added, step=-1)
    assert [t.key for t in project.link_types.all()][-2:] == ["contextualises", "same-as"]
    with pytest.raises(services.ActionRefused, match="exists already"):
        link_services.add_link_type(user=manager, project=project, name="refutes")
    with pytest.raises(services.Forbidden):
        link_services.add_link_type(user=annotator, project=project, name="rebuts")
    other = ProjectFactory(name="Other")
    with pytest.raises(services.ActionRefused, match="another project"):
        link_services.add_link_type(user=manager, project=project, name="rebuts", from_labels=[other.labels.first()])


def test_the_data_migration_gives_existing_projects_the_defaults_and_skips_types_whose_labels_are_missing(db):
    import importlib

    from django.apps import apps

    from annotator.models import Label, Project

    migration = importlib.import_module("annotator.migrations.0005_default_link_types")
    full = Project.objects.create(name="Made before links")
    for i, key in enumerate(["claim", "evidence", "quotation"]):
        Label.objects.create(project=full, key=key, name=key.title(), order=i)
    partial = Project.objects.create(name="No evidence label")
    Label.objects.create(project=partial, key="claim", name="Claim")
    migration.add_default_link_types(apps, None)
    migration.add_default_link_types(apps, None)  # twice: nothing doubles
    assert [t.key for t in full.link_types.all()] == ["supports", "refutes", "quotes", "attributed-to", "same-as"]
    assert list(full.link_types.get(key="quotes").to_labels.values_list("key", flat=True)) == ["quotation"]
    assert [t.key for t in partial.link_types.all()] == ["same-as"]


def test_a_mark_a_new_version_orphaned_cannot_be_linked_and_leaves_the_map(
    project, document, annotator, manager, labels
):
    text = document.text
    claim = services.annotate(
        user=annotator, document=document, start=0, end=10, exact=text[:10], label=labels["claim"]
    )
    start = text.index("Getty argues")
    evidence = services.annotate(
        user=annotator, document=document, start=start, end=start + 12, exact="Getty argues", label=labels["evidence"]
    )
    supports = {t.key: t for t in project.link_types.all()}["supports"]
    link_services.create_link(user=annotator, from_annotation=evidence, type=supports, to_annotation=claim)
    version_services.add_version(user=manager, document=document, text=text.replace("Getty argues", "Nobody claims"))
    evidence.refresh_from_db()
    assert evidence.placement == "orphaned"
    client = client_for(annotator)
    map_page = client.get(reverse("document_map", args=[document.pk])).content.decode()
    assert "Getty argues" not in map_page
    second = services.annotate(user=annotator, document=document, start=0, end=5, exact=text[:5], label=labels["claim"])
    with pytest.raises(services.ActionRefused, match="orphaned"):
        link_services.create_link(user=annotator, from_annotation=evidence, type=supports, to_annotation=second)
