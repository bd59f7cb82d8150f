"""URLs of the API: /api/v1/ and its schema and reference page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The reference page's script is a file of its own (?script), not inline: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/projects/", views.ProjectList.as_view(), name="project_list"),
    path("v1/projects/<int:project_id>/", views.ProjectDetail.as_view(), name="project_detail"),
    path("v1/projects/<int:project_id>/members/", views.MemberList.as_view(), name="member_list"),
    path("v1/projects/<int:project_id>/labels/", views.LabelList.as_view(), name="label_list"),
    path("v1/projects/<int:project_id>/documents/", views.DocumentList.as_view(), name="document_list"),
    path("v1/projects/<int:project_id>/marks/", views.ProjectMarkList.as_view(), name="project_mark_list"),
    path("v1/extractions/<int:extraction_id>/", views.ExtractionDetail.as_view(), name="extraction_detail"),
    path("v1/documents/<int:document_id>/", views.DocumentDetail.as_view(), name="document_detail"),
    path("v1/documents/<int:document_id>/versions/", views.VersionList.as_view(), name="version_list"),
    path("v1/documents/<int:document_id>/marks/", views.MarkList.as_view(), name="mark_list"),
    path("v1/documents/<int:document_id>/marks/bulk/", views.MarkBulk.as_view(), name="mark_bulk"),
    path("v1/documents/<int:document_id>/marks/all/", views.MarkStream.as_view(), name="mark_stream"),
    path("v1/marks/<int:annotation_id>/", views.MarkDetail.as_view(), name="mark_detail"),
    path("v1/marks/<int:annotation_id>/review/", views.MarkReview.as_view(), name="mark_review"),
    path("v1/projects/<int:project_id>/sources/", views.SourceList.as_view(), name="source_list"),
    path("v1/sources/<int:source_id>/", views.SourceDetail.as_view(), name="source_detail"),
    path("v1/marks/<int:annotation_id>/citations/", views.CitationList.as_view(), name="citation_list"),
    path("v1/citations/<int:citation_id>/", views.CitationDetail.as_view(), name="citation_detail"),
    path("v1/projects/<int:project_id>/link-types/", views.LinkTypeList.as_view(), name="link_type_list"),
    path("v1/marks/<int:annotation_id>/links/", views.LinkList.as_view(), name="link_list"),
    path("v1/links/<int:link_id>/", views.LinkDetail.as_view(), name="link_detail"),
    path("v1/links/<int:link_id>/review/", views.LinkReview.as_view(), name="link_review"),
    path("v1/projects/<int:project_id>/export/", views.ProjectExport.as_view(), name="project_export"),
    path("v1/documents/<int:document_id>/export/", views.DocumentExport.as_view(), name="document_export"),
    path("v1/projects/<int:project_id>/import/", views.MarkImport.as_view(), name="mark_import"),
    path("v1/imports/<int:import_id>/", views.ImportDetail.as_view(), name="import_detail"),
    path("v1/imports/<int:import_id>/confirm/", views.ImportConfirm.as_view(), name="import_confirm"),
    # Last: any other path under /api/ (an unknown route, an id that is not a number) is a 404 in the API's error
    # shape, not the pages' HTML. No name: it is no route to call (the permission matrix tests it on its own).
    re_path(r"^", views.unknown_route),
]
