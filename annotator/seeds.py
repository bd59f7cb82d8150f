"""Loading the seed corpus in seeds/ into its project."""
from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import text as textlib
from .models import Document, Project
from .services import create_project, first_line_title

SEED_PROJECT = "Great Purge historiography"
SEED_DESCRIPTION = "A forum thread and a blog post on the historiography of the Great Purge."


def seed_files() -> list[Path]:
    return sorted((Path(settings.BASE_DIR) / "seeds").glob("*.txt"))


@transaction.atomic
def load_seeds() -> tuple[Project, int]:
    """Load every seed file into the seed project; a file already loaded is left as it is. Returns (project, added)."""
    project = Project.objects.filter(name=SEED_PROJECT).first() or create_project(
        name=SEED_PROJECT, description=SEED_DESCRIPTION
    )
    added = 0
    for path in seed_files():
        if Document.objects.filter(project=project, origin=path.name).exists():
            continue
        text = textlib.decode_import(path.read_bytes())
        Document.objects.create(project=project, title=first_line_title(text), text=text, origin=path.name)
        added += 1
    return project, added
