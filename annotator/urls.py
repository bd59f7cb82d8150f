"""URLs of the annotator app."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("projects/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<int:project_id>/labels.css", views.label_css, name="label_css"),
    path("projects/<int:project_id>/documents/new/", views.document_create, name="document_create"),
    path("documents/<int:document_id>/", views.document_detail, name="document_detail"),
    path("documents/<int:document_id>/marks/", views.mark_list, name="mark_list"),
    path("documents/<int:document_id>/changes/", views.document_changes, name="document_changes"),
    path("documents/<int:document_id>/annotations/", views.annotation_create, name="annotation_create"),
    path("annotations/<int:annotation_id>/", views.annotation_detail, name="annotation_detail"),
    path("annotations/<int:annotation_id>/edit/", views.annotation_update, name="annotation_update"),
    path("annotations/<int:annotation_id>/delete/", views.annotation_delete, name="annotation_delete"),
]
