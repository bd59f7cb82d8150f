"""URLs of the annotator app."""
from django.urls import path

from .views import documents, exports, marks

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
    path("projects/<int:project_id>/export/", exports.project_export, name="project_export"),
    path("documents/<int:document_id>/export/", exports.document_export, name="document_export"),
]
