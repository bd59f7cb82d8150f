"""Importing marks from the app: a manager's upload is checked (the import, run and rolled back: its report) and kept,
server-side, for them alone, until they confirm it (imported once, however often they click) or it expires.

The file is read again and imported through imports.import_marks at confirmation, in one transaction with the row
that says it was imported, so a second confirmation finds it done. Rows the check refused are left out (each mark is
saved whole, with its citations); a file that cannot be read at all is refused with its reason and nothing kept.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import exchange
from ..exchange.readers import Parsed
from ..models import Document, ImportUpload, Membership, Project, Role
from .errors import ActionRefused, Conflict, Forbidden
from .imports import ImportReport, Mapping, import_marks
from .projects import check_member

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
    _check_size(len(parsed.rows), settings.ANNOTATOR_MAX_MARKS_PER_REQUEST, "marks")
    _check_size(len(parsed.links), settings.ANNOTATOR_MAX_IMPORT_LINKS, "links")
    return parsed


def _check_size(count: int, most: int, what: str) -> None:
    # Each mark and link of an import is placed, checked and saved one by one (a link ~20 ms, a mark ~3 ms), twice
    # (the check, then the import): the request's work is bounded by the number of them, not only the file's bytes.
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
    """Check an uploaded file of marks (managers): import it and roll back, keeping the report and the file for
    `confirm_import`. A newer upload of the same user and project replaces a waiting one; expired ones go."""
    _check_manager(user, project.pk)
    parsed = _read(data, links, spreadsheet_safe)
    mapping = _mapping(project, document, label, as_user)
    report = import_marks(
        user=user,
        rows=parsed.rows,
        problems=parsed.problems,
        project=project,
        partial=True,
        dry_run=True,
        links=parsed.links,
        mapping=mapping,
    )
    ImportUpload.objects.filter(created_at__lt=timezone.now() - EXPIRES).delete()
    ImportUpload.objects.filter(user=user, project=project, state=ImportUpload.State.CHECKED).delete()
    return ImportUpload.objects.create(
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
        report=_summary(report),
    )


def expired(upload: ImportUpload) -> bool:
    return upload.state == ImportUpload.State.CHECKED and upload.created_at < timezone.now() - EXPIRES


@transaction.atomic
def confirm_import(*, user, upload: ImportUpload) -> ImportUpload:
    """Import a checked upload (its uploader, still a manager): the rows its check placed, once. A second
    confirmation (a double click) finds it imported and changes nothing."""
    locked = ImportUpload.objects.select_for_update().filter(pk=upload.pk, user=user).first()
    if locked is None:
        raise Conflict("This import is not waiting any more: upload the file again.")
    if locked.state == ImportUpload.State.IMPORTED:
        return locked
    if expired(locked):
        raise ActionRefused("This check is over two hours old: upload the file again to check it anew.")
    _check_manager(user, locked.project_id)
    project = Project.objects.get(pk=locked.project_id)
    parsed = _read(
        bytes(locked.data), bytes(locked.links) if locked.links is not None else None, locked.spreadsheet_safe
    )
    report = import_marks(
        user=user,
        rows=parsed.rows,
        problems=parsed.problems,
        project=project,
        partial=True,
        links=parsed.links,
        mapping=_mapping(project, locked.document, locked.label, locked.as_user),
    )
    locked.state = ImportUpload.State.IMPORTED
    locked.report = _summary(report)
    locked.data, locked.links = b"", None
    locked.imported_at = timezone.now()
    locked.save()
    return locked
