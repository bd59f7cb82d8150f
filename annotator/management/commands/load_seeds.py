"""manage.py load_seeds --manager USERNAME: load seeds/ into the seed project (twice changes nothing)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from annotator.seeds import load_seeds
from annotator.services import ActionRefused


class Command(BaseCommand):
    help = (
        "Load the seed documents in seeds/ into the seed project, as its manager (who becomes its manager when the "
        "project is made now). Documents already loaded are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--manager", required=True, help="Username of the seed project's manager, who adds them.")

    def handle(self, *args, manager, **options):
        user = get_user_model().objects.filter(username=manager).first()
        if user is None:
            raise CommandError(f"There is no user “{manager}”: create the account first.")
        try:
            project, added = load_seeds(manager=user)
        except ActionRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{project.name}: {added} document(s) added, {project.documents.count()} in all.")
