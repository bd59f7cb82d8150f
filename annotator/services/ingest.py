"""Documents from web pages and files: asking for one, doing the work (in the background task), fetching again.

`request_document` and `request_refetch` check permission, keep what the work needs in an Extraction row and queue
the task; `run_extraction` (the task's body) fetches, extracts and then, in one transaction, makes the document (or
the new version) with its pages, its original and its source. Whatever fails leaves the row saying why and nothing
else saved.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .. import ingest
from .. import text as textlib
from ..ingest.fetch import FetchError, fetch
from ..models import Document, DocumentVersion, Extraction, Original, Project, Role
from .errors import ActionRefused, Forbidden
from .projects import add_document, check_member, first_line_title
from .sources import create_source
from .versions import add_version

logger = logging.getLogger(__name__)


def _check_manager(user, project_id: int, what: str):
    membership = check_member(user, project_id)
    if membership.role != Role.MANAGER:
        raise Forbidden(f"Only the project's managers may {what}.")
    return membership


def _check_url(url: str) -> str:
    url = url.strip()
    if not url:
        raise ActionRefused("Give the address of a web page.")
    if len(url) > 2000:
        raise ActionRefused("This address is too long (over 2,000 characters).")
    if not url.lower().startswith(("http://", "https://")):
        raise ActionRefused("Only http:// and https:// addresses can be fetched.")
    return url


def request_document(
    *, user, project: Project, title: str = "", url: str = "", name: str = "", data: bytes = b""
) -> Extraction:
    """Ask for a document made from a URL or from a file's bytes (managers only); the work runs in the background."""
    _check_manager(user, project.pk, "add documents")
    if bool(url) == bool(data):
        raise ActionRefused("Give either an address or a file.")
    if url:
        url = _check_url(url)
    else:
        if len(data) > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
            raise ActionRefused(f"The file is over the limit of {settings.ANNOTATOR_MAX_UPLOAD_BYTES:,} bytes.")
        if not ingest.media_type_for(name, head=data[:1024]):
            raise ActionRefused("This kind of file cannot be read: upload PDF, HTML, .docx, .txt or .md.")
    extraction = Extraction.objects.create(
        project=project, requested_by=user, title=title.strip()[:300], url=url, name=name[:255], data=data
    )
    return _queue(extraction)


def request_refetch(*, user, document: Document) -> Extraction:
    """Fetch a document made from a URL again (managers only): a changed text becomes its next version."""
    _check_manager(user, document.project_id, "fetch documents again")
    url = (
        Original.objects.filter(version__document=document)
        .exclude(url="")
        .order_by("-version__number")
        .values_list("url", flat=True)
        .first()
    )
    if not url:
        raise ActionRefused("This document was not made from a web address: there is nothing to fetch again.")
    extraction = Extraction.objects.create(
        project_id=document.project_id, document=document, refetch=True, requested_by=user, url=url
    )
    return _queue(extraction)


def _queue(extraction: Extraction) -> Extraction:
    try:
        extract_document.enqueue(extraction.pk)
    except Exception:
        logger.exception("Could not queue extraction %s", extraction.pk)
        _finish(
            extraction.pk, Extraction.State.FAILED, "The work could not be queued (the database refused it). Try again."
        )
        raise
    extraction.refresh_from_db()
    return extraction


# The work ---------------------------------------------------------------------------------------------------------


@task()
def extract_document(extraction_id: int) -> None:
    """The background task (Django's Tasks API; `manage.py db_worker` runs it): the work one Extraction asks for."""
    run_extraction(extraction_id)


class _Progress:
    """Writes the percentage done to the row, at most twice a second: the page polls it."""

    def __init__(self, extraction_id: int, low: int, high: int):
        self.extraction_id, self.low, self.high, self.written = extraction_id, low, high, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.written >= 0.5 or done >= total:
            self.written = now
            percent = self.low + (self.high - self.low) * min(done, total) // max(total, 1)
            Extraction.objects.filter(pk=self.extraction_id).update(progress=percent)


def _finish(extraction_id: int, state: str, message: str, **fields) -> None:
    Extraction.objects.filter(pk=extraction_id).update(
        state=state,
        message=message[:1000],
        finished_at=timezone.now(),
        progress=100 if state == "done" else 0,
        data=b"",
        **fields,
    )


