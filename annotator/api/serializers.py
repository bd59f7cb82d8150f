"""What the API sends and takes: the shapes of its JSON. They check shape only; the services decide the rest."""

from __future__ import annotations

import base64
import binascii

from rest_framework import serializers

from ..models import Annotation, Document, DocumentVersion, ImportUpload, Label, Membership, Project, Status
from ..text import Utf16Offsets

OFFSETS = ("codepoints", "utf16")


class Offsets:
    """The offsets a request asked for (?offsets=utf16, or code points): converts a document's offsets both ways,
    each text's positions worked out once."""

    def __init__(self, unit: str):
        if unit not in OFFSETS:
            raise serializers.ValidationError(
                {"offsets": [f"Offsets are counted in “codepoints” (the default) or “utf16”, not “{unit}”."]}
            )
        self.utf16 = unit == "utf16"
        self._texts: dict = {}

    @classmethod
    def of(cls, request) -> Offsets:
        return cls(request.query_params.get("offsets", "codepoints"))

    def converter(self, key, text_of) -> Utf16Offsets | None:
        """The converter of a text (`text_of()` read once per key), or None when code points were asked for."""
        if not self.utf16:
            return None
        if key not in self._texts:
            self._texts[key] = Utf16Offsets(text_of())
        return self._texts[key]


# Projects, members, labels --------------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, help_text="Your role in the project.")
    archived = serializers.BooleanField(read_only=True)

    class Meta:
        model = Project
        fields = ["id", "name", "description", "created_at", "archived", "role"]


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["username", "role"]


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "key", "name", "colour", "shortcut", "order", "retired"]


# Documents ------------------------------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "project", "title", "origin", "created_at", "version", "revision"]


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)


class DocumentDetailSerializer(DocumentSerializer):
    text = serializers.CharField(help_text="The current version's text; offsets count into it.")
    versions = VersionSerializer(source="versions_read", many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "text", "versions"]


