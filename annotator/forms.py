"""Forms parse and type-check input; the rules live in services."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify

from . import bibliography, exchange, ingest
from . import text as textlib
from .exchange import ExportFilter
from .models import Document, Label, LinkType, Source, Status, Webhook

TEXT_ENDINGS = (".txt", ".md", ".text", ".markdown")


class DocumentForm(forms.Form):
    """A document's text: a file, pasted text or (adding a document) a web page's address, exactly one of them.

    A text file or pasted text gives `content`, made into a document at once; a PDF, HTML or Word file gives
    `upload` (name, bytes) and an address `url`, each extracted in the background (services.ingest).
    """

    title = forms.CharField(
        max_length=300, required=False, help_text="Leave empty to use the page's or file's title, or the first line."
    )
    url = forms.CharField(
        max_length=2000,
        required=False,
        label="The address of a web page",
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
        help_text="Its article's text and metadata are fetched and extracted (http or https; a PDF or Word file's "
        "address works too).",
    )
    file = forms.FileField(
        required=False,
        label="Or a file",
        help_text="PDF (with a text layer), Word (.docx), HTML (.html, .htm: a saved web page), or UTF-8 text "
        "(.txt, .md).",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.html,.htm,.txt,.md,.text,.markdown"}),
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, strip=False, label="Or paste the text"
    )
    takes_files = True  # PDF, HTML and Word files and addresses; a new version takes text only

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
            )
        data = upload.read()
        if upload.name.lower().endswith(TEXT_ENDINGS):
            try:
                return textlib.decode_import(data)
            except textlib.TextImportError as exc:
                raise forms.ValidationError(str(exc)) from None
        if self.takes_files and ingest.media_type_for(upload.name, head=data[:1024]):
            return ingest.Upload(upload.name, data)
        if not self.takes_files:
            raise forms.ValidationError("Upload a plain-text file (.txt or .md).")
        raise forms.ValidationError("This kind of file cannot be read: upload PDF, Word (.docx), HTML, .txt or .md.")

    def clean(self):
        data = super().clean()
        file, pasted, url = data.get("file"), data.get("text") or "", (data.get("url") or "").strip()
        if self.errors:
            return data
        given = [bool(file), bool(pasted.strip()), bool(url)]
        if sum(given) > 1:
            raise forms.ValidationError(
                "Give one of them: an address, a file or pasted text."
                if self.takes_files
                else "Upload a file or paste text, not both."
            )
        if not any(given):
            raise forms.ValidationError(
                "Give the address of a web page, upload a file or paste some text."
                if self.takes_files
                else "Upload a file or paste some text."
            )
        if pasted and len(pasted.encode("utf-8")) > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The text is over the limit of {filesizeformat(settings.ANNOTATOR_MAX_UPLOAD_BYTES)}."
            )
        data["upload"] = file if isinstance(file, ingest.Upload) else None
        data["content"] = file if isinstance(file, str) else pasted
        data["url"] = url
        return data


class ProjectLabelField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OneValueEach:
    """A form each of whose fields comes once: a request naming one twice (two marks' offsets in one request) is
    refused, never read for its last value."""

    def clean(self):
        data = super().clean()
        repeated = [
            name for name in self.fields if len(getattr(self.data, "getlist", lambda _: [])(self.add_prefix(name))) > 1
        ]
        if repeated:
            raise forms.ValidationError(f"One mark a request: {', '.join(repeated)} came more than once.")
        return data


class AnnotationCreateForm(OneValueEach, forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    exact = forms.CharField(strip=False)
    label = ProjectLabelField(
        queryset=Label.objects.none(),
        error_messages={"invalid_choice": "That label is not one of this project's labels."},
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].queryset = Label.objects.filter(project=project)


STALE_PAGE = "The page is out of date (the mark's version is missing or wrong); reload it and try again."


class AnnotationUpdateForm(forms.Form):
    label = ProjectLabelField(
        queryset=Label.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "That label is not one of this project's labels."},
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, strip=False)
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": STALE_PAGE,
            "invalid": STALE_PAGE,
            "min_value": STALE_PAGE,
        },
    )

    def __init__(self, *args, project, offered_with=None, **kwargs):
        """`offered_with`: the mark's label, for a form shown in its panel: the menu offers the labels in use and
        that one (a retired label stays on its marks, but nobody chooses it anew)."""
        super().__init__(*args, **kwargs)
        labels = Label.objects.filter(project=project)
        if offered_with is not None:
            labels = labels.filter(Q(retired=False) | Q(pk=offered_with))
        self.fields["label"].queryset = labels

    def non_field_errors(self):
        """With the errors of the hidden version, which has no place of its own to show them: a refusal nobody sees is
        a save that silently did nothing."""
        errors = super().non_field_errors().copy()
        errors.extend(self.errors.get("version", []))
        return errors


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


class AuthorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_username()


class MarkFilterForm(forms.Form):
    """The side panel's filters. Prefixed names keep them apart from a mark's own fields."""

    f_label = forms.ModelChoiceField(
        queryset=Label.objects.none(), required=False, label="Label", empty_label="All labels"
    )
    f_author = AuthorChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Author", empty_label="All authors"
    )
    f_status = forms.ChoiceField(required=False, label="Status", choices=[("", "All statuses"), *Status.choices])

    def __init__(self, *args, project, authors, **kwargs):
        super().__init__(*args, **kwargs)
        # Querysets, not lists: the filters are checked on every poll, and an empty one needs no query.
        self.fields["f_label"].queryset = Label.objects.filter(project=project)
        self.fields["f_author"].queryset = authors

    def filters(self) -> dict:
        """Queryset filters for annotations; invalid values are ignored (a filter is not worth an error)."""
        if not self.is_valid():
            return {}
        result = {}
        if self.cleaned_data.get("f_label"):
            result["label"] = self.cleaned_data["f_label"]
        if self.cleaned_data.get("f_author"):
            result["created_by_id"] = self.cleaned_data["f_author"].pk
        if self.cleaned_data.get("f_status"):
            result["status"] = self.cleaned_data["f_status"]
        return result


class NewVersionForm(DocumentForm):
    """A new version of a document's text: a file or pasted text, and a note on what changed."""

    # None removes a field the parent declares (Django's documented way); the stubs type the attribute as the field.
    title = None  # type: ignore[assignment]
    url = None  # type: ignore[assignment]
    file = forms.FileField(required=False, help_text="A UTF-8 .txt or .md file.")
    takes_files = False
    note = forms.CharField(
        max_length=500, required=False, help_text="What changed, in a line (e.g. 'OCR errors fixed')."
    )


class ReattachForm(OneValueEach, forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    exact = forms.CharField(strip=False)


# Review ------------------------------------------------------------------------------------------


class ReviewForm(forms.Form):
    """A reviewer's decision on one mark; `version` is the mark's version the reviewer saw."""

    status = forms.ChoiceField(
        choices=Status.choices,
        error_messages={
            "required": "Choose Accept or Reject.",
            "invalid_choice": "“%(value)s” is not a review decision: choose Accept or Reject.",
        },
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label="Review note (optional)"
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "The mark's version is missing; reload the page and review again.",
        },
    )

    def message(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class ReviewFilterForm(forms.Form):
    """The review queue's filters; an invalid value is ignored rather than an error."""

    document = forms.ModelChoiceField(queryset=Document.objects.none(), required=False, empty_label="All documents")
    label = ProjectLabelField(queryset=Label.objects.none(), required=False, empty_label="All labels")
    author = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, project, authors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.filter(project=project).only("id", "title")
        self.fields["label"].queryset = Label.objects.filter(project=project)
        self.fields["author"].choices = [("", "All authors"), *[(u.pk, u.get_username()) for u in authors]]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        result = {}
        if data.get("document"):
            result["span__document"] = data["document"]
        if data.get("label"):
            result["label"] = data["label"]
        if data.get("author"):
            result["created_by_id"] = data["author"]
        return result


# Sources and citations (issue 5) -------------------------------------------------------------------


def _type_choices() -> list:
    """CSL's item types by their names, the common ones first."""
    common = [(t, bibliography.CSL_TYPES[t]) for t in bibliography.COMMON_TYPES]
    others = sorted(
        ((t, name) for t, name in bibliography.CSL_TYPES.items() if t not in bibliography.COMMON_TYPES),
        key=lambda choice: choice[1],
    )
    return [("Common types", common), ("More types", others)]


def _names_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=label,
        help_text=help_text or "One per line, as for the authors.",
    )


class SourceForm(forms.Form):
    """A source's fields as people type them: names one per line as 'Family, Given' (', Suffix'), the date as text
    (or kept as written), CSL's other roles and variables one per line as 'role: name' and 'variable: value'."""

    type = forms.ChoiceField(choices=_type_choices, initial="book")
    title = forms.CharField(max_length=500, error_messages={"required": "A source needs a title."})
    authors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line: “Family, Given” (“van der Berg, Jan”; “Fulton, James E., Jr.”), or a name as it "
        "stands (an organisation).",
    )
    editors = _names_field("Editors")
    translators = _names_field("Translators")
    other_names = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Other names, by role",
        help_text="One per line: the CSL role, a colon, the name: “container-author: Tucker, Robert C.”, "
        "“director: Eisenstein, Sergei”.",
    )
    issued = forms.CharField(
        max_length=bibliography.LITERAL_DATE_LIMIT,
        required=False,
        label="Date issued",
        help_text=f"{bibliography.DATE_FORMS}.",
    )
    issued_as_written = forms.BooleanField(
        required=False,
        label="Keep the date as written",
        help_text="For a date that is none of those forms: “n.d.”, “Nivôse an II”.",
    )
    container_title = forms.CharField(max_length=500, required=False, label="In (journal, book, site)")
    volume = forms.CharField(max_length=40, required=False)
    issue = forms.CharField(max_length=40, required=False)
    pages = forms.CharField(max_length=40, required=False)
    publisher = forms.CharField(max_length=300, required=False)
    publisher_place = forms.CharField(max_length=300, required=False, label="Place of publication")
    url = forms.URLField(max_length=1000, required=False, label="URL", assume_scheme="https")
    doi = forms.CharField(
        max_length=200, required=False, label="DOI", help_text="10.2307/2679116, or its address at doi.org."
    )
    archive = forms.CharField(max_length=300, required=False, help_text="The archive holding it, e.g. RGASPI.")
    archive_location = forms.CharField(
        max_length=300, required=False, label="Archival reference", help_text="e.g. f. 17, op. 3, d. 922."
    )
    other_fields = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Other fields",
        help_text="One per line: a CSL variable, a colon, its value: “edition: 2”, “ISBN: 978-0-19-...”, "
        "“scale: 1:10000”, “accessed: 2024-01-05”.",
    )
    full_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        strip=False,
        help_text="The source's own text (or the part you quote from), to check quotations against.",
    )
    full_text_file = forms.FileField(required=False, label="Or upload its text", help_text="A UTF-8 .txt or .md file.")

    @classmethod
    def initial_for(cls, source) -> dict:
        initial = {name: getattr(source, name) for name in cls.base_fields if hasattr(source, name)}
        initial["authors"] = bibliography.names_text(source.authors, "\n")
        contributors = source.contributors if isinstance(source.contributors, dict) else {}
        initial["editors"] = bibliography.names_text(contributors.get("editor", []), "\n")
        initial["translators"] = bibliography.names_text(contributors.get("translator", []), "\n")
        initial["other_names"] = "\n".join(
            f"{role}: {bibliography.name_text(name)}"
            for role in bibliography.CONTRIBUTOR_ROLES
            if role not in ("editor", "translator")
            for name in bibliography._as_names(contributors.get(role))
        )
        initial["issued"] = bibliography.date_text(source.issued)
        initial["issued_as_written"] = isinstance(source.issued, dict) and bool(source.issued.get("literal"))
        other = source.other_fields if isinstance(source.other_fields, dict) else {}
        initial["other_fields"] = "\n".join(
            f"{key}: {bibliography.date_text(value) if key in bibliography.OTHER_DATE_VARIABLES else value}"
            for key, value in other.items()
        )
        return initial

    def clean_authors(self):
        return bibliography.parse_names(self.cleaned_data.get("authors") or "")

    def clean_editors(self):
        return bibliography.parse_names(self.cleaned_data.get("editors") or "")

    def clean_translators(self):
        return bibliography.parse_names(self.cleaned_data.get("translators") or "")

    @staticmethod
    def _pairs(text: str, what: str) -> list[tuple[str, str]]:
        pairs = []
        for line in text.splitlines():
            if not line.strip():
                continue
            key, colon, value = line.partition(":")
            if not colon or not key.strip() or not value.strip():
                raise forms.ValidationError(f"“{line.strip()[:80]}” is not “{what}: value”.")
            pairs.append((key.strip(), value.strip()))
        return pairs

    def clean_other_names(self):
        contributors: dict = {}
        for role, name in self._pairs(self.cleaned_data.get("other_names") or "", "role"):
            if role not in bibliography.CONTRIBUTOR_ROLES:
                raise forms.ValidationError(
                    f"“{role[:40]}” is not a CSL name role ({', '.join(bibliography.CONTRIBUTOR_ROLES)})."
                )
            contributors.setdefault(role, []).append(bibliography.parse_name(name))
        return contributors

    def clean_other_fields(self):
        fields: dict = {}
        for key, value in self._pairs(self.cleaned_data.get("other_fields") or "", "variable"):
            if key not in bibliography.OTHER_VARIABLES:
                raise forms.ValidationError(f"“{key[:40]}” is not one of the CSL variables a source keeps.")
            if key in bibliography.OTHER_DATE_VARIABLES:
                try:
                    value = bibliography.parse_date(value)
                except bibliography.BibliographyError as exc:
                    raise forms.ValidationError(f"{key}: {exc}") from None
            fields[key] = value
        return fields

    def clean(self):
        data = super().clean()
        text = data.get("issued") or ""
        if "issued" in data:
            if data.get("issued_as_written"):
                data["issued"] = {"literal": " ".join(text.split())} if text.strip() else {}
            else:
                try:
                    data["issued"] = bibliography.parse_date(text)
                except bibliography.BibliographyError as exc:
                    self.add_error("issued", str(exc))
        return data

    def clean_full_text(self):
        pasted = self.cleaned_data.get("full_text") or ""
        if len(pasted.encode("utf-8")) > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The text is over the limit of {filesizeformat(settings.ANNOTATOR_MAX_UPLOAD_BYTES)}."
            )
        return pasted

    def clean_full_text_file(self):
        upload = self.cleaned_data.get("full_text_file")
        if upload is None:
            return None
        if upload.size > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is over the limit of {filesizeformat(settings.ANNOTATOR_MAX_UPLOAD_BYTES)}."
            )
        try:
            return textlib.normalise_text(textlib.decode_import(upload.read()))
        except textlib.TextImportError as exc:
            raise forms.ValidationError(str(exc)) from None

    def source_fields(self) -> dict:
        data = dict(self.cleaned_data)
        uploaded = data.pop("full_text_file", None)
        data.pop("issued_as_written", None)
        contributors = data.pop("other_names", None) or {}
        for role, key in (("editor", "editors"), ("translator", "translators")):
            names = data.pop(key, None)
            if names:
                contributors[role] = names + contributors.get(role, [])
        data["contributors"] = contributors
        data["full_text"] = textlib.normalise_text(uploaded or data.get("full_text") or "")
        return data


