"""manage.py api_token: a personal access token for the API, made for a user from the command line (scripts, CI)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from annotator.services import ActionRefused, tokens


class Command(BaseCommand):
    help = "Make a personal access token for the API and print it (shown this once; only its SHA-256 is kept)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--scope", choices=["read", "write"], default="read", help="write: read and write.")
        parser.add_argument("--days", type=int, help="Days until it expires (default: never).")

    def handle(self, *args, username, name, scope, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        expires_at = timezone.now() + datetime.timedelta(days=days) if days else None
        try:
            made = tokens.create_token(user=user, name=name, scope=scope, expires_at=expires_at)
        except ActionRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(made.secret)
