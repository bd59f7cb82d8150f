"""A pending mark or link carries no review: a constraint on each (see models.PENDING_HAS_NO_REVIEW)."""
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('annotator', '0010_clear_pending_reviews'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='annotation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'pending'), _negated=True), models.Q(('review_note', ''), ('reviewed_at__isnull', True), ('reviewed_by__isnull', True)), _connector='OR'), name='annotation_pending_has_no_review'),
        ),
        migrations.AddConstraint(
            model_name='link',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'pending'), _negated=True), models.Q(('review_note', ''), ('reviewed_at__isnull', True), ('reviewed_by__isnull', True)), _connector='OR'), name='link_pending_has_no_review'),
        ),
    ]
