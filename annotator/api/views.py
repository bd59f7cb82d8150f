"""The API's endpoints: each parses what was sent, calls a read or a service, and renders the answer.

Access comes from annotator/permissions.py (an outsider gets 404, as on the pages); every write goes through a
service, which checks who may make it.
"""

from __future__ import annotations

import itertools
import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import resolve, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import bibliography, reads, services
from .. import text as textlib
from ..forms import ExportForm
from ..models import Annotation, Document, DocumentVersion, Label, Link, LinkType, Membership, Source
from ..permissions import (
    annotation_for,
    citation_for,
    document_for,
    extraction_for,
    import_upload_for,
    link_for,
    project_for,
    source_for,
)
from ..services import import_uploads, versions
from ..services import ingest as ingest_services
from ..services import links as link_services
from ..services import sources as source_services
from . import bulk
from . import serializers as s
from .errors import error, refusal

OFFSETS = OpenApiParameter(
    "offsets",
    str,
    enum=list(s.OFFSETS),
    description="How offsets count, in what is sent and what comes back: Unicode code points (the default) or "
    "UTF-16 code units, as JavaScript counts.",
)
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, description="The mark's version (its ETag); instead of `version`."
)


class ApiView(APIView):
    """What every endpoint shares: answers are the asker's own (never kept by a shared cache)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True)
        patch_vary_headers(response, ["Authorization"])
        return response


class Pages(CursorPagination):
    """Cursor pagination in id order: stable while marks are added, changed and deleted."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def paginated(view: ApiView, queryset, serializer_class, *, rows, **context):
    """A page of the queryset, in id order. The page's ids are found first, then their rows read by id from `rows`
    (the same model, with what the serializer reads joined): the database sorts the matching ids, from its indexes,
    instead of the matching rows whole (a document of 10,000 marks: 12 ms of the 20 a page may take, every mark's
    span, label and authors copied into SQLite's sorter). Read by id alone, not under the page's filters again:
    SQLite would plan that by the filters and test every match against the ids."""
    paginator = Pages()
    page = paginator.paginate_queryset(queryset.values("id"), view.request, view=view) or []
    found = rows.in_bulk([row["id"] for row in page])
    data = serializer_class([found[row["id"]] for row in page if row["id"] in found], many=True, context=context).data
    return paginator.get_paginated_response(data)


