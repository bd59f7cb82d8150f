"""manage.py check_integrity: verify every stored invariant and report what is wrong (exit 1 if anything is)."""

from django.core.management.base import BaseCommand, CommandError

from annotator.integrity import problems


class Command(BaseCommand):
    help = "Check that every span matches its text, every mark stays in its project, versions and revisions agree."

    def handle(self, *args, **options):
        found = 0
        for problem in problems():
            found += 1
            self.stdout.write(problem)
        if found:
            raise CommandError(f"{found} problem(s) found.")
        self.stdout.write("No problems found.")
