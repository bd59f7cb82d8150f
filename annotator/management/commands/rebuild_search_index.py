"""manage.py rebuild_search_index: write the whole search index again from the data (after a restore, say)."""

import time

from django.core.management.base import BaseCommand

from annotator.services.search_index import rebuild_index


class Command(BaseCommand):
    help = "Write the search index again from the documents, marks, sources and links (one transaction)."

    def handle(self, *args, **options):
        began = time.perf_counter()
        count = rebuild_index()
        self.stdout.write(f"Indexed {count:,} entries in {time.perf_counter() - began:.2f} s.")
