"""manage.py demo: migrate, load the seeds, and create the demo accounts (development only)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from annotator.models import Project, Role
from annotator.seeds import SEED_PROJECT, load_seeds
from annotator.services import add_member

DEMO_ACCOUNTS = [
    # username, role in the seed project, superuser (admin manages the project, so its bulk review in
    # Django admin works: admin reviews only where one is a reviewer or manager)
    ("editor1", Role.ANNOTATOR, False),
    ("editor2", Role.ANNOTATOR, False),
    ("reviewer", Role.REVIEWER, False),
    ("manager", Role.MANAGER, False),
    ("admin", Role.MANAGER, True),
]


class Command(BaseCommand):
    help = "Migrate, load the seeds and create demo accounts editor1, editor2, reviewer, manager and admin."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo account (default: a random one, printed).")

    def handle(self, *args, password=None, **options):
        if not settings.DEBUG:
            raise CommandError("demo creates accounts with known passwords; it refuses to run with DEBUG off.")
        call_command("migrate", interactive=False, verbosity=0)
        password = password or secrets.token_urlsafe(9)
        User = get_user_model()
        accounts = {}
        for username, _, superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = user.is_superuser = superuser
            user.set_password(password)
            user.save()
            accounts[username] = user
        # The demo's manager adds the seeds, as a manager adds documents in the app (to a seed project made before,
        # by `load_seeds --manager` say, once made its manager).
        seeded = Project.objects.filter(name=SEED_PROJECT).first()
        if seeded is not None:
            add_member(project=seeded, member=accounts["manager"], role=Role.MANAGER)
        project, _ = load_seeds(manager=accounts["manager"])
        for username, role, _ in DEMO_ACCOUNTS:
            add_member(project=project, member=accounts[username], role=role)
        self.stdout.write(f"Project “{project.name}” with {project.documents.count()} documents.")
        self.stdout.write("Demo accounts: " + ", ".join(name for name, _, _ in DEMO_ACCOUNTS))
        self.stdout.write(f"Password for all of them: {password}")
