"""manage.py check_quotations: make the quotation checks that are missing or stale (see services.quotations)."""

from django.core.management.base import BaseCommand

from annotator.models import Citation
from annotator.services.quotations import refresh_quote_checks

BATCH = 500


class Command(BaseCommand):
    help = (
        "Check every quotation against its source's text where the stored check is missing or was made on other texts "
        "(after an upgrade, or a write that had more quotations to check than one request spends on them)."
    )

    def handle(self, *args, **options):
        pks = list(Citation.objects.order_by("pk").values_list("pk", flat=True))
        checked = cleared = 0
        # A batch a transaction: each is as long as the check of its citations, and a stop keeps what is done.
        for i in range(0, len(pks), BATCH):
            done = refresh_quote_checks(Citation.objects.filter(pk__in=pks[i : i + BATCH]), budget=None)
            checked += done.checked
            cleared += done.cleared
        self.stdout.write(f"Checked {checked} quotation citation(s); dropped the checks of {cleared} other one(s).")
