"""Template filters for the agreement page."""

from django import template

register = template.Library()


@register.filter
def figure(value) -> str:
    """An agreement figure to two decimals, or an em dash when it is undefined (None)."""
    if value is None:
        return "—"
    return f"{value:.2f}"