class QuickSourceForm(SourceForm):
    """A new source made from a mark's panel: the main fields only, plus the citation's locator and note."""

    locator = forms.CharField(max_length=200, required=False, help_text="A page, or an archival reference.")
    # Not "Note": the mark's own note field sits in the same panel.
    note = forms.CharField(required=False, label="Comment on the citation")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)
        for name in [
            "volume",
            "issue",
            "pages",
            "publisher",
            "publisher_place",
            "archive",
            "archive_location",
            "full_text_file",
            "translators",
            "other_names",
            "other_fields",
        ]:
            del self.fields[name]

    def source_fields(self) -> dict:
        data = super().source_fields()
        return {k: v for k, v in data.items() if k not in ("locator", "note")}


class CitationForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=Source.objects.none(),
        error_messages={
            "required": "Choose a source to cite.",
            "invalid_choice": "That source is not one of this project's sources.",
        },
    )
    locator = forms.CharField(max_length=200, required=False)
    note = forms.CharField(required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.filter(project=project)


class SourceImportForm(forms.Form):
    file = forms.FileField(help_text="CSL-JSON (.json, as Zotero exports it) or BibTeX / biblatex (.bib).")
    partial = forms.BooleanField(
        required=False,
        label="Import the entries that can be taken, and list the others",
        help_text="Without it, an entry that cannot be taken keeps the whole file out, and the page lists why.",
    )

    def clean_file(self):
        """The file's entries (bibliography.Entry), each read or refused on its own."""
        upload = self.cleaned_data["file"]
        if upload.size > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is over the limit of {filesizeformat(settings.ANNOTATOR_MAX_UPLOAD_BYTES)}."
            )
        name = upload.name.lower()
        if not name.endswith((".json", ".bib", ".bibtex")):
            raise forms.ValidationError("Upload a CSL-JSON file (.json) or a BibTeX file (.bib).")
        try:
            text = textlib.normalise_text(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None
        try:
            return bibliography.read_file(name, text)
        except bibliography.BibliographyError as exc:
            raise forms.ValidationError(f"Nothing was imported. {exc}") from None


class SuggestionForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)


