"""manage.py restore FILE: replace everything in the database with a backup made by manage.py backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotator.backups import BackupError, check_restorable, restore
from annotator.integrity import problems


class Command(BaseCommand):
    help = (
        "Replace everything in the database with FILE, a backup made by manage.py backup. Stop the app servers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation.")

    def handle(self, *args, file, interactive, **options):
        try:
            what = check_restorable(file)
            name = connection.settings_dict["NAME"]
            if interactive:
                answer = input(f"{file} is {what}. Replace everything in the database {name} with it? Type 'yes': ")
                if answer.strip() != "yes":
                    raise CommandError("Nothing restored.")
            restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {file} into the database {name}.")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(f"The backup predates {len(pending)} migration(s) of this code: run manage.py migrate.")
            return
        found = sum(1 for _ in problems())
        self.stdout.write(
            "check_integrity: "
            + (f"{found} problem(s); run manage.py check_integrity" if found else "no problems found.")
        )
