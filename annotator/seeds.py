"""Loading the seed corpus in seeds/ into its project."""

from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import text as textlib
from .models import Document, Project
from .services import add_document, create_project

SEED_PROJECT = "Great Purge historiography"
SEED_DESCRIPTION = "A forum thread and a blog post on the historiography of the Great Purge."


def seed_files() -> list[Path]:
    return sorted((Path(settings.BASE_DIR) / "seeds").glob("*.txt"))


@transaction.atomic
def load_seeds(*, manager) -> tuple[Project, int]:
    """Load every seed file into the seed project, as its manager `manager` (who becomes its manager when the
    project is made now); a file already loaded is left as it is. Returns (project, added)."""
    project = Project.objects.filter(name=SEED_PROJECT).first() or create_project(
        name=SEED_PROJECT, description=SEED_DESCRIPTION, owner=manager
    )
    added = 0
    for path in seed_files():
        if Document.objects.filter(project=project, origin=path.name).exists():
            continue
        # The title is the first line, as add_document makes it when none is given.
        add_document(
            user=manager, project=project, title="", text=textlib.decode_import(path.read_bytes()), origin=path.name
        )
        added += 1
    return project, added