def valid(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer


@csrf_exempt  # it reads nothing sent and writes nothing: a POST to a wrong path is told so, not asked for a token
def unknown_route(request):
    """Any path under /api/ that names no route, whatever the method: 404 in the API's one error shape."""
    message = "No such route in the API; /api/schema/ lists them."
    if not request.path_info.endswith("/") and resolve(request.path_info + "/").func is not unknown_route:
        message = f"No such route in the API; did you mean {request.path_info}/ (the routes end with a slash)?"
    return JsonResponse({"errors": [error(message, "not_found")]}, status=status.HTTP_404_NOT_FOUND)


# Projects, members, labels --------------------------------------------------------------------------------------


class ProjectList(ApiView):
    @extend_schema(responses=s.ProjectSerializer(many=True), summary="Your projects")
    def get(self, request):
        memberships = Membership.objects.filter(user=request.user).select_related("project").order_by("project_id")
        return Response(s.ProjectSerializer([_with_role(m) for m in memberships], many=True).data)


def _with_role(membership):
    project = membership.project
    project.role = membership.role
    return project


class ProjectDetail(ApiView):
    @extend_schema(responses=s.ProjectSerializer, summary="A project")
    def get(self, request, project_id):
        _, membership = project_for(request.user, project_id)
        return Response(s.ProjectSerializer(_with_role(membership)).data)


class MemberList(ApiView):
    @extend_schema(responses=s.MemberSerializer(many=True), summary="A project's members")
    def get(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        members = Membership.objects.filter(project=project).select_related("user").order_by("user__username")
        return Response(s.MemberSerializer(members, many=True).data)


class LabelList(ApiView):
    @extend_schema(responses=s.LabelSerializer(many=True), summary="A project's labels, in their order")
    def get(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        return Response(s.LabelSerializer(project.labels.all(), many=True).data)


def label_of(project_id: int, key: str, field: str = "label") -> Label:
    label = Label.objects.filter(project_id=project_id, key=key).first()
    if label is None:
        raise ValidationError({field: [f"The project has no label with the key “{key}”."]})
    return label


# Documents ------------------------------------------------------------------------------------------------------


class DocumentList(ApiView):
    @extend_schema(responses=s.DocumentSerializer(many=True), summary="A project's documents")
    def get(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        documents = Document.objects.filter(project=project).defer("text")
        return paginated(self, documents, s.DocumentSerializer, rows=Document.objects.defer("text"))

    @extend_schema(
        request=s.DocumentCreateSerializer,
        responses={201: s.DocumentDetailSerializer, 202: s.ExtractionSerializer},
        summary="Add a document (managers): from text at once (201), from a web page or a file in the background (202)",
    )
    def post(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        data = valid(s.DocumentCreateSerializer, request.data).validated_data
        if "text" in data:
            document = services.add_document(
                user=request.user, project=project, title=data["title"], text=data["text"], origin=data["origin"]
            )
            return Response(s.DocumentDetailSerializer(_with_versions(document)).data, status=status.HTTP_201_CREATED)
        extraction = ingest_services.request_document(
            user=request.user,
            project=project,
            title=data["title"],
            url=data.get("url", ""),
            name=data.get("file_name", ""),
            data=data.get("file", b""),
        )
        answer = Response(s.ExtractionSerializer(extraction).data, status=status.HTTP_202_ACCEPTED)
        answer["Location"] = reverse("api:extraction_detail", args=[extraction.pk])
        return answer


class ExtractionDetail(ApiView):
    @extend_schema(responses=s.ExtractionSerializer, summary="A document being made from a web page or a file")
    def get(self, request, extraction_id):
        extraction, _ = extraction_for(request.user, extraction_id)
        return Response(s.ExtractionSerializer(extraction).data)


def _with_versions(document):
    document.versions_read = list(
        DocumentVersion.objects.filter(document=document).defer("text", "pages").select_related("created_by")
    )
    return document


class DocumentDetail(ApiView):
    @extend_schema(responses=s.DocumentDetailSerializer, summary="A document, with its text and versions")
    def get(self, request, document_id):
        document, _ = document_for(request.user, document_id)
        return Response(s.DocumentDetailSerializer(_with_versions(document)).data)


class VersionList(ApiView):
    @extend_schema(
        request=s.VersionCreateSerializer,
        responses={201: s.VersionSerializer},
        summary="A new version of a document's text (managers); its marks are carried to it",
    )
    def post(self, request, document_id):
        document, _ = document_for(request.user, document_id)
        data = valid(s.VersionCreateSerializer, request.data).validated_data
        version = versions.add_version(user=request.user, document=document, **data)
        return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)


# Marks ----------------------------------------------------------------------------------------------------------


def _marks():
    return Annotation.objects.select_related("span", "label", "created_by", "reviewed_by")


def _filters(request) -> tuple[dict, s.Offsets]:
    serializer = valid(s.MarkFilterSerializer, request.query_params)
    return serializer.filters(), s.Offsets(serializer.validated_data["offsets"])


FILTERS = [OFFSETS, s.MarkFilterSerializer]


class ProjectMarkList(ApiView):
    @extend_schema(parameters=FILTERS, responses=s.MarkSerializer(many=True), summary="Marks of a project")
    def get(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        filters, offsets = _filters(request)
        marks = _marks().current().filter(span__document__project=project, **filters)
        return paginated(self, marks, s.MarkSerializer, rows=_marks(), offsets=offsets)


class MarkList(ApiView):
    @extend_schema(parameters=FILTERS, responses=s.MarkSerializer(many=True), summary="Marks of a document")
    def get(self, request, document_id):
        document, _ = document_for(request.user, document_id, text=False)
        filters, offsets = _filters(request)
        marks = _marks().current(document).filter(**filters)
        return paginated(self, marks, s.MarkSerializer, rows=_marks(), offsets=offsets)

    @extend_schema(
        parameters=[OFFSETS], request=s.MarkCreateSerializer, responses={201: s.MarkSerializer}, summary="Mark text"
    )
    def post(self, request, document_id):
        offsets = s.Offsets.of(request)
        document, _ = document_for(request.user, document_id, text=offsets.utf16)
        data = valid(s.MarkCreateSerializer, request.data).validated_data
        start, end = data["start"], data["end"]
        if offsets.utf16:
            convert = offsets.converter((document.pk, document.version), lambda: document.text)
            start, end = convert.to_codepoint(start), convert.to_codepoint(end)
        annotation = services.annotate(
            user=request.user,
            document=document,
            start=start,
            end=end,
            exact=data["exact"],
            label=label_of(document.project_id, data["label"]),
            note=data["note"],
        )
        return _mark_answer(annotation.pk, offsets, status.HTTP_201_CREATED)


def _mark_answer(annotation_id: int, offsets: s.Offsets, code: int = status.HTTP_200_OK) -> Response:
    mark = _marks().get(pk=annotation_id)
    response = Response(s.MarkSerializer(mark, context={"offsets": offsets}).data, status=code)
    response["ETag"] = f'"{mark.version}"'
    return response


def _version_of(request, sent: int | None) -> int | None:
    """The version the client read: `version` in the body, or the If-Match header (an ETag: "3" or W/"3")."""
    if sent is not None:
        return sent
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not header:
        return None
    if not header.isdigit():
        raise ValidationError({"If-Match": ['If-Match holds the mark\'s version, as its ETag gives it: "3".']})
    return int(header)


class MarkDetail(ApiView):
    @extend_schema(parameters=[OFFSETS], responses=s.MarkSerializer, summary="A mark")
    def get(self, request, annotation_id):
        annotation_for(request.user, annotation_id)
        return _mark_answer(annotation_id, s.Offsets.of(request))

    @extend_schema(
        parameters=[OFFSETS, IF_MATCH],
        request=s.MarkUpdateSerializer,
        responses=s.MarkSerializer,
        summary="Change a mark's label or note (its author); the version read must be sent",
    )
    def patch(self, request, annotation_id):
        annotation, _ = annotation_for(request.user, annotation_id)
        data = valid(s.MarkUpdateSerializer, request.data).validated_data
        version = _version_of(request, data.get("version"))
        if version is None:
            raise ValidationError({"version": ["Send the version you read (in the body, or as If-Match)."]})
        label = label_of(annotation.span.document.project_id, data["label"]) if "label" in data else None
        services.update_annotation(
            user=request.user, annotation=annotation, version=version, label=label, note=data.get("note")
        )
        return _mark_answer(annotation.pk, s.Offsets.of(request))

    @extend_schema(parameters=[IF_MATCH], responses={204: None}, summary="Delete a mark (its author)")
    def delete(self, request, annotation_id):
        annotation, _ = annotation_for(request.user, annotation_id)
        services.delete_annotation(user=request.user, annotation=annotation, version=_version_of(request, None))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarkReview(ApiView):
    @extend_schema(
        parameters=[OFFSETS, IF_MATCH],
        request=s.ReviewSerializer,
        responses=s.MarkSerializer,
        summary="Accept or reject a mark, or put it back to pending (reviewers and managers)",
    )
    def post(self, request, annotation_id):
        annotation, _ = annotation_for(request.user, annotation_id)
        data = valid(s.ReviewSerializer, request.data).validated_data
        services.review_annotation(
            user=request.user,
            annotation=annotation,
            status=data["status"],
            note=data["note"],
            version=_version_of(request, data.get("version")),
        )
        return _mark_answer(annotation.pk, s.Offsets.of(request))


# Many marks at once ---------------------------------------------------------------------------------------------


class MarkBulk(ApiView):
    @extend_schema(
        parameters=[OFFSETS],
        request=s.BulkSerializer,
        responses={201: s.BulkResultSerializer},
        summary="Make many marks, with their citations and links, all or nothing",
        description=f"At most {settings.ANNOTATOR_API_MAX_BULK_MARKS} marks. Every rule of a single mark holds; a "
        "refusal lists every item at fault, its field starting `marks.<index>`.",
    )
    def post(self, request, document_id):
        offsets = s.Offsets.of(request)
        document, _ = document_for(request.user, document_id, text=True)
        try:
            batch = bulk.parse(request.data, document, offsets)
        except bulk.Invalid as exc:
            return exc.answer()
        try:
            made = services.bulk.bulk_mark_up(
                user=request.user, document=document, cap=settings.ANNOTATOR_API_MAX_BULK_MARKS, **batch
            )
        except services.bulk.BatchRefused as exc:
            return bulk.refused_items(exc)
        except services.ActionRefused as exc:
            return refusal(exc)
        return Response({"ids": made}, status=status.HTTP_201_CREATED)


class MarkStream(ApiView):
    @extend_schema(
        parameters=[
            OFFSETS,
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="A version of the text; the current one if none."
            ),
        ],
        responses=s.AllMarksSerializer,
        summary="Every mark of a document, in one streamed answer (compact form, text order)",
    )
    def get(self, request, document_id):
        offsets = s.Offsets.of(request)
        document, _ = document_for(request.user, document_id, text=False)
        number = request.query_params.get("version", "")
        if number and not number.isdigit():
            raise ValidationError({"version": ["A version is a number."]})
        number = int(number) if number else document.version
        if not DocumentVersion.objects.filter(document=document, number=number).exists() and number != document.version:
            raise NotFound(f"This document has no version {number}.")
        convert = offsets.converter(number, lambda: DocumentVersion.objects.texts_of(document.pk, [number])[number])
        head = {"document": document.pk, "text_version": number, "offsets": "utf16" if offsets.utf16 else "codepoints"}
        response = StreamingHttpResponse(
            _stream(head, reads.compact_marks(document, number), convert), content_type="application/json"
        )
        return response


KEYS = ("id", "start", "end", "exact", "label", "author", "status", "sources")


def _stream(head: dict, rows, convert):
    """The JSON of all marks, written as read: a chunk of marks at a time, without spaces (10,000 marks: 2 MB)."""
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "marks": ['
    first = True
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, reads.COMPACT_CHUNK)):
        if convert is not None:
            chunk = [(row[0], convert.to_utf16(row[1]), convert.to_utf16(row[2]), *row[3:]) for row in chunk]
        yield ("" if first else ",") + _COMPACT.encode([dict(zip(KEYS, row)) for row in chunk])[1:-1]
        first = False
    yield "]}"


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


# Sources, citations -------------------------------------------------------------------------------------------


class SourceList(ApiView):
    @extend_schema(responses=s.CslItemSerializer(many=True), summary="A project's bibliography, as CSL-JSON")
    def get(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        return Response(reads.csl_items(Source.objects.filter(project=project)))

    @extend_schema(
        request=s.SourceImportSerializer,
        responses={201: s.SourceImportResultSerializer},
        summary="Add sources from CSL-JSON or BibTeX (annotators and managers), all or nothing unless partial",
    )
    def post(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        data = valid(s.SourceImportSerializer, request.data).validated_data
        name, text = ("sources.json", json.dumps(data["csl"])) if "csl" in data else ("sources.bib", data["bibtex"])
        try:
            entries = bibliography.read_file(name, textlib.normalise_text(text))
        except bibliography.BibliographyError as exc:
            raise ValidationError({"csl" if "csl" in data else "bibtex": [str(exc)]}) from None
        try:
            report = source_services.import_sources(
                user=request.user, project=project, entries=entries, partial=data["partial"]
            )
        except source_services.SourceImportRefused as exc:
            found = [error(reason, "refused", entry) for entry, reason in exc.report.refused]
            return Response({"errors": found}, status=exc.status)

        def notes(items):
            return [{"entry": entry, "reason": reason} for entry, reason in items]

        answer = {
            "created": [source.pk for source in report.created],
            "skipped": notes(report.skipped),
            "notes": notes(report.notes),
            "refused": notes(report.refused),
        }
        return Response(answer, status=status.HTTP_201_CREATED)


SOURCE_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The source's ETag as read: the edit is refused (409) if the source changed since.",
)
# What a CSL-JSON item of ours is checked against where an edit leaves a variable out: a type and a title.
BLANK_ITEM = {"type": "document", "title": "Untitled"}


def _source_answer(source: Source) -> Response:
    response = Response(reads.csl_item(source))
    response["ETag"] = f'"{source_services.source_tag(source)}"'
    return response


def _edited_record(request, source: Source, replace: bool) -> dict:
    """The source's fields after the edit sent: a whole CSL-JSON item (PUT), or a merge patch on the item the source
    is (PATCH: a variable sent as null is removed). Field-level errors for what the item cannot hold."""
    sent = request.data
    if not isinstance(sent, dict):
        raise ValidationError({"non_field_errors": ["Send a CSL-JSON item: a JSON object."]})
    sent = {key: value for key, value in sent.items() if key != "id"}  # its id is the URL's
    base = {key: value for key, value in reads.csl_item(source).items() if key != "id"}
    item = {} if replace else dict(base)
    for key, value in sent.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    faults = bibliography.csl_faults(
        item, [*sent, *(("type", "title") if replace else ())], BLANK_ITEM if replace else base
    )
    if faults:
        raise ValidationError({key: [reason] for key, reason in faults.items()})
    try:
        return bibliography.record_from_csl(item, 0, where="The item")
    except bibliography.BibliographyError as exc:
        raise ValidationError({"non_field_errors": [str(exc)]}) from None


class SourceDetail(ApiView):
    @extend_schema(responses=s.CslItemSerializer, summary="A source, as a CSL-JSON item (its ETag to edit it)")
    def get(self, request, source_id):
        source, _ = source_for(request.user, source_id)
        return _source_answer(source)

    @extend_schema(
        parameters=[SOURCE_IF_MATCH],
        request=s.CslItemEditSerializer,
        responses=s.CslItemSerializer,
        summary="Change some of a source's CSL-JSON variables (annotators and managers); null removes one",
    )
    def patch(self, request, source_id):
        return self._edit(request, source_id, replace=False)

    @extend_schema(
        parameters=[SOURCE_IF_MATCH],
        request=s.CslItemEditSerializer,
        responses=s.CslItemSerializer,
        summary="Replace a source's bibliographic entry with a CSL-JSON item (annotators and managers)",
    )
    def put(self, request, source_id):
        return self._edit(request, source_id, replace=True)

    def _edit(self, request, source_id, replace: bool):
        source, _ = source_for(request.user, source_id)
        source_services.check_source_editor(request.user, source.project_id)  # refused before the item is read
        record = _edited_record(request, source, replace)
        tag = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
        source = source_services.update_source(
            user=request.user, source=source, if_match=tag if tag not in ("", "*") else None, **record
        )
        return _source_answer(source)


class CitationList(ApiView):
    @extend_schema(responses=s.CitationSerializer(many=True), summary="The sources a mark cites")
    def get(self, request, annotation_id):
        annotation, _ = annotation_for(request.user, annotation_id)
        return Response(s.CitationSerializer(annotation.citations.order_by("id"), many=True).data)

    @extend_schema(
        request=s.CitationSerializer, responses={201: s.CitationSerializer}, summary="Cite a source (the mark's author)"
    )
    def post(self, request, annotation_id):
        annotation, _ = annotation_for(request.user, annotation_id)
        data = valid(s.CitationSerializer, request.data).validated_data
        source = Source.objects.filter(pk=data["source_id"], project_id=annotation.span.document.project_id).first()
        if source is None:
            raise ValidationError({"source": ["No such source in this project."]})
        citation = source_services.cite_source(
            user=request.user, annotation=annotation, source=source, locator=data["locator"], note=data["note"]
        )
        return Response(s.CitationSerializer(citation).data, status=status.HTTP_201_CREATED)


class CitationDetail(ApiView):
    @extend_schema(responses={204: None}, summary="Remove a citation (the mark's author)")
    def delete(self, request, citation_id):
        citation, _ = citation_for(request.user, citation_id)
        source_services.remove_citation(user=request.user, citation=citation)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Links --------------------------------------------------------------------------------------------------------


class LinkTypeList(ApiView):
    @extend_schema(responses=s.LinkTypeSerializer(many=True), summary="A project's link types, in their order")
    def get(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        return Response(s.LinkTypeSerializer(LinkType.objects.filter(project=project), many=True).data)


class LinkList(ApiView):
    @extend_schema(responses=s.LinkSerializer(many=True), summary="The links from and to a mark")
    def get(self, request, annotation_id):
        annotation, _ = annotation_for(request.user, annotation_id)
        found = (
            Link.objects.filter(Q(from_annotation=annotation) | Q(to_annotation=annotation))
            .select_related("type", "created_by")
            .order_by("id")
        )
        return Response(s.LinkSerializer(found, many=True).data)

    @extend_schema(
        request=s.LinkSerializer,
        responses={201: s.LinkSerializer},
        summary="Link the mark to another mark, a source or a speaker (any member), as the type allows",
    )
    def post(self, request, annotation_id):
        annotation, _ = annotation_for(request.user, annotation_id)
        data = valid(s.LinkSerializer, request.data).validated_data
        project_id = annotation.span.document.project_id
        kind = LinkType.objects.filter(project_id=project_id, key=data["type"]["key"]).first()
        if kind is None:
            raise ValidationError({"type": [f"The project has no link type with the key “{data['type']['key']}”."]})
        to_mark = to_source = None
        if data.get("to_annotation_id") is not None:
            to_mark = Annotation.objects.filter(
                pk=data["to_annotation_id"], span__document__project_id=project_id
            ).first()
            if to_mark is None:
                raise ValidationError({"to_mark": ["No such mark in this project."]})
        if data.get("to_source_id") is not None:
            to_source = Source.objects.filter(pk=data["to_source_id"], project_id=project_id).first()
            if to_source is None:
                raise ValidationError({"to_source": ["No such source in this project."]})
        link = link_services.create_link(
            user=request.user,
            from_annotation=annotation,
            type=kind,
            to_annotation=to_mark,
            to_source=to_source,
            speaker=data["speaker"],
            note=data["note"],
        )
        return Response(s.LinkSerializer(link).data, status=status.HTTP_201_CREATED)


class LinkDetail(ApiView):
    @extend_schema(
        parameters=[IF_MATCH],
        request=s.LinkNoteSerializer,
        responses=s.LinkSerializer,
        summary="Change a link's note (its author); the version read must be sent",
    )
    def patch(self, request, link_id):
        link, _ = link_for(request.user, link_id)
        data = valid(s.LinkNoteSerializer, request.data).validated_data
        version = _version_of(request, data.get("version"))
        if version is None:
            raise ValidationError({"version": ["Send the version you read (in the body, or as If-Match)."]})
        link = link_services.update_link(user=request.user, link=link, version=version, note=data["note"])
        return Response(s.LinkSerializer(link).data)

    @extend_schema(parameters=[IF_MATCH], responses={204: None}, summary="Delete a link (its author)")
    def delete(self, request, link_id):
        link, _ = link_for(request.user, link_id)
        link_services.delete_link(user=request.user, link=link, version=_version_of(request, None))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LinkReview(ApiView):
    @extend_schema(
        parameters=[IF_MATCH],
        request=s.ReviewSerializer,
        responses=s.LinkSerializer,
        summary="Accept or reject a link, or put it back to pending (reviewers and managers)",
    )
    def post(self, request, link_id):
        link, _ = link_for(request.user, link_id)
        data = valid(s.ReviewSerializer, request.data).validated_data
        link = link_services.review_link(
            user=request.user,
            link=link,
            status=data["status"],
            note=data["note"],
            version=_version_of(request, data.get("version")),
        )
        return Response(s.LinkSerializer(link).data)


# Exports ------------------------------------------------------------------------------------------------------


class AnyAccept(BaseContentNegotiation):
    """An export answers in its own format whatever the client accepts (a CSV client may say text/csv)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


EXPORT = [
    OpenApiParameter("format", str, enum=["csv", "links-csv", "jsonld"], required=True),
    OpenApiParameter("raw", bool, description="CSV cells exactly as stored (by default formulas are neutralised)."),
    OpenApiParameter("f_label", int, description="A label's id."),
    OpenApiParameter("f_author", int, description="An author's user id."),
    OpenApiParameter("f_status", str, enum=["pending", "accepted", "rejected"]),
    OpenApiParameter("f_gold", bool, description="Only accepted marks kept when a disagreement was settled."),
]


def _export(request, project, document=None):
    data = request.query_params.copy()
    if document is not None:
        data["f_document"] = str(document.pk)
    form = ExportForm(data, project=project, authors=reads.project_authors(project))
    if not form.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
    return form.download(request, project)


class ProjectExport(ApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        parameters=[*EXPORT, OpenApiParameter("f_document", int, description="One document's marks.")],
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/ld+json"): OpenApiTypes.OBJECT},
        summary="A project's marks as the export page writes them (our CSV, links CSV or W3C JSON-LD), streamed",
    )
    def get(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        return _export(request, project)


class DocumentExport(ApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        parameters=EXPORT,
        responses={(200, "text/csv"): OpenApiTypes.STR, (200, "application/ld+json"): OpenApiTypes.OBJECT},
        summary="A document's marks as the export page writes them, streamed",
    )
    def get(self, request, document_id):
        document, _ = document_for(request.user, document_id, text=False)
        return _export(request, document.project, document)


# Importing marks ----------------------------------------------------------------------------------------------


class MarkImport(ApiView):
    @extend_schema(
        request=s.ImportSerializer,
        responses={201: s.ImportUploadSerializer},
        summary="Check a file of marks (managers): its dry run's report; nothing is imported until it is confirmed",
        description="The project's import page, over the API (services/import_uploads.py): a file that can be read "
        "is kept for its uploader for two hours and checked in the background (the import run and rolled back): "
        "its state is `checking`, then `checked` with the report (GET its Location until then); `POST "
        "imports/<id>/confirm/` has the rows the check placed imported, once, also in the background (`importing`, "
        "then `imported`). Refused rows are reported with their line and left out. A file that cannot be read, or "
        "holds more marks or links than an import takes, is refused at once with the reason.",
    )
    def post(self, request, project_id):
        project, _ = project_for(request.user, project_id)
        data = valid(s.ImportSerializer, request.data).validated_data
        document = as_user = None
        if "document" in data:
            document = Document.objects.filter(pk=data["document"], project=project).defer("text").first()
            if document is None:
                raise ValidationError({"document": ["No such document in this project."]})
        if "as_user" in data:
            as_user = get_user_model().objects.filter(username=data["as_user"]).first()
            if as_user is None:
                raise ValidationError({"as_user": ["No one has that user name."]})
        upload = import_uploads.check_import(
            user=request.user,
            project=project,
            name=data["name"],
            data=data["data"].encode(),
            links=data["links"].encode() if "links" in data else None,
            spreadsheet_safe=data["spreadsheet_safe"],
            document=document,
            label=data.get("label", ""),
            as_user=as_user,
        )
        answer = Response(s.ImportUploadSerializer(upload).data, status=status.HTTP_201_CREATED)
        answer["Location"] = reverse("api:import_detail", args=[upload.pk])
        return answer


class ImportDetail(ApiView):
    @extend_schema(responses=s.ImportUploadSerializer, summary="A checked file of marks and its report (its uploader)")
    def get(self, request, import_id):
        upload, _ = import_upload_for(request.user, import_id)
        return Response(s.ImportUploadSerializer(upload).data)


class ImportConfirm(ApiView):
    @extend_schema(
        request=None,
        responses={200: s.ImportUploadSerializer, 202: s.ImportUploadSerializer},
        summary="Import a checked file (its uploader, a manager): once, however often it is asked",
        description="202 while the worker imports it (state `importing`: GET imports/<id>/ until `imported`); 200 "
        "once imported. 409 while the file is still being checked.",
    )
    def post(self, request, import_id):
        upload, _ = import_upload_for(request.user, import_id)
        upload = import_uploads.confirm_import(user=request.user, upload=upload)
        done = upload.state == upload.State.IMPORTED
        return Response(s.ImportUploadSerializer(upload).data, status=200 if done else status.HTTP_202_ACCEPTED)
