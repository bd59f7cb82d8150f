"""A pending mark or link carries no review (issue 18): the rows an edit sent back to pending with their old
reviewer, time and note lose them; their history keeps them. The next migration then holds every row to that (apart,
since PostgreSQL alters no table that this transaction's updates left trigger events on)."""
from django.db import migrations


def clear_pending_reviews(apps, schema_editor):
    for name in ("Annotation", "Link"):
        apps.get_model("annotator", name).objects.filter(status="pending").exclude(
            reviewed_by__isnull=True, reviewed_at__isnull=True, review_note=""
        ).update(reviewed_by=None, reviewed_at=None, review_note="")


class Migration(migrations.Migration):

    dependencies = [
        ('annotator', '0009_quote_checks_of_existing_citations'),
    ]

    operations = [migrations.RunPython(clear_pending_reviews, migrations.RunPython.noop)]
