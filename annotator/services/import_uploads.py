"""Importing marks from the app: a manager's upload is checked (the import, run and rolled back: its report) and kept,
server-side, for them alone, until they confirm it (imported once, however often they click) or it expires.

Both the check and the import run in the background worker (Django's Tasks API, as documents from files do): a web
request only reads the file (refusing one that cannot be read, or holds more than an import takes) and queues the
work; the page and the API follow the upload's state. The file is read again and imported through
imports.import_marks, in one transaction with the row that says it was imported, so a second confirmation finds it
done. Rows the check refused are left out (each mark is saved whole, with its citations).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .. import exchange
from ..exchange.readers import Parsed
from ..models import Document, ImportUpload, Membership, Project, Role
from .errors import ActionRefused, Conflict, Forbidden
from .imports import ImportReport, Mapping, import_marks
from .projects import check_member

logger = logging.getLogger(__name__)

EXPIRES = datetime.timedelta(hours=2)  # an upload not confirmed by then is deleted
SHOWN = 1000  # report lines kept per kind (placed, refused); the counts are whole


def _check_manager(user, project_id: int) -> None:
    if check_member(user, project_id).role != Role.MANAGER:
        raise Forbidden("Only the project's managers may import marks.")


def _read(data: bytes, links: bytes | None, spreadsheet_safe: bool) -> Parsed:
    limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
    for what, content in (("The file", data), ("The links file", links or b"")):
        if len(content) > limit:
            raise ActionRefused(f"{what} is {len(content):,} bytes; the limit is {limit:,}.")
    if not data.strip():
        raise ActionRefused("The file is empty.")
    try:
        parsed = exchange.read(data, links=links, spreadsheet_safe=spreadsheet_safe)
    except exchange.LinksFileError as exc:
        raise ActionRefused(f"The links file cannot be read: {exc}") from None
    except exchange.ImportFileError as exc:
        raise ActionRefused(f"The file cannot be read: {exc}") from None
    _check_size(len(parsed.rows), settings.ANNOTATOR_MAX_IMPORT_MARKS, "marks")
    _check_size(len(parsed.links), settings.ANNOTATOR_MAX_IMPORT_LINKS, "links")
    return parsed


def _check_size(count: int, most: int, what: str) -> None:
    # The work is bounded by the number of marks and links, not only by the file's bytes: a 5 MB CSV holds 20,000
    # short marks, a minute of work in one transaction (twice: the check, then the import), and other writers (on
    # SQLite, all of them) would wait for it.
    if count > most:
        raise ActionRefused(
            f"The file holds {count:,} {what}; one import from the app takes at most {most:,}. Split the file, or "
            "have it imported on the server (manage.py import_annotations)."
        )


def _mapping(project: Project, document: Document | None, label: str, as_user) -> Mapping:
    if document is not None and document.project_id != project.pk:
        raise ActionRefused("That document is not in this project.")
    if label and not project.labels.filter(key=label).exists():
        raise ActionRefused("That label is not one of the project's.")
    if as_user is not None and not Membership.objects.filter(project=project, user=as_user).exists():
        raise ActionRefused("Marks can only be made in the name of a member of the project.")
    return Mapping(document=document, label=label, as_user=as_user)


def _summary(report: ImportReport) -> dict:
    return {
        "created": report.created,
        "reanchored": report.reanchored,
        "unchanged": report.unchanged,
        "sources_created": report.sources_created,
        "links_created": report.links_created,
        "links_unchanged": report.links_unchanged,
        "placed_count": len(report.placed),
        "refused_count": len(report.problems),
        "placed": [[p.line, p.message] for p in report.placed[:SHOWN]],
        "refused": [[p.line, p.message] for p in report.problems[:SHOWN]],
    }


def check_import(
    *,
    user,
    project: Project,
    name: str,
    data: bytes,
    links: bytes | None = None,
    links_name: str = "",
    spreadsheet_safe: bool = False,
    document: Document | None = None,
    label: str = "",
    as_user=None,
) -> ImportUpload:
    """Take an uploaded file of marks (managers) to be checked in the background (`check_upload`: the import run and
    rolled back, its report kept), keeping the file for `confirm_import`. A file that cannot be read, or holds more
    than an import takes, is refused here, with nothing kept. A newer upload of the same user and project replaces
    one checked or being checked; expired ones go."""
    _check_manager(user, project.pk)
    _read(data, links, spreadsheet_safe)
    _mapping(project, document, label, as_user)
    ImportUpload.objects.filter(created_at__lt=timezone.now() - EXPIRES).delete()
    waiting = (ImportUpload.State.CHECKING, ImportUpload.State.CHECKED)
    ImportUpload.objects.filter(user=user, project=project, state__in=waiting).delete()
    with transaction.atomic():  # the upload and its task, or neither
        upload = ImportUpload.objects.create(
            project=project,
            user=user,
            name=name[:255],
            data=data,
            links=links,
            links_name=links_name[:255],
            spreadsheet_safe=spreadsheet_safe,
            document=document,
            label=label,
            as_user=as_user,
            state=ImportUpload.State.CHECKING,
        )
        check_upload.enqueue(upload.pk)
    upload.refresh_from_db()  # the tests' tasks, and a quick worker, may have checked it already
    return upload


def expired(upload: ImportUpload) -> bool:
    return upload.state == ImportUpload.State.CHECKED and upload.created_at < timezone.now() - EXPIRES


@transaction.atomic
def confirm_import(*, user, upload: ImportUpload) -> ImportUpload:
    """Have a checked upload imported in the background (its uploader, still a manager): the rows its check placed,
    once. A second confirmation (a double click) finds it being imported, or imported, and changes nothing."""
    locked = ImportUpload.objects.select_for_update().filter(pk=upload.pk, user=user).first()
    if locked is None:
        raise Conflict("This import is not waiting any more: upload the file again.")
    if locked.state in (ImportUpload.State.IMPORTING, ImportUpload.State.IMPORTED):
        return locked
    if locked.state == ImportUpload.State.CHECKING:
        raise Conflict("The file is still being checked: import it once its report is shown.")
    if locked.state == ImportUpload.State.FAILED:
        raise ActionRefused("This upload failed: upload the file again.")
    if expired(locked):
        raise ActionRefused("This check is over two hours old: upload the file again to check it anew.")
    _check_manager(user, locked.project_id)
    locked.state = ImportUpload.State.IMPORTING
    locked.save(update_fields=["state"])
    run_import.enqueue(locked.pk)  # in this transaction: the state and the task, or neither
    locked.refresh_from_db()  # the tests' tasks run at once
    return locked


# The work, in the background ------------------------------------------------------------------------------------
# Each mark of a file is placed, checked and saved on its own (~2.5 ms), each link checked on its own: seconds for a
# full file, which the worker spends, not a web request. The uploads' rows say how far it got; the import page and
# the API read them.


@task()
def check_upload(upload_id: int) -> None:
    """The background task (`manage.py db_worker` runs it): an upload's dry run, its report kept on the row."""
    _run(upload_id, ImportUpload.State.CHECKING, dry_run=True)