def run_extraction(extraction_id: int) -> None:
    """Do the work one Extraction asks for; its row ends done (with the document or version) or failed (with why)."""
    claimed = Extraction.objects.filter(pk=extraction_id, state=Extraction.State.WAITING).update(
        state=Extraction.State.RUNNING, progress=1
    )
    if not claimed:
        return  # done already, or being done by another worker
    extraction = Extraction.objects.select_related("requested_by", "project", "document").get(pk=extraction_id)
    try:
        original = _original(extraction)
        assert isinstance(original.data, bytes)  # made from bytes just now, not read back (a memoryview on PostgreSQL)
        Extraction.objects.filter(pk=extraction_id).update(progress=30 if extraction.url else 5)
        extracted = ingest.extract(
            original.data,
            original.media_type,
            url=original.final_url or original.url or None,
            progress=_Progress(extraction_id, 30 if extraction.url else 5, 90),
        )
        with transaction.atomic():  # the document and the row saying it is done, together or not at all
            if not extraction.refetch:
                message, fields = _make_document(extraction, original, extracted)
            else:
                message, fields = _make_version(extraction, original, extracted)
            _finish(extraction_id, Extraction.State.DONE, message, **fields)
    except (FetchError, ingest.ExtractionError, ActionRefused) as exc:
        _finish(extraction_id, Extraction.State.FAILED, getattr(exc, "message", None) or str(exc))
        return
    except Exception as exc:
        logger.exception("Extraction %s failed", extraction_id)
        _finish(extraction_id, Extraction.State.FAILED, f"Something went wrong on the server ({type(exc).__name__}).")
        raise


def _original(extraction: Extraction) -> Original:
    """The bytes to read, fetched or uploaded, as an Original not yet saved."""
    if extraction.url:
        try:
            fetched = fetch(
                extraction.url,
                max_bytes=settings.ANNOTATOR_MAX_UPLOAD_BYTES,
                timeout=settings.ANNOTATOR_FETCH_TIMEOUT,
                allow_private=settings.ANNOTATOR_FETCH_PRIVATE_ADDRESSES,
            )
        except FetchError as exc:
            raise FetchError(f"{extraction.url} could not be fetched. {exc}") from None
        media_type = ingest.media_type_for(fetched.final_url.split("?")[0], fetched.media_type, fetched.data[:1024])
        if not media_type:
            raise FetchError(
                f"{extraction.url} is not a web page: the server sent “{fetched.media_type or 'no type'}”, "
                "not HTML (nor a PDF or Word file)."
            )
        data, name, url, final_url, fetched_at = fetched.data, "", fetched.url, fetched.final_url, fetched.fetched_at
        declared = fetched.media_type if media_type == ingest.HTML and "charset" in fetched.media_type.lower() else ""
    else:
        data, name, url, final_url, fetched_at = bytes(extraction.data), extraction.name, "", "", None
        media_type = ingest.media_type_for(name, head=data[:1024])
        declared = ""
    return Original(
        data=data,
        media_type=declared or media_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        name=name,
        url=url,
        final_url=final_url if final_url != url else "",
        fetched_at=fetched_at,
    )


def _make_document(extraction: Extraction, original: Original, extracted: ingest.Extracted) -> tuple[str, dict]:
    _check_manager(extraction.requested_by, extraction.project_id, "add documents")
    metadata = dict(extracted.metadata)
    title = extraction.title or metadata.get("title") or first_line_title(extracted.text)
    document = add_document(
        user=extraction.requested_by,
        project=extraction.project,
        title=title,
        text=extracted.text,
        origin=(extraction.url or extraction.name)[:500],
    )
    version = DocumentVersion.objects.get(document=document, number=document.version)
    _keep(version, original, extracted)
    if metadata.get("title") or extraction.url:
        document.source = _source(extraction, document, metadata)
        document.save(update_fields=["source"])
    return f"Added “{textlib.isolated(document.title)}”.", {"document": document}


def _make_version(extraction: Extraction, original: Original, extracted: ingest.Extracted) -> tuple[str, dict]:
    _check_manager(extraction.requested_by, extraction.project_id, "fetch documents again")
    document = extraction.document
    assert document is not None  # a fetch again is asked for a document, and deleted with it
    when = timezone.localtime(original.fetched_at or timezone.now()).strftime("%Y-%m-%d %H:%M %Z")
    if textlib.normalise_text(extracted.text) == Document.objects.values_list("text", flat=True).get(pk=document.pk):
        return f"Fetched again at {when}: the text has not changed since version {document.version}.", {}
    version = add_version(
        user=extraction.requested_by,
        document=document,
        text=extracted.text,
        note=f"Fetched again from the web at {when}",
    )
    _keep(version, original, extracted)
    return f"Fetched again at {when}: the text changed, and is now version {version.number}.", {
        "version": version.number
    }


def _keep(version: DocumentVersion, original: Original, extracted: ingest.Extracted) -> None:
    version.pages = [[start, label] for start, label in extracted.pages]
    version.save(update_fields=["pages"])
    original.version = version
    original.save()


def _source(extraction: Extraction, document: Document, metadata: dict):
    """The bibliography's entry for the document, from its metadata; with what is sure when the rest is refused."""
    fields = {
        key: metadata[key]
        for key in ("type", "title", "authors", "issued", "container_title", "url")
        if key in metadata
    }
    fields.setdefault("type", "webpage")
    fields.setdefault("title", document.title)
    if extraction.url and "url" not in fields:
        fields["url"] = extraction.url
    try:
        with transaction.atomic():
            return create_source(user=extraction.requested_by, project=document.project, **fields)
    except ActionRefused:
        plain = {key: fields[key] for key in ("type", "title") if key in fields}
        return create_source(user=extraction.requested_by, project=document.project, **plain)
