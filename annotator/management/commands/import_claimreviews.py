"""manage.py import_claimreviews: schema.org ClaimReview JSON-LD (another desk's, or ours) as verdicts on the claims of
a project, each found by its text."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator.exchange import claimreview
from annotator.models import Project
from annotator.services import ActionRefused
from annotator.services import verdicts as verdict_services


class Command(BaseCommand):
    help = (
        "Import ClaimReview JSON-LD (one review, a list, or a @graph of them) as verdicts on the project's claims: "
        "each review goes to the claim whose verdict has its claimReviewed as summary, else the one claim whose text "
        "holds it, else the one most like it; its rating by name (alternateName) on the project's scale. Each "
        "verdict waits for a second reviewer. Nothing is imported when any review cannot be placed (unless "
        "--partial); every such review is reported with the reason. --dry-run reports and saves nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The ClaimReview JSON-LD file.")
        parser.add_argument("--project", required=True, help="The project (its name) whose claims get the verdicts.")
        parser.add_argument("--user", required=True, help="Act as this reviewer or manager of the project.")
        parser.add_argument("--partial", action="store_true", help="Import the reviews that can be; report the others.")
        parser.add_argument("--dry-run", action="store_true", help="Check every review and report; save nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        try:
            records, problems = claimreview.read(data)
        except claimreview.ClaimReviewFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        project = Project.objects.filter(name=options["project"]).first()
        if project is None:
            raise CommandError(f"No project named “{options['project']}”.")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user named “{options['user']}”.")
        try:
            report = verdict_services.import_claim_reviews(
                user=user,
                project=project,
                records=records,
                problems=problems,
                partial=options["partial"],
                dry_run=options["dry_run"],
            )
        except verdict_services.ReviewImportFailed as exc:
            for problem in exc.report.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(exc.message) from None
        except ActionRefused as exc:
            raise CommandError(exc.message) from None
        for record, annotation in report.placed:
            self.stdout.write(f"{path}: {record}: placed on claim {annotation.pk}")
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(f"{path}: {verb} {len(report.placed)} verdict(s).")
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError(f"{len(report.problems)} review(s) were not imported.")