# Export ------------------------------------------------------------------------------------------


class ExportForm(forms.Form):
    """What to export: the format, raw or spreadsheet-safe cells, and the same filters as the marks panel."""

    format = forms.ChoiceField(
        choices=[
            ("csv", "CSV"),
            ("links-csv", "Links CSV (the links between these marks)"),
            ("jsonld", "JSON-LD (W3C Web Annotation, marks and links)"),
        ]
    )
    raw = forms.BooleanField(required=False, label="Raw cells (for programs)")
    # Each form's querysets are the project's (set in __init__); the annotations give the fields their models.
    f_document: "forms.ModelChoiceField[Document]"
    f_label: "forms.ModelChoiceField[Label]"
    f_document = forms.ModelChoiceField(queryset=None, required=False, label="Document", empty_label="All documents")
    f_label = forms.ModelChoiceField(queryset=None, required=False, label="Label", empty_label="All labels")
    f_author = forms.TypedChoiceField(required=False, label="Author", coerce=int, empty_value=None)
    f_status = forms.ChoiceField(required=False, label="Status", choices=[("", "All statuses"), *Status.choices])
    f_gold = forms.BooleanField(
        required=False, label="Gold standard only: accepted marks kept when a disagreement was settled"
    )

    def __init__(self, *args, project, authors, **kwargs):
        super().__init__(*args, **kwargs)
        self.authors = {u.pk: u.get_username() for u in authors}
        self.fields["f_document"].queryset = project.documents.only("id", "title", "project_id")
        self.fields["f_label"].queryset = Label.objects.filter(project=project)
        self.fields["f_author"].choices = [("", "All authors"), *self.authors.items()]

    def problem(self) -> str:
        """The form's errors as one sentence for the user."""
        # An ErrorList yields each error's message as text (the stubs allow a ValidationError or a lazy string).
        return " ".join(
            f"{self.fields[name].label}: {' '.join(map(str, errors))}" for name, errors in self.errors.items()
        )

    def export_filter(self, project) -> ExportFilter:
        data = self.cleaned_data
        return ExportFilter(
            project_id=project.pk,
            document_id=data["f_document"].pk if data["f_document"] else None,
            label=data["f_label"].key if data["f_label"] else None,
            status=data["f_status"] or None,
            editor=self.authors[data["f_author"]] if data["f_author"] else None,
            gold=data["f_gold"],
        )

    def download(self, request, project):
        """The streamed download the valid form asks for: the project's marks (or its chosen document's) that pass
        the filters, in the chosen format. The export page and the API both answer with it."""
        data = self.cleaned_data
        chosen = data["f_document"]
        scope = f"-document-{chosen.pk}" if chosen else ""
        return exchange.download(
            request,
            exchange.query.marks(self.export_filter(project)),
            data["format"],
            raw=data["raw"],
            label=f"Marks of {chosen.title if chosen else project.name}",
            name=f"{slugify(project.name) or 'project'}{scope}-marks-{timezone.now():%Y%m%d}",
        )