class DocumentCreateSerializer(serializers.Serializer):
    """A document from text (made at once), or from a web page or a file (made in the background): one of the three."""

    title = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, trim_whitespace=False, help_text="Plain text; CRLF becomes LF.")
    origin = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="Where the text came from."
    )
    url = serializers.CharField(required=False, help_text="The address of a web page (or a PDF or Word file) to fetch.")
    file = serializers.CharField(required=False, help_text="A PDF, Word (.docx) or HTML file's bytes, in base64.")
    file_name = serializers.CharField(
        max_length=255, required=False, help_text="The file's name: its ending says what it is."
    )

    def validate(self, attrs):
        given = [key for key in ("text", "url", "file") if key in attrs]
        if len(given) != 1:
            raise serializers.ValidationError("Send one of “text”, “url” or “file” (with “file_name”).")
        if "file" in attrs:
            if not attrs.get("file_name"):
                raise serializers.ValidationError({"file_name": ["Name the file: its ending says what it is."]})
            try:
                attrs["file"] = base64.b64decode(attrs["file"], validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError({"file": ["This is not base64."]}) from None
        return attrs


class ExtractionSerializer(serializers.Serializer):
    """A document being made from a web page or a file, in the background: ask again until it is done or failed."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["waiting", "running", "done", "failed"])
    progress = serializers.IntegerField(help_text="Percent done.")
    message = serializers.CharField(help_text="What happened (why it failed).")
    document = serializers.IntegerField(source="document_id", allow_null=True, help_text="The document, once made.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class VersionCreateSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, help_text="The whole new text.")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# Marks ----------------------------------------------------------------------------------------------------------


class MarkSerializer(serializers.Serializer):
    """A mark, as read. `start` and `end` count in the unit asked for; `version` is what a change must send back."""

    id = serializers.IntegerField()
    document = serializers.IntegerField()
    text_version = serializers.IntegerField(help_text="The version of the document's text the offsets refer to.")
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    exact = serializers.CharField()
    prefix = serializers.CharField()
    suffix = serializers.CharField()
    label = serializers.CharField(help_text="The label's key.")
    note = serializers.CharField()
    author = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    reviewed_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_note = serializers.CharField()
    placement = serializers.CharField()
    version = serializers.IntegerField(help_text="For optimistic locking: send it back with a change (or If-Match).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, mark: Annotation) -> dict:
        span = mark.span
        start, end = span.start, span.end
        offsets: Offsets | None = self.context.get("offsets")
        convert = offsets.converter((span.document_id, span.version), lambda: text_of_span(span)) if offsets else None
        if convert is not None:
            start, end = convert.to_utf16(start), convert.to_utf16(end)
        return {
            "id": mark.pk,
            "document": span.document_id,
            "text_version": span.version,
            "start": start,
            "end": end,
            "exact": span.exact,
            "prefix": span.prefix,
            "suffix": span.suffix,
            "label": mark.label.key,
            "note": mark.note,
            "author": mark.created_by.get_username(),
            "status": mark.status,
            "reviewed_by": mark.reviewed_by.get_username() if mark.reviewed_by is not None else None,
            "reviewed_at": mark.reviewed_at.isoformat() if mark.reviewed_at else None,
            "review_note": mark.review_note,
            "placement": mark.placement,
            "version": mark.version,
            "created_at": mark.created_at.isoformat(),
            "updated_at": mark.updated_at.isoformat(),
        }


def text_of_span(span) -> str:
    return DocumentVersion.objects.texts_of(span.document_id, [span.version])[span.version]


class MarkCreateSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=0)
    exact = serializers.CharField(trim_whitespace=False, help_text="The document's text from start to end.")
    label = serializers.SlugField(help_text="The key of one of the project's labels.")
    note = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class MarkUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="The version read; or send it as If-Match. A mark changed meanwhile: 409."
    )
    label = serializers.SlugField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ReviewSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False, help_text="The version read; or send it as If-Match.")


class MarkFilterSerializer(serializers.Serializer):
    """The filters of a list of marks, as the document page's list has them, and a few more."""

    label = serializers.SlugField(required=False, help_text="A label's key.")
    author = serializers.CharField(required=False, help_text="The author's user name.")
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    document = serializers.IntegerField(required=False, help_text="On a project's list: one document's marks.")
    updated_since = serializers.DateTimeField(required=False, help_text="Marks changed at or after this time.")
    offsets = serializers.ChoiceField(choices=OFFSETS, required=False, default="codepoints")

    def filters(self) -> dict:
        data = self.validated_data
        found = {}
        if "label" in data:
            found["label__key"] = data["label"]
        if "author" in data:
            found["created_by__username"] = data["author"]
        if "status" in data:
            found["status"] = data["status"]
        if "document" in data:
            found["span__document_id"] = data["document"]
        if "updated_since" in data:
            found["updated_at__gte"] = data["updated_since"]
        return found


# Bulk -----------------------------------------------------------------------------------------------------------


class BulkCitationSerializer(serializers.Serializer):
    source = serializers.IntegerField(help_text="The id of one of the project's sources.")
    locator = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BulkLinkSerializer(serializers.Serializer):
    type = serializers.SlugField(help_text="The key of one of the project's link types.")
    to_item = serializers.IntegerField(required=False, min_value=0, help_text="A mark of this request, by index.")
    to_mark = serializers.IntegerField(required=False, help_text="A mark that exists, by id.")
    to_source = serializers.IntegerField(required=False, help_text="One of the project's sources, by id.")
    speaker = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BulkMarkSerializer(MarkCreateSerializer):
    citations = BulkCitationSerializer(many=True, required=False, default=list)
    links = BulkLinkSerializer(many=True, required=False, default=list)


class BulkSerializer(serializers.Serializer):
    marks = BulkMarkSerializer(many=True, allow_empty=False)


class BulkResultSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), help_text="The new marks' ids, in the order sent.")


class CompactMarkSerializer(serializers.Serializer):
    """A mark in the compact form of all of a document's marks (for programs): as short as it can be."""

    id = serializers.IntegerField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    exact = serializers.CharField()
    label = serializers.CharField(help_text="The label's key.")
    author = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    sources = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of the sources it cites.")


class AllMarksSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    text_version = serializers.IntegerField()
    offsets = serializers.ChoiceField(choices=OFFSETS)
    marks = CompactMarkSerializer(many=True)


# Sources, citations, links --------------------------------------------------------------------------------------


class CslItemSerializer(serializers.Serializer):
    """A CSL-JSON item, as reference managers (Zotero) write it; "id" is "source-<id>"."""

    id = serializers.CharField()
    type = serializers.CharField()
    title = serializers.CharField()


