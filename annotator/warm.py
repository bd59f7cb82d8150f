"""Work a server process does once, at start, rather than in its first requests.

A gunicorn worker imports the views when the first request resolves a URL and compiles each template when it
is first rendered: the first page load of every worker took about 100 ms more than the next ones (SQLite, the
1 MB document). `config/wsgi.py` calls warm_up() when a worker loads the app, before it accepts requests.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver, reverse


def project_templates() -> list[str]:
    """Every template of the project's templates folder, by the name it is loaded with."""
    found = []
    for folder in settings.TEMPLATES[0]["DIRS"]:
        found += [str(path.relative_to(folder)) for path in sorted(folder.rglob("*.html"))]
    return found


def warm_up() -> None:
    assert get_resolver().url_patterns  # imports the URLconf and with it every view
    reverse("project_list")  # builds the reverse lookup tables
    for name in project_templates():
        get_template(name)  # compiled into the cached loader (with DEBUG off)