@task()
def run_import(upload_id: int) -> None:
    """The background task: a confirmed upload imported, in one transaction with the row that says so."""
    _run(upload_id, ImportUpload.State.IMPORTING, dry_run=False)


def _run(upload_id: int, state: str, *, dry_run: bool) -> None:
    try:
        with transaction.atomic():
            upload = (
                ImportUpload.objects.select_for_update(of=("self",))
                .select_related("project", "user", "document", "as_user")
                .filter(pk=upload_id, state=state)
                .first()
            )
            if upload is None:
                return  # replaced by a newer upload, or done already
            _check_manager(upload.user, upload.project_id)  # still, when the worker gets to it
            parsed = _read(
                bytes(upload.data), bytes(upload.links) if upload.links is not None else None, upload.spreadsheet_safe
            )
            report = import_marks(
                user=upload.user,
                rows=parsed.rows,
                problems=parsed.problems,
                project=upload.project,
                partial=True,
                dry_run=dry_run,
                links=parsed.links,
                mapping=_mapping(upload.project, upload.document, upload.label, upload.as_user),
            )
            upload.report = _summary(report)
            if dry_run:
                upload.state = ImportUpload.State.CHECKED
            else:
                upload.state = ImportUpload.State.IMPORTED
                upload.data, upload.links = b"", None
                upload.imported_at = timezone.now()
            upload.save()
    except ActionRefused as exc:
        _fail(upload_id, exc.message)
    except Exception as exc:
        logger.exception("Import %s failed", upload_id)
        _fail(upload_id, f"Something went wrong on the server ({type(exc).__name__}); nothing was imported.")
        raise


def _fail(upload_id: int, message: str) -> None:
    ImportUpload.objects.filter(pk=upload_id).update(
        state=ImportUpload.State.FAILED, message=message[:1000], data=b"", links=None
    )
