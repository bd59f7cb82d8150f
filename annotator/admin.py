"""Django admin for staff: every model, with filters and search; marks with their history."""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import bibliography, exchange
from . import text as textlib
from .models import (
    AccessToken,
    Annotation,
    Change,
    Citation,
    ClaimVerdict,
    Document,
    Label,
    Link,
    LinkType,
    Membership,
    Project,
    Rating,
    RatingScale,
    Source,
    Span,
    Status,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
)
from .services.quotations import refresh_quote_checks
from .services.review import review_annotations
from .services.search_index import index_document, index_label, index_sources
from .services.tokens import revoke_token


class ThroughServicesOnly:
    """Rows whose offsets or project the app's services keep consistent: admin shows them, never adds them,
    and on change leaves `frozen_fields` alone (a new text goes through Versions, a mark through the page)."""

    frozen_fields: list[str] = []

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.frozen_fields]


class ViewOnly:
    """Rows the app's pages make and change through their services (with rules the admin does not know): the admin
    shows them, and neither adds nor changes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class FrozenProjectOnChange:
    """The project of a row is chosen when it is made, never moved to another project afterwards."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["project"] if obj is not None else fields


class HistoryChanges(HistoricalRecordContextHelper):
    """A change's values as the history list shows them. An empty foreign key is shown empty: simple-history 3.13
    shows it as a deleted object ("Reviewed by: reviewer → Deleted user (pk=None)" when a mark went back to pending)."""

    def __init__(self, *args, empty: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty = empty

    def prepare_delta_change_value(self, change, value):
        if isinstance(value, DeletedObject) and value.pk is None:
            return self.empty
        return super().prepare_delta_change_value(change, value)


class ReadOnlyHistory(SimpleHistoryAdmin):
    """History to read, never to revert: a revert saves every field of the old record at once (a review, a span,
    a source), past the services' rules. simple-history's SIMPLE_HISTORY_REVERT_DISABLED only hides the button."""

    object_history_list_template = "admin/annotator/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryChanges(self.model, historical_record, empty=self.admin_site.empty_value_display)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("History records are read here, not restored.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class NamesForm(forms.ModelForm):
    """Labels and link types as staff name them: no bidi controls in names the interface reads in its sentences."""

    def clean(self):
        data = super().clean()
        for field in ("name", "inverse_name"):
            if textlib.BIDI_CONTROLS.search(data.get(field) or ""):
                self.add_error(field, textlib.NO_BIDI_IN_NAMES)
        return data


class StaffJSONField(forms.JSONField):
    """JSON as staff edit it (a source's authors): bidi controls written as \\u escapes (the same value, but a control
    is seen, and cannot reorder the JSON after it in the box), and text no database holds refused, not a 500."""

    # Written as escapes in the box: bidi controls, and what cannot be stored (a refused value is shown again).
    ESCAPED = re.compile(r"[\x00\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

    def prepare_value(self, value):
        return self.ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", super().prepare_value(value))

    def validate(self, value):
        super().validate(value)
        problem = textlib.unstorable(value)
        if problem:
            raise forms.ValidationError(f"The JSON holds {problem}, which cannot be stored.")


class MembershipInline(admin.TabularInline):
    template = "admin/annotator/tabular_inline.html"  # every field labelled, no empty column header (issue 26)
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class LabelInline(admin.TabularInline):
    template = "admin/annotator/tabular_inline.html"
    model = Label
    form = NamesForm
    extra = 0


def _recheck_rekeyed(label: Label, changed: list[str]) -> None:
    # A label's key says which marks are quotations: a new key checks (or drops the checks of) its marks' citations.
    if "key" in changed:
        refresh_quote_checks(Citation.objects.filter(annotation__label=label))
    if "name" in changed:  # its name finds its marks
        index_label(label)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name", "description"]
    inlines = [MembershipInline, LabelInline]
    # Archiving goes through the app's service (Settings → Archive), which its managers use; the admin shows it.
    readonly_fields = ["archived_at"]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Label:
            for label_form in formset.initial_forms:
                if label_form.instance.pk is not None and label_form not in formset.deleted_forms:
                    _recheck_rekeyed(label_form.instance, label_form.changed_data)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user"]


@admin.register(Label)
class LabelAdmin(FrozenProjectOnChange, admin.ModelAdmin):
    form = NamesForm
    list_display = ["name", "key", "project", "colour", "shortcut", "order"]
    list_filter = ["project"]
    search_fields = ["name", "key"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            _recheck_rekeyed(obj, form.changed_data)


def document_filter(path: str):
    """A list filter on documents that reads their ids and titles only (admin's own reads every text)."""

    class DocumentFilter(admin.SimpleListFilter):
        title = "document"
        parameter_name = f"{path}__id__exact"

        def lookups(self, request, model_admin):
            return list(Document.objects.order_by("title", "id").values_list("id", "title"))

        def queryset(self, request, queryset):
            return queryset.filter(**{f"{path}__id": self.value()}) if self.value() else queryset

    return DocumentFilter


@admin.register(Document)
class DocumentAdmin(ThroughServicesOnly, admin.ModelAdmin):
    list_display = ["title", "project", "origin", "mark_count", "version", "revision", "created_at"]
    list_filter = ["project"]
    search_fields = ["title", "origin"]
    frozen_fields = ["project", "text", "version", "revision", "created_at", "created_by", "source"]

    def get_queryset(self, request):
        # The text is read where it is shown (a document's page), not for every row of the list.
        return super().get_queryset(request).defer("text").annotate(_mark_count=Count("spans__annotations"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "title" in form.changed_data:  # its title finds it
            index_document(obj)

    @admin.display(description="Marks", ordering="_mark_count")
    def mark_count(self, obj):
        return obj._mark_count


@admin.register(Span)
class SpanAdmin(ThroughServicesOnly, admin.ModelAdmin):
    frozen_fields = ["document", "version", "start", "end", "exact", "prefix", "suffix"]
    list_display = ["document", "version", "start", "end", "short_exact"]
    list_filter = ["document__project"]
    search_fields = ["exact"]
    raw_id_fields = ["document"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__text")

    @admin.display(description="Text")
    def short_exact(self, obj):
        return obj.exact[:80]


@admin.action(description="Export the selected marks as CSV")
def export_selected_csv(modeladmin, request, queryset):
    return exchange.download(
        request,
        queryset,
        "csv",
        raw=False,
        label="Marks selected in the admin",
        name=f"marks-{timezone.now():%Y%m%d-%H%M%S}",
    )


@admin.action(description="Export the selected marks as JSON-LD")
def export_selected_jsonld(modeladmin, request, queryset):
    return exchange.download(
        request,
        queryset,
        "jsonld",
        raw=False,
        label="Marks selected in the admin",
        name=f"marks-{timezone.now():%Y%m%d-%H%M%S}",
    )


class CitationInline(ThroughServicesOnly, admin.TabularInline):
    # Citations are made on the mark's panel, where the source must be of the mark's project.
    template = "admin/annotator/tabular_inline.html"
    model = Citation
    extra = 0
    frozen_fields = ["source", "locator", "note"]


@admin.register(Annotation)
class AnnotationAdmin(ThroughServicesOnly, ReadOnlyHistory):
    list_display = ["id", "document", "label", "short_text", "created_by", "status", "reviewed_by", "created_at"]
    list_filter = ["status", "label__key", document_filter("span__document"), "created_by", "reviewed_by"]
    search_fields = ["span__exact", "note", "review_note"]
    list_select_related = ["span__document", "label", "created_by", "reviewed_by"]
    raw_id_fields = ["span"]
    # Review fields change only through the bulk actions below (review_annotation), so the rules hold in admin too.
    # Marks change only through the services (their rules, revision bumps and history): in admin they are
    # read, reviewed with the bulk actions, and their citations cared for.
    readonly_fields = [
        "span",
        "label",
        "note",
        "created_by",
        "version",
        "created_at",
        "updated_at",
        "status",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "placement",
        "placement_score",
    ]
    inlines = [CitationInline]
    actions = ["accept_selected", "reject_selected", export_selected_csv, export_selected_jsonld]

    def get_queryset(self, request):
        # The list brings each mark's document (list_select_related): without its text, which every row would copy.
        return super().get_queryset(request).with_document()

    def _review(self, request, queryset, status):
        # Staff rights are not review rights: a staff user reviews only in projects where they are a
        # reviewer or manager, and never their own marks. Refused marks are listed, nothing else changes.
        result = review_annotations(user=request.user, annotations=queryset.with_document(), status=status)
        if result.reviewed:
            self.message_user(
                request,
                f"{Status(status).label}: {len(result.reviewed)} mark{'s' if len(result.reviewed) != 1 else ''}.",
                messages.SUCCESS,
            )
        for annotation, message in result.refused:
            self.message_user(request, f"Mark {annotation.pk} not reviewed: {message}", messages.ERROR)

    @admin.action(description="Accept the selected marks", permissions=["change"])
    def accept_selected(self, request, queryset):
        self._review(request, queryset, "accepted")

    @admin.action(description="Reject the selected marks", permissions=["change"])
    def reject_selected(self, request, queryset):
        self._review(request, queryset, "rejected")

    @admin.display(description="Document", ordering="span__document__title")
    def document(self, obj):
        return obj.span.document

    @admin.display(description="Text")
    def short_text(self, obj):
        return obj.span.exact[:80]


@admin.register(Source)
class SourceAdmin(FrozenProjectOnChange, ReadOnlyHistory):
    list_display = ["title", "type", "date_issued", "project", "citation_count"]
    list_filter = ["type", "project"]
    search_fields = ["title", "author_names", "doi", "container_title", "archive_location"]
    readonly_fields = ["author_names"]
    # Django 5.2 warns that URLs without a scheme will get https in 6.0; take that now.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.JSONField: {"form_class": StaffJSONField},
    }

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_citation_count=Count("citations"))

    def save_model(self, request, obj, form, change):
        # Staff edit sources here without the services; keep the names that search reads, and the quotation checks
        # of a new text, in step.
        obj.author_names = bibliography.names_for_search(obj.authors, obj.contributors)
        super().save_model(request, obj, form, change)
        if change and "full_text" in form.changed_data:
            refresh_quote_checks(Citation.objects.filter(source=obj))
        index_sources([obj.pk])

    @admin.display(description="Citations", ordering="_citation_count")
    def citation_count(self, obj):
        return obj._citation_count

    @admin.display(description="Date issued")
    def date_issued(self, obj):
        return obj.issued_text


@admin.register(Citation)
class CitationAdmin(ThroughServicesOnly, ReadOnlyHistory):
    list_display = ["annotation", "source", "locator"]
    search_fields = ["locator", "note", "source__title"]
    frozen_fields = ["annotation", "source", "locator", "note"]


@admin.register(Change)
class ChangeAdmin(ThroughServicesOnly, admin.ModelAdmin):
    frozen_fields = ["document", "revision", "start", "end", "text_changed"]
    list_display = ["document", "revision", "start", "end", "created_at"]
    list_filter = [document_filter("document")]
    list_select_related = ["document"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__text")


# Links between marks (issue 8) ---------------------------------------------------------------------


@admin.register(LinkType)
class LinkTypeAdmin(admin.ModelAdmin):
    form = NamesForm
    list_display = ["name", "inverse_name", "key", "project", "targets", "order"]
    list_filter = ["project", "targets"]
    search_fields = ["name", "inverse_name", "key"]
    filter_horizontal = ["from_labels", "to_labels"]


@admin.register(Link)
class LinkAdmin(ReadOnlyHistory):
    """Links for looking into and data care: made and reviewed in the app (where the type rules hold), deletable
    here."""

    list_display = [
        "pk",
        "type",
        "from_annotation",
        "to_annotation",
        "to_source",
        "speaker",
        "created_by",
        "status",
        "created_at",
    ]
    list_filter = ["status", "type__key", "project"]
    search_fields = [
        "note",
        "speaker",
        "from_annotation__span__exact",
        "to_annotation__span__exact",
        "created_by__username",
    ]
    list_select_related = [
        "type",
        "created_by",
        "to_source",
        "from_annotation__span",
        "from_annotation__label",
        "from_annotation__created_by",
        "to_annotation__span",
        "to_annotation__label",
        "to_annotation__created_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# API tokens and webhooks (issue 23) ----------------------------------------------------------------


@admin.register(AccessToken)
class AccessTokenAdmin(ViewOnly, admin.ModelAdmin):
    """Tokens are made by their owners (account page, `manage.py api_token`), which alone see the secret once. Here
    staff see who holds which, and revoke; never the digest, and no form that could set one."""

    fields = ["user", "name", "prefix", "scope", "expires_at", "created_at", "last_used_at", "revoked_at"]
    list_display = ["name", "user", "prefix", "scope", "expires_at", "last_used_at", "revoked_at", "created_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter), ("expires_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    actions = ["revoke_selected"]

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the row says the token existed, who held it and when it was last used

    def has_revoke_permission(self, request):
        return request.user.has_perm("annotator.change_accesstoken")

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        revoked = [token for token in queryset if token.revoked_at is None]
        for token in revoked:
            revoke_token(user=request.user, token=token)
        self.message_user(
            request, f"Revoked: {len(revoked)} token{'s' if len(revoked) != 1 else ''}.", messages.SUCCESS
        )


@admin.register(Webhook)
class WebhookAdmin(ViewOnly, admin.ModelAdmin):
    """Hooks are registered on the project's webhook page (its managers), where the address is checked. Their
    signing secret is not shown here."""

    fields = ["project", "url", "events", "active", "created_by", "created_at"]
    list_display = ["url", "project", "events", "active", "created_by", "created_at"]
    list_filter = ["active", "project"]
    search_fields = ["url"]
    list_select_related = ["project", "created_by"]

    def has_delete_permission(self, request, obj=None):
        return False  # deleted by the project's managers (services/webhooks.py), with its deliveries


class WebhookAttemptInline(admin.TabularInline):
    template = "admin/annotator/tabular_inline.html"
    model = WebhookAttempt
    extra = 0
    fields = ["number", "at", "status_code", "error", "duration_ms", "response_excerpt"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ViewOnly, admin.ModelAdmin):
    """The delivery log: what was sent where, and each attempt. Read only: the worker writes it."""

    fields = ["webhook", "event", "state", "items", "attempts", "next_attempt_at", "created_at", "body", "refs"]
    list_display = ["event", "webhook", "state", "items", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["state", "event", "webhook__project"]
    search_fields = ["webhook__url", "event"]
    list_select_related = ["webhook"]
    inlines = [WebhookAttemptInline]

    def has_delete_permission(self, request, obj=None):
        return False


# Verdicts and their rating scales (issue 24) ------------------------------------------------------


@admin.register(RatingScale)
class RatingScaleAdmin(ViewOnly, ReadOnlyHistory):
    """Set by the project's managers on its verdicts settings (every rating must stay on the scale)."""

    list_display = ["project", "worst", "best"]
    list_select_related = ["project"]

    def has_delete_permission(self, request, obj=None):
        return False  # its managers' (services/verdicts.py): a rating a verdict ever used is kept


@admin.register(Rating)
class RatingAdmin(ViewOnly, ReadOnlyHistory):
    """A project's ratings, named and placed by its managers (unique names, values on the scale)."""

    list_display = ["name", "value", "project", "order"]
    list_filter = ["project"]
    search_fields = ["name"]
    list_select_related = ["project"]

    def has_delete_permission(self, request, obj=None):
        return False  # its managers' (services/verdicts.py): a rating a verdict ever used is kept


@admin.register(ClaimVerdict)
class ClaimVerdictAdmin(ViewOnly, ReadOnlyHistory):
    """Verdicts are given and reviewed on the claim's panel (a claim shared by "same claim" links has one)."""

    list_display = ["summary", "rating", "status", "claimant", "created_by", "reviewed_by", "created_at"]
    list_filter = ["status", "rating__project", "rating"]
    search_fields = ["summary", "claimant", "explanation"]
    list_select_related = ["rating", "created_by", "reviewed_by"]
    raw_id_fields = ["annotation", "claimant_source"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_context()
