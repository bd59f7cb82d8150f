"""URLs of the annotator app."""
from django.urls import path

from .views import agreement, documents, exports, marks, review, sources, versions

urlpatterns = [
    path("", documents.project_list, name="project_list"),
    path("projects/<int:project_id>/", documents.project_detail, name="project_detail"),
    path("projects/<int:project_id>/labels.css", documents.label_css, name="label_css"),
    path("projects/<int:project_id>/documents/new/", documents.document_create, name="document_create"),
    path("documents/<int:document_id>/", marks.document_detail, name="document_detail"),
    path("documents/<int:document_id>/marks/", marks.mark_list, name="mark_list"),
    path("documents/<int:document_id>/changes/", marks.document_changes, name="document_changes"),
    path("documents/<int:document_id>/annotations/", marks.annotation_create, name="annotation_create"),
    path("annotations/<int:annotation_id>/", marks.annotation_detail, name="annotation_detail"),
    path("annotations/<int:annotation_id>/edit/", marks.annotation_update, name="annotation_update"),
    path("annotations/<int:annotation_id>/delete/", marks.annotation_delete, name="annotation_delete"),
    path("documents/<int:document_id>/versions/", versions.document_versions, name="document_versions"),
    path("documents/<int:document_id>/versions/diff/", versions.version_diff, name="version_diff"),
    path("documents/<int:document_id>/versions/<int:number>/", versions.version_detail, name="version_detail"),
    path("documents/<int:document_id>/versions/<int:number>/report/", versions.version_report, name="version_report"),
    path("annotations/<int:annotation_id>/reattach/", versions.annotation_reattach, name="annotation_reattach"),
    path("projects/<int:project_id>/review/", review.review_queue, name="review_queue"),
    path("annotations/<int:annotation_id>/review/", review.annotation_review, name="annotation_review"),
    path("projects/<int:project_id>/agreement/", agreement.agreement_index, name="agreement_index"),
    path("documents/<int:document_id>/agreement/", agreement.document_agreement, name="document_agreement"),
    # Sources, citations and quotation suggestions (issue 5)
    path("projects/<int:project_id>/sources/", sources.source_list, name="source_list"),
    path("projects/<int:project_id>/sources/new/", sources.source_create, name="source_create"),
    path("projects/<int:project_id>/sources/import/", sources.source_import, name="source_import"),
    path("projects/<int:project_id>/sources.json", sources.source_export, name="source_export"),
    path("sources/<int:source_id>/", sources.source_detail, name="source_detail"),
    path("sources/<int:source_id>/edit/", sources.source_update, name="source_update"),
    path("annotations/<int:annotation_id>/sources/", sources.source_picker, name="source_picker"),
    path("annotations/<int:annotation_id>/citations/", sources.citation_create, name="citation_create"),
    path("annotations/<int:annotation_id>/citations/new-source/", sources.citation_create_new, name="citation_create_new"),
    path("citations/<int:citation_id>/delete/", sources.citation_delete, name="citation_delete"),
    path("documents/<int:document_id>/suggestions/", sources.suggestion_list, name="suggestion_list"),
    path("documents/<int:document_id>/suggestions/accept/", sources.suggestion_accept, name="suggestion_accept"),
    path("projects/<int:project_id>/export/", exports.project_export, name="project_export"),
    path("documents/<int:document_id>/export/", exports.document_export, name="document_export"),
]