# Links between marks (issue 8) ---------------------------------------------------------------------


class LinkForm(forms.Form):
    """A new link from the open mark: a type read forwards or backwards, and one target (a mark, a source or a
    speaker)."""

    type = forms.CharField(error_messages={"required": "Choose how the marks are linked."})
    to_annotation = forms.IntegerField(required=False, min_value=1)
    to_source = forms.IntegerField(required=False, min_value=1)
    speaker = forms.CharField(required=False, max_length=200)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def message(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class LinkNoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    version = forms.IntegerField(min_value=1)


class LinkTypeChangeForm(forms.Form):
    """Which of the project's link types to rename or move, and its new names (the service checks them)."""

    link_type = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": "Choose a link type.",
            "invalid": "Choose a link type.",
            "min_value": "Choose a link type.",
        },
    )
    name = forms.CharField(required=False)
    inverse_name = forms.CharField(required=False)

    def message(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class LinkTypeForm(forms.Form):
    """A link type as a manager adds it."""

    name = forms.CharField(max_length=80, help_text="Read from the first mark: “supports”.")
    inverse_name = forms.CharField(
        max_length=80,
        required=False,
        label="Name read backwards",
        help_text="Read from the second mark: “is supported by”.",
    )
    from_labels = forms.ModelMultipleChoiceField(
        queryset=Label.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Starts from marks labelled",
        help_text="None ticked: any label.",
    )
    to_labels = forms.ModelMultipleChoiceField(
        queryset=Label.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Points to marks labelled",
        help_text="None ticked: any label.",
    )
    targets = forms.ChoiceField(choices=LinkType.Targets.choices, initial=LinkType.Targets.MARKS, label="Points to")

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("from_labels", "to_labels"):
            self.fields[name].queryset = Label.objects.filter(project=project)


# Running a team (issue 20) ------------------------------------------------------------------------


class TeamForm(forms.Form):
    """A form of the team pages: its errors as one sentence for a message."""

    def message(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)


class ProjectForm(TeamForm):
    name = forms.CharField(max_length=200, strip=True)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)


