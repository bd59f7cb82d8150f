"""Forms parse and type-check input; the rules live in services."""
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from . import text as textlib
from .models import Label, Status


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=300, required=False, help_text="Leave empty to use the first line.")
    file = forms.FileField(required=False, help_text="A UTF-8 .txt or .md file.")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False, strip=False, label="Or paste the text")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
            )
        if not upload.name.lower().endswith((".txt", ".md", ".text", ".markdown")):
            raise forms.ValidationError("Upload a plain-text file (.txt or .md).")
        try:
            return textlib.decode_import(upload.read())
        except textlib.TextImportError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        file_text, pasted = data.get("file"), data.get("text") or ""
        if self.errors:
            return data
        if file_text and pasted.strip():
            raise forms.ValidationError("Upload a file or paste text, not both.")
        if not file_text and not pasted.strip():
            raise forms.ValidationError("Upload a file or paste some text.")
        if pasted and len(pasted.encode("utf-8")) > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The text is over the limit of {filesizeformat(settings.ANNOTATOR_MAX_UPLOAD_BYTES)}."
            )
        data["content"] = file_text or pasted
        return data


class ProjectLabelField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class AnnotationCreateForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    exact = forms.CharField(strip=False)
    label = ProjectLabelField(queryset=Label.objects.none(), error_messages={
        "invalid_choice": "That label is not one of this project's labels."
    })

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].queryset = Label.objects.filter(project=project)


class AnnotationUpdateForm(forms.Form):
    label = ProjectLabelField(queryset=Label.objects.none(), empty_label=None, error_messages={
        "invalid_choice": "That label is not one of this project's labels."
    })
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, strip=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].queryset = Label.objects.filter(project=project)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


class MarkFilterForm(forms.Form):
    """The side panel's filters. Prefixed names keep them apart from a mark's own fields."""

    f_label = forms.ModelChoiceField(queryset=Label.objects.none(), required=False, label="Label", empty_label="All labels")
    f_author = forms.TypedChoiceField(required=False, label="Author", coerce=int, empty_value=None)
    f_status = forms.ChoiceField(required=False, label="Status", choices=[("", "All statuses"), *Status.choices])

    def __init__(self, *args, project, authors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["f_label"].queryset = Label.objects.filter(project=project)
        self.fields["f_author"].choices = [("", "All authors"), *[(u.pk, u.get_username()) for u in authors]]

    def filters(self) -> dict:
        """Queryset filters for annotations; invalid values are ignored (a filter is not worth an error)."""
        if not self.is_valid():
            return {}
        result = {}
        if self.cleaned_data.get("f_label"):
            result["label"] = self.cleaned_data["f_label"]
        if self.cleaned_data.get("f_author"):
            result["created_by_id"] = self.cleaned_data["f_author"]
        if self.cleaned_data.get("f_status"):
            result["status"] = self.cleaned_data["f_status"]
        return result


class ExportForm(forms.Form):
    """What to export: the format, raw or spreadsheet-safe cells, and the same filters as the marks panel."""

    format = forms.ChoiceField(choices=[("csv", "CSV"), ("jsonld", "JSON-LD (W3C Web Annotation)")])
    raw = forms.BooleanField(required=False, label="Raw cells (for programs)")
    f_document = forms.ModelChoiceField(queryset=None, required=False, label="Document", empty_label="All documents")
    f_label = forms.ModelChoiceField(queryset=None, required=False, label="Label", empty_label="All labels")
    f_author = forms.TypedChoiceField(required=False, label="Author", coerce=int, empty_value=None)
    f_status = forms.ChoiceField(required=False, label="Status", choices=[("", "All statuses"), *Status.choices])

    def __init__(self, *args, project, authors, **kwargs):
        super().__init__(*args, **kwargs)
        self.authors = {u.pk: u.get_username() for u in authors}
        self.fields["f_document"].queryset = project.documents.only("id", "title", "project_id")
        self.fields["f_label"].queryset = Label.objects.filter(project=project)
        self.fields["f_author"].choices = [("", "All authors"), *self.authors.items()]

    def problem(self) -> str:
        """The form's errors as one sentence for the user."""
        return " ".join(f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items())
