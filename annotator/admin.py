"""Django admin for staff: every model, with filters and search; marks with their history."""
from django.contrib import admin
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from . import export_query, exports
from .models import Annotation, Change, Citation, Document, Label, Membership, Project, Source, Span


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "description"]
    inlines = [MembershipInline, LabelInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "project", "colour", "shortcut", "order"]
    list_filter = ["project"]
    search_fields = ["name", "key"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "origin", "mark_count", "revision", "created_at"]
    list_filter = ["project"]
    search_fields = ["title", "origin"]
    readonly_fields = ["revision", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_mark_count=Count("spans__annotations"))

    @admin.display(description="Marks", ordering="_mark_count")
    def mark_count(self, obj):
        return obj._mark_count


@admin.register(Span)
class SpanAdmin(admin.ModelAdmin):
    list_display = ["document", "start", "end", "short_exact"]
    list_filter = ["document__project"]
    search_fields = ["exact"]
    raw_id_fields = ["document"]

    @admin.display(description="Text")
    def short_exact(self, obj):
        return obj.exact[:80]


def _download(request, queryset, file_format):
    records = export_query.records(queryset)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if file_format == "csv":
        response = StreamingHttpResponse(exports.stream_csv(records), content_type="text/csv; charset=utf-8")
    else:
        chunks = exports.stream_jsonld(
            records, total=queryset.count(), collection_id=request.build_absolute_uri(),
            label="Marks selected in the admin", addresses=exports.Addresses(request.build_absolute_uri("/").rstrip("/")),
        )
        response = StreamingHttpResponse(chunks, content_type=exports.JSONLD_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="marks-{stamp}.{file_format}"'
    return response


@admin.action(description="Export the selected marks as CSV")
def export_selected_csv(modeladmin, request, queryset):
    return _download(request, queryset, "csv")


@admin.action(description="Export the selected marks as JSON-LD")
def export_selected_jsonld(modeladmin, request, queryset):
    return _download(request, queryset, "jsonld")


class CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]


@admin.register(Annotation)
class AnnotationAdmin(SimpleHistoryAdmin):
    list_display = ["id", "document", "label", "short_text", "created_by", "status", "reviewed_by", "created_at"]
    list_filter = ["status", "label__key", "span__document", "created_by", "reviewed_by"]
    search_fields = ["span__exact", "note", "review_note"]
    list_select_related = ["span__document", "label", "created_by", "reviewed_by"]
    raw_id_fields = ["span"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [CitationInline]
    actions = [export_selected_csv, export_selected_jsonld]

    @admin.display(description="Document", ordering="span__document__title")
    def document(self, obj):
        return obj.span.document

    @admin.display(description="Text")
    def short_text(self, obj):
        return obj.span.exact[:80]


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "type", "issued", "project", "citation_count"]
    list_filter = ["type", "project"]
    search_fields = ["title", "doi", "container_title", "archive_location"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_citation_count=Count("citations"))

    @admin.display(description="Citations", ordering="_citation_count")
    def citation_count(self, obj):
        return obj._citation_count


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["annotation", "source", "locator"]
    search_fields = ["locator", "note", "source__title"]
    raw_id_fields = ["annotation"]
    autocomplete_fields = ["source"]


@admin.register(Change)
class ChangeAdmin(admin.ModelAdmin):
    list_display = ["document", "revision", "start", "end", "created_at"]
    list_filter = ["document"]