class GuidelinesForm(TeamForm):
    guidelines = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 16}),
        required=False,
        strip=False,
        max_length=100_000,
        help_text="Markdown: # headings, *emphasis*, lists, [links](https://…). HTML is shown as text.",
    )


ROLE_CHOICES = [("annotator", "Annotator"), ("reviewer", "Reviewer"), ("manager", "Manager")]


class MemberForm(TeamForm):
    """Add an existing account, or make a new one, with a role."""

    username = forms.CharField(max_length=150, label="User name")
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="annotator")


class MembershipChoiceForm(TeamForm):
    membership = forms.IntegerField(
        min_value=1, error_messages={"required": "Choose a member.", "invalid": "Choose a member."}
    )
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)


class LabelForm(TeamForm):
    name = forms.CharField(max_length=80)
    colour = forms.CharField(max_length=7, widget=forms.TextInput(attrs={"type": "color"}), initial="#f6d365")
    shortcut = forms.CharField(
        max_length=1, required=False, strip=False, label="Key", help_text="One lower-case letter or digit."
    )


class NewLabelForm(LabelForm):
    key = forms.CharField(max_length=40, label="Key in exports", help_text="e.g. “counterclaim”; never changes.")

    field_order = ["name", "key", "colour", "shortcut"]


class AssignmentForm(TeamForm):
    document = forms.IntegerField(
        min_value=1, error_messages={"required": "Choose a document.", "invalid": "Choose a document."}
    )
    user = forms.IntegerField(
        min_value=1, label="Member", error_messages={"required": "Choose a member.", "invalid": "Choose a member."}
    )
    task = forms.ChoiceField(choices=[("annotate", "Annotate"), ("review", "Review")], initial="annotate")


