"""New versions of a document: carrying marks, the report, re-attaching, old versions and diffs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotator import services
from annotator.models import Annotation, Document, DocumentVersion, Placement, Status
from annotator.services import versions

from .conftest import client_for

TEXT = (
    "The centre restrained local zeal, Getty argues.\n\n"
    "Xqzv wkpj mrtb ylnd is a garbled OCR line.\n\n"
    "The party demanded the purges, says the thread.\n"
)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def doc(project):
    return Document.objects.create(project=project, title="Thread", text=TEXT)


def mark(user, document, exact, label, **kw):
    start = document.text.index(exact)
    return services.annotate(
        user=user, document=document, start=start, end=start + len(exact), exact=exact, label=label, **kw
    )


def revise(manager, document, text, note="fix"):
    return versions.add_version(user=manager, document=document, text=text, note=note)


def test_a_new_version_carries_every_kind_of_mark_and_reports_it(doc, manager, annotator, reviewer, labels):
    kept = mark(annotator, doc, "Getty argues", labels["claim"])
    edited = mark(annotator, doc, "The centre restrained local zeal", labels["evidence"])
    services.review_annotation(user=reviewer, annotation=edited, status=Status.ACCEPTED)
    gone = mark(annotator, doc, "Xqzv wkpj mrtb ylnd", labels["quotation"])
    new_text = TEXT.replace("restrained", "restricted").replace("Xqzv wkpj mrtb ylnd is a garbled OCR line.\n\n", "")
    version = revise(manager, doc, new_text)

    doc.refresh_from_db()
    assert (doc.version, doc.text) == (2, new_text)
    assert list(DocumentVersion.objects.filter(document=doc).values_list("number", flat=True)) == [1, 2]
    by_id = {a.pk: a for a in Annotation.objects.select_related("span")}
    assert by_id[kept.pk].placement == "unchanged"
    assert new_text[by_id[kept.pk].span.start : by_id[kept.pk].span.end] == "Getty argues"
    assert by_id[edited.pk].placement == "fuzzy" and by_id[edited.pk].status == Status.PENDING
    assert (by_id[edited.pk].reviewed_by, by_id[edited.pk].reviewed_at) == (None, None)  # a pending mark has no review
    assert by_id[gone.pk].placement == "orphaned" and by_id[gone.pk].span.version == 1
    statuses = dict(Placement.objects.filter(version=version).values_list("annotation_id", "status"))
    assert statuses == {kept.pk: "unchanged", edited.pk: "fuzzy", gone.pk: "orphaned"}
    assert by_id[edited.pk].history.first().history_change_reason == "Carried to version 2: fuzzy"


def test_marks_after_an_edit_shift_and_keep_their_text(doc, manager, annotator, labels):
    later = mark(annotator, doc, "The party demanded", labels["claim"])
    revise(manager, doc, "Preface added.\n\n" + TEXT)
    later.refresh_from_db()
    assert later.placement == "shifted" and later.span.exact == "The party demanded"
    assert Document.objects.get(pk=doc.pk).text[later.span.start : later.span.end] == "The party demanded"


def test_the_document_page_shows_current_marks_and_lists_orphans(doc, manager, annotator, labels):
    mark(annotator, doc, "Xqzv wkpj", labels["claim"])
    mark(annotator, doc, "Getty", labels["claim"])
    revise(manager, doc, TEXT.replace("Xqzv wkpj mrtb ylnd is a garbled OCR line.", "A clean line."))
    body = client_for(annotator).get(reverse("document_detail", args=[doc.pk])).content.decode()
    assert body.count('class="p m ') == 1
    assert "Orphaned by a new version (1)" in body


def test_an_orphan_is_reattached_to_a_selection(doc, manager, annotator, labels):
    orphan = mark(annotator, doc, "Xqzv wkpj", labels["claim"])
    revise(manager, doc, TEXT.replace("Xqzv wkpj mrtb ylnd", "Clean words now"))
    doc.refresh_from_db()
    start = doc.text.index("Clean words")
    response = client_for(annotator).post(
        reverse("annotation_reattach", args=[orphan.pk]),
        {"start": start, "end": start + 11, "exact": "Clean words", "since": 0},
        **HTMX,
    )
    assert response.status_code == 200
    orphan.refresh_from_db()
    assert (orphan.placement, orphan.span.version, orphan.span.exact) == ("reattached", 2, "Clean words")
    assert Placement.objects.get(annotation=orphan).status == "reattached"


def test_reattaching_refuses_a_mismatched_selection_and_other_editors(doc, manager, annotator, annotator2, labels):
    orphan = mark(annotator, doc, "Xqzv wkpj", labels["claim"])
    revise(manager, doc, TEXT.replace("Xqzv wkpj mrtb ylnd", "Clean words now"))
    url = reverse("annotation_reattach", args=[orphan.pk])
    bad = client_for(annotator).post(url, {"start": 0, "end": 3, "exact": "zzz"}, **HTMX)
    assert bad.status_code == 422 and "does not match" in bad.content.decode()
    other = client_for(annotator2).post(url, {"start": 0, "end": 3, "exact": "The"}, **HTMX)
    assert other.status_code == 403
    orphan.refresh_from_db()
    assert orphan.placement == "orphaned"


def test_a_manager_uploads_a_new_version_and_lands_on_the_report(doc, manager, annotator, labels):
    mark(annotator, doc, "Getty", labels["claim"])
    upload = SimpleUploadedFile("v2.txt", TEXT.replace("Getty argues", "Getty argued").encode("utf-8"))
    response = client_for(manager).post(
        reverse("document_versions", args=[doc.pk]), {"file": upload, "note": "tense"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("version_report", args=[doc.pk, 2])
    body = response.content.decode()
    assert "How marks were carried to version 2" in body and "tense" in body


@pytest.mark.parametrize(
    "data,message",
    [
        ({"text": "   "}, "Upload a file or paste some text"),
        ({"file": SimpleUploadedFile("v.txt", "café".encode("latin-1"))}, "not UTF-8"),
        ({"text": TEXT}, "same as the current one"),
        # Only byte order marks: blank once normalised (this answered 500).
        ({"text": "\ufeff"}, "The document is empty"),
        ({"file": SimpleUploadedFile("v.txt", b"\xef\xbb\xbf\xef\xbb\xbf")}, "The document is empty"),
    ],
)
def test_bad_new_versions_are_refused_and_change_nothing(doc, manager, data, message):
    response = client_for(manager).post(reverse("document_versions", args=[doc.pk]), data)
    assert response.status_code == 422 and message in response.content.decode()
    doc.refresh_from_db()
    assert doc.version == 1 and not DocumentVersion.objects.exists()


def test_only_managers_add_versions_and_outsiders_see_nothing(doc, annotator, outsider, manager):
    assert client_for(annotator).post(reverse("document_versions", args=[doc.pk]), {"text": "new"}).status_code == 403
    revise(manager, doc, TEXT + "More.\n")
    for url in [
        reverse("document_versions", args=[doc.pk]),
        reverse("version_report", args=[doc.pk, 2]),
        reverse("version_detail", args=[doc.pk, 1]),
        reverse("version_diff", args=[doc.pk]) + "?from=1&to=2",
    ]:
        assert client_for(outsider).get(url).status_code == 404, url
        assert client_for(annotator).get(url).status_code == 200, url
    assert client_for(outsider).post(reverse("document_versions", args=[doc.pk]), {"text": "x"}).status_code == 404


def test_an_earlier_version_is_readable_with_its_marks(doc, manager, annotator, labels):
    m = mark(annotator, doc, "Xqzv wkpj", labels["claim"])
    revise(manager, doc, TEXT.replace("Xqzv wkpj mrtb ylnd", "Clean words now"))
    body = client_for(annotator).get(reverse("version_detail", args=[doc.pk, 1])).content.decode()
    assert f'data-marks="{m.pk}"' in body and ">Xqzv wkpj</mark>" in body


def test_the_diff_view_shows_the_change_and_the_marks_it_touched(doc, manager, annotator, labels):
    mark(annotator, doc, "The centre restrained", labels["claim"])
    revise(manager, doc, TEXT.replace("restrained", "restricted"))
    body = client_for(annotator).get(reverse("version_diff", args=[doc.pk]), {"from": 1, "to": 2}).content.decode()
    assert "<del>restrained</del>" in body and "<ins>restricted</ins>" in body
    assert "Marks the change touched" in body


def test_an_open_page_reloads_when_the_text_gets_a_new_version(doc, manager, annotator):
    revise(manager, doc, TEXT + "More.\n")
    response = client_for(annotator).get(reverse("document_changes", args=[doc.pk]), {"since": 0}, **HTMX)
    assert response["HX-Refresh"] == "true"


def test_a_stale_page_cannot_mark_the_new_text_with_old_offsets(doc, manager, annotator, labels):
    start = TEXT.index("Getty")
    revise(manager, doc, "New first line.\n" + TEXT)
    with pytest.raises(services.ActionRefused, match="does not match"):
        services.annotate(
            user=annotator,
            document=Document.objects.get(pk=doc.pk),
            start=start,
            end=start + 5,
            exact="Getty",
            label=labels["claim"],
        )


def test_a_manager_deletes_an_orphan_but_not_an_ordinary_mark_of_someone_else(doc, manager, annotator, labels):
    orphan = mark(annotator, doc, "Xqzv wkpj", labels["claim"])
    ordinary = mark(annotator, doc, "Getty argues", labels["claim"])
    revise(manager, doc, TEXT.replace("Xqzv wkpj mrtb ylnd", "Clean words now"))
    client = client_for(manager)
    panel = client.get(reverse("annotation_detail", args=[orphan.pk]), **HTMX).content.decode()
    assert "Delete mark (as manager)" in panel
    orphan.refresh_from_db()
    ordinary.refresh_from_db()
    refused = client.post(reverse("annotation_delete", args=[ordinary.pk]), {"version": ordinary.version}, **HTMX)
    assert refused.status_code == 403
    deleted = client.post(reverse("annotation_delete", args=[orphan.pk]), {"version": orphan.version}, **HTMX)
    assert deleted.status_code == 200
    assert list(Annotation.objects.values_list("pk", flat=True)) == [ordinary.pk]
