"""Tying a form's errors to its fields, so that assistive technology reads each error with the field it is about."""

from django import template

register = template.Library()


@register.filter
def errors_id(form) -> str:
    """The id of the element that shows a form's own errors (those of no one field)."""
    return form.add_prefix("form_errors")


@register.simple_tag
def widget(field, form=None, errors_concern: str = ""):
    """The field's widget. When the form's own errors are about this field (its name in `errors_concern`), the widget
    is marked invalid and described by them too, after its own help and errors."""
    if form is None or not errors_concern or field.name not in errors_concern.split() or not form.non_field_errors():
        return field.as_widget()
    described = " ".join(filter(None, [field.aria_describedby, errors_id(form)]))
    return field.as_widget(attrs={"aria-describedby": described, "aria-invalid": "true"})


@register.simple_tag
def cell_widget(field, prefix: str, column: str = ""):
    """A field in a row of a table of forms (the admin's tabular inlines): labelled by its column's header and described
    by the column's help (templates/admin/annotator/tabular_inline.html), as a table cell has no label of its own."""
    column = column or field.name
    attrs = {"aria-labelledby": f"{prefix}-{column}-column"}
    described = [f"{prefix}-{column}-help"] if field.help_text else []
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")  # the id of Django's list of the field's errors
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
