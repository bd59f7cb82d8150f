"""manage.py import_annotations: marks from our CSV (raw) or JSON-LD export, or W3C annotations from other tools
(Hypothesis, Recogito), placed in their documents."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator import exchange
from annotator.models import Document, Project
from annotator.services import imports


class Command(BaseCommand):
    help = (
        "Import marks from a CSV or JSON-LD file made by export_annotations. Each mark goes to the document "
        "of its project with the same title, at its offsets when the text there matches, else where its "
        "text and context are found. Nothing is imported when any row cannot be (unless --partial); every "
        "such row is reported. Marks already there are left alone. W3C annotations from other tools go to the "
        "document whose title or address (where it was fetched, or its source's URL) the target names, or to "
        "--document; --label, --as-user and --link-type map what the project does not know, keeping the file's "
        "tags, creators and relation names in the notes. --dry-run lists how each mark would be placed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or JSON-LD file.")
        parser.add_argument("--project", help="Import every row into this project (name) instead of the one it names.")
        parser.add_argument("--user", help="Act as this user, who must manage the projects imported into.")
        parser.add_argument("--partial", action="store_true", help="Import the rows that can be; report the others.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; save nothing.")
        parser.add_argument("--links", help="A links CSV exported with the marks CSV (JSON-LD holds its links).")
        parser.add_argument("--document", type=int, help="Import every mark into this document (its id).")
        parser.add_argument("--label", help="The label (its key) of marks whose tags name no label of the project.")
        parser.add_argument("--as-user", help="The member who makes the marks of creators this app does not know.")
        parser.add_argument("--link-type", help="The link type (its key) of relations the project has no type for.")
        parser.add_argument(
            "--spreadsheet-safe",
            action="store_true",
            help="The CSV was exported without --raw: remove the apostrophes put before formula-like cells.",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        links = None
        if options["links"]:
            links_path = Path(options["links"])
            try:
                links = links_path.read_bytes()
            except OSError as exc:
                raise CommandError(f"Cannot read {links_path}: {exc.strerror}.") from None
        try:
            parsed = exchange.read(data, links=links, spreadsheet_safe=options["spreadsheet_safe"])
        except exchange.LinksFileError as exc:
            raise CommandError(f"{links_path}: {exc}") from None
        except exchange.ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        project = None
        if options["project"]:
            project = Project.objects.filter(name=options["project"]).first()
            if project is None:
                raise CommandError(f"No project named “{options['project']}”.")
        user = self._user(options["user"])
        document = None
        if options["document"] is not None:
            document = Document.objects.filter(pk=options["document"]).select_related("project").first()
            if document is None:
                raise CommandError(f"No document {options['document']}.")
        mapping = imports.Mapping(
            document=document,
            label=options["label"] or "",
            as_user=self._user(options["as_user"]),
            link_type=options["link_type"] or "",
        )
        try:
            report = imports.import_marks(
                user=user,
                rows=parsed.rows,
                problems=parsed.problems,
                project=project,
                partial=options["partial"],
                dry_run=options["dry_run"],
                links=parsed.links,
                mapping=mapping,
            )
        except imports.ImportFailed as exc:
            for problem in exc.report.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(exc.message) from None
        except imports.ActionRefused as exc:
            raise CommandError(exc.message) from None
        if options["dry_run"]:
            for placed in report.placed:
                self.stdout.write(f"{path}: {placed}")
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(
            f"{path}: {verb} {report.saved} mark(s) ({report.created} at their offsets, {report.reanchored} "
            f"found again by their text), {report.unchanged} already there, "
            f"{report.sources_created} source(s) created, "
            f"{report.links_created} link(s) made ({report.links_unchanged} already there)."
        )
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(f"{len(report.problems)} row(s) were not imported.")

    @staticmethod
    def _user(name: str | None):
        if not name:
            return None
        found = get_user_model().objects.filter(username=name).first()
        if found is None:
            raise CommandError(f"No user named “{name}”.")
        return found