class CslItemEditSerializer(serializers.Serializer):
    """A CSL-JSON item, or (PATCH) its variables to change, as a JSON merge patch: a variable sent as null is
    removed. Its other CSL variables (author, issued, container-title, DOI...) as the item of a GET writes them."""

    type = serializers.CharField(required=False, help_text="A CSL item type: book, article-journal, chapter...")
    title = serializers.CharField(required=False)


class SourceImportSerializer(serializers.Serializer):
    csl = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="CSL-JSON items (a list), as Zotero exports them."
    )
    bibtex = serializers.CharField(required=False, trim_whitespace=False, help_text="BibTeX or biblatex entries.")
    partial = serializers.BooleanField(
        default=False, help_text="Import the entries that can be taken; without it, one refused entry refuses all."
    )

    def validate(self, attrs):
        if ("csl" in attrs) == ("bibtex" in attrs):
            raise serializers.ValidationError("Send either “csl” (a list of CSL-JSON items) or “bibtex” (text).")
        return attrs


class EntryNoteSerializer(serializers.Serializer):
    entry = serializers.CharField()
    reason = serializers.CharField()


class SourceImportResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.IntegerField(), help_text="The new sources' ids.")
    skipped = EntryNoteSerializer(many=True, help_text="Entries not imported: their DOI is in the project already.")
    notes = EntryNoteSerializer(many=True, help_text="Entries imported with a change.")
    refused = EntryNoteSerializer(many=True, help_text="Entries left out (with partial).")


class CitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    mark = serializers.IntegerField(source="annotation_id", read_only=True)
    source = serializers.IntegerField(source="source_id", help_text="The id of one of the project's sources.")
    locator = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LinkTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    name = serializers.CharField(help_text="Read from the first mark: “supports”.")
    inverse_name = serializers.CharField(help_text="Read from the second mark: “is supported by”.")
    targets = serializers.CharField(help_text="What a link of this type points to.")


class LinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    type = serializers.SlugField(source="type.key", help_text="The link type's key.")
    from_mark = serializers.IntegerField(source="from_annotation_id", read_only=True)
    to_mark = serializers.IntegerField(source="to_annotation_id", required=False, allow_null=True)
    to_source = serializers.IntegerField(source="to_source_id", required=False, allow_null=True)
    speaker = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    author = serializers.CharField(source="created_by.username", read_only=True)
    status = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


# Importing marks ------------------------------------------------------------------------------------------------


class ImportSerializer(serializers.Serializer):
    """A file of marks to check, then import (as the project's import page takes it), and where its marks go."""

    data = serializers.CharField(
        trim_whitespace=False, help_text="The file's text: our CSV or JSON-LD, or W3C annotations of another tool."
    )
    name = serializers.CharField(max_length=255, default="marks", help_text="The file's name, for the report.")
    links = serializers.CharField(
        required=False, trim_whitespace=False, help_text="Our links CSV, exported beside a marks CSV."
    )
    spreadsheet_safe = serializers.BooleanField(
        default=False, help_text="Undo the apostrophes a default (not raw) CSV export put before formulas."
    )
    document = serializers.IntegerField(required=False, help_text="Every mark into this document of the project.")
    label = serializers.SlugField(required=False, help_text="The label for marks whose tags name none of ours.")
    as_user = serializers.CharField(required=False, help_text="The member who makes the marks of unknown creators.")


class ImportUploadSerializer(serializers.Serializer):
    """An uploaded file of marks: being checked in the background (`checking`), checked with the dry run's report
    (rows placed, re-found, refused, each with its line), being imported (`importing`), imported with the import's
    report, or `failed` with its `message`. Read it again until its state is not checking or importing."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=[choice for choice, _ in ImportUpload.State.choices])
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    imported_at = serializers.DateTimeField(allow_null=True)
    report = serializers.DictField(
        help_text="Once checked: created, reanchored, unchanged, sources_created, links_created, links_unchanged, "
        "placed_count, refused_count, and placed and refused as [line, message] pairs."
    )
    message = serializers.CharField(help_text="Why it failed (state `failed`).")


class LinkNoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, trim_whitespace=False)
    version = serializers.IntegerField(required=False, help_text="The version read; or send it as If-Match.")
