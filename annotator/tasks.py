"""Background tasks (Django's Tasks API through the django-tasks backport; `manage.py db_worker` runs them)."""

from django_tasks import task

from .services import ingest


@task()
def extract_document(extraction_id: int) -> None:
    """Make the document (or the new version) an Extraction asks for; its row tells the page how far it got."""
    ingest.run_extraction(extraction_id)