class SearchForm(forms.Form):
    """A search: the words, and the facets and dates it is narrowed to (ids as the facet links send them)."""

    q = forms.CharField(required=False, max_length=300, label="Search")
    kind = forms.CharField(required=False, max_length=10)
    label = forms.CharField(required=False, max_length=20)
    status = forms.CharField(required=False, max_length=10)
    author = forms.CharField(required=False, max_length=20)
    document = forms.CharField(required=False, max_length=20)
    source = forms.CharField(required=False, max_length=20)
    since = forms.DateField(required=False, label="From")
    until = forms.DateField(required=False, label="To")
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)


class AccessTokenForm(forms.Form):
    """A new personal access token for the API: what it is for, what it may do, until when."""

    name = forms.CharField(max_length=100, help_text="What it is for: “CMS import”, “desk script”.")
    scope = forms.ChoiceField(
        choices=[("read", "Read"), ("write", "Read and write")],
        initial="read",
        widget=forms.RadioSelect,
        help_text="A token that only reads cannot change anything.",
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for a token that does not expire; revoke it when it is no longer needed.",
    )


# Verdicts (issue 24) ------------------------------------------------------------------------------


class _Messages:
    def message(self) -> str:
        return " ".join(str(e) for errors in self.errors.values() for e in errors)  # type: ignore[attr-defined]


