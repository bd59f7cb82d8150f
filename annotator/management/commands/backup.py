"""manage.py backup FILE: a consistent copy of the database (SQLite's backup API, or pg_dump's custom format)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from annotator.backups import NAMES, BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database to FILE, a new file: a SQLite copy, or on PostgreSQL a pg_dump archive (custom format)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        vendor = NAMES.get(connection.vendor)
        self.stdout.write(f"Backed up the {vendor} database to {file} ({file.stat().st_size:,} bytes).")
