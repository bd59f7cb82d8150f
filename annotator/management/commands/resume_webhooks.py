"""Take up again the webhook deliveries that stalled: a worker stopped while sending, or their task was lost."""

from django.core.management.base import BaseCommand

from annotator.services import deliveries


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        resumed = deliveries.resume_stalled()
        self.stdout.write(f"{len(resumed)} stalled deliveries queued again.")
