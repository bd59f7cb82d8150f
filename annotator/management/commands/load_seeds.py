"""manage.py load_seeds: load seeds/ into the seed project (twice changes nothing)."""
from django.core.management.base import BaseCommand

from annotator.seeds import load_seeds


class Command(BaseCommand):
    help = "Load the seed documents in seeds/ into the seed project. Documents already loaded are left alone."

    def handle(self, *args, **options):
        project, added = load_seeds()
        self.stdout.write(f"{project.name}: {added} document(s) added, {project.documents.count()} in all.")