class RatingForm(_Messages, forms.Form):
    """A rating as a manager adds or changes it; the service checks the name and the value."""

    name = forms.CharField(required=False, max_length=200)
    value = forms.IntegerField(
        required=False,
        error_messages={"invalid": "A rating's value is a whole number (or empty, off the scale)."},
        help_text="Its place on the scale; empty for a rating off the scale (Unproven).",
    )


class RatingScaleForm(_Messages, forms.Form):
    best = forms.IntegerField(error_messages={"required": "Give the scale's best value.", "invalid": "A whole number."})
    worst = forms.IntegerField(
        error_messages={"required": "Give the scale's worst value.", "invalid": "A whole number."}
    )


class VerdictForm(_Messages, forms.Form):
    """A verdict as the mark's panel sends it; the service checks the rules (summary, rating, appearances)."""

    rating = forms.IntegerField(required=False, error_messages={"invalid": "Choose a rating of the scale."})
    summary = forms.CharField(required=False, max_length=500, label="The claim in a few words")
    explanation = forms.CharField(required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 4}))
    claimant = forms.CharField(required=False, max_length=500, label="Who made the claim")
    claimant_source = forms.IntegerField(required=False, error_messages={"invalid": "Choose a source."})
    claim_date = forms.DateField(
        required=False,
        label="When the claim was made",
        error_messages={"invalid": "Give the date the claim was made as YYYY-MM-DD."},
    )
    appearances = forms.CharField(required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, min_value=1)

    def urls(self) -> list[str]:
        return self.cleaned_data["appearances"].split()


# Webhooks (issue 23) ------------------------------------------------------------------------------


class WebhookForm(TeamForm):
    url = forms.CharField(
        max_length=2000,
        label="Address",
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
        help_text="Deliveries are POSTed here as JSON (http or https; a public address).",
    )
    events = forms.MultipleChoiceField(
        choices=Webhook.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )


class WebhookChangeForm(WebhookForm):
    active = forms.BooleanField(required=False, label="Active", help_text="A disabled hook is sent nothing.")


class ImportForm(TeamForm):
    """A file of marks to check and then import into the project, and where other tools' marks go."""

    file = forms.FileField(
        label="File of marks",
        help_text="Our CSV (exported raw, or tick below) or JSON-LD, or W3C annotations from another tool "
        "(Hypothesis, Recogito).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.jsonld,.txt"}),
    )
    links = forms.FileField(
        required=False,
        label="Links CSV",
        help_text="The links CSV exported beside a marks CSV (JSON-LD holds its links).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt"}),
    )
    spreadsheet_safe = forms.BooleanField(
        required=False,
        label="The CSV was exported without “raw”",
        help_text="Removes the apostrophes put before cells a spreadsheet would run.",
    )
    document = forms.ModelChoiceField(
        queryset=Document.objects.none(),
        required=False,
        empty_label="The document each mark names",
        help_text="Other tools' marks name no document of ours: choose the one they go to.",
    )
    label = forms.ChoiceField(
        required=False, help_text="For marks whose tags name none of the project's labels.", label="Label"
    )
    as_user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="In the name of",
        empty_label="Their own editors",
        help_text="For marks by people this app does not know: a member makes them (the file's name for them "
        "stays in the note).",
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.filter(project=project).defer("text").order_by("title")
        self.fields["label"].choices = [("", "None: refuse them")] + [
            (label.key, label.name) for label in Label.objects.filter(project=project)
        ]
        self.fields["as_user"].queryset = (
            get_user_model().objects.filter(memberships__project=project).order_by("username")
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
            )
        return upload

    def clean_links(self):
        upload = self.cleaned_data.get("links")
        if upload is not None and upload.size > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The links file is {filesizeformat(upload.size)}; "
                f"the limit is {filesizeformat(settings.ANNOTATOR_MAX_UPLOAD_BYTES)}."
            )
        return upload
