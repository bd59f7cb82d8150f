"""manage.py export_annotations: marks as CSV or W3C Web Annotation JSON-LD, streamed to a file or stdout."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator import exchange
from annotator.models import Document, Label, Project, Status
from annotator.text import row_id


class Command(BaseCommand):
    help = (
        "Export marks as CSV (one row per mark; see README.md for the columns) or as W3C Web Annotation "
        "JSON-LD, on the current version of each document's text. Filters combine; without any, every "
        "mark of every project is exported."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=list(exchange.FORMATS),
            default="csv",
            help="csv: marks; links-csv: the links that start at those marks; jsonld: both.",
        )
        parser.add_argument("--project", help="Project name or id.")
        parser.add_argument("--document", type=int, help="Document id.")
        parser.add_argument(
            "--text-version",
            type=int,
            dest="text_version",
            help="With --document: the marks as they were on this earlier version of its text "
            "(default: the current one).",
        )
        parser.add_argument("--status", choices=Status.values)
        parser.add_argument("--label", help="Label key, e.g. claim.")
        parser.add_argument("--editor", help="User name of the mark's author.")
        parser.add_argument(
            "--gold",
            action="store_true",
            help="Only the gold standard: accepted marks kept when a disagreement was settled.",
        )
        parser.add_argument(
            "--raw",
            action="store_true",
            help="Write cells exactly as stored (for programs). By default a cell that a spreadsheet would "
            "run as a formula is prefixed with an apostrophe.",
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument(
            "--base-url",
            default=settings.ANNOTATOR_BASE_URL,
            help="Scheme and host that JSON-LD ids start with (default: ANNOTATOR_BASE_URL, %(default)s).",
        )

    def handle(self, *args, **options):
        export_filter = self._filter(options)
        selection = exchange.query.marks(export_filter)
        if options["text_version"] is not None:
            if options["document"] is None:
                raise CommandError("--text-version needs --document: versions are per document.")
            document = Document.objects.get(pk=options["document"])
            if options["text_version"] != document.version:
                try:
                    selection = exchange.EarlierVersion.of(document, options["text_version"], export_filter)
                except ValueError as exc:
                    raise CommandError(str(exc)) from None
        base = options["base_url"].rstrip("/")
        query = {k: options[k] for k in ("project", "document", "status", "label", "editor") if options[k]}
        if options["text_version"] is not None:
            query["version"] = options["text_version"]
        try:
            chunks = exchange.export(
                selection,
                options["format"],
                raw=options["raw"],
                base_url=base,
                collection_id=f"{base}/export/annotations.jsonld" + (f"?{urlencode(query)}" if query else ""),
                label="Marks exported by the editorial annotator",
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                for chunk in chunks:
                    out.write(chunk)
        else:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")

    def _filter(self, options) -> exchange.ExportFilter:
        project_id = None
        if options["project"]:
            project = Project.objects.filter(name=options["project"]).first()
            if project is None and (number := row_id(options["project"])):
                project = Project.objects.filter(pk=number).first()
            if project is None:
                raise CommandError(f"No project named (or numbered) “{options['project']}”.")
            project_id = project.pk
        if options["document"] is not None:
            documents = Document.objects.filter(pk=options["document"])
            if project_id is not None:
                documents = documents.filter(project_id=project_id)
            if not documents.exists():
                raise CommandError(f"No document {options['document']}" + (" in that project." if project_id else "."))
        if options["label"]:
            labels = Label.objects.filter(key=options["label"])
            if project_id is not None:
                labels = labels.filter(project_id=project_id)
            if not labels.exists():
                raise CommandError(f"No label with the key “{options['label']}”.")
        if options["editor"] and not get_user_model().objects.filter(username=options["editor"]).exists():
            raise CommandError(f"No user named “{options['editor']}”.")
        return exchange.ExportFilter(
            project_id=project_id,
            document_id=options["document"],
            label=options["label"],
            status=options["status"],
            editor=options["editor"],
            gold=options["gold"],
        )
