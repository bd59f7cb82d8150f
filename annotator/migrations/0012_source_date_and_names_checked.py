"""A source's date issued and authors checked by the model (validators, no schema change): the admin saves without
the services, and a date that was not one made the project's CSL-JSON export answer 500 (issue 18)."""

import annotator.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('annotator', '0011_pending_has_no_review'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalsource',
            name='authors',
            field=models.JSONField(blank=True, default=list, help_text='CSL-JSON names: [{"family": "Getty", "given": "J. Arch"}].', validators=[annotator.models.validate_csl_names]),
        ),
        migrations.AlterField(
            model_name='historicalsource',
            name='issued',
            field=models.CharField(blank=True, help_text='Date issued: YYYY, YYYY-MM or YYYY-MM-DD.', max_length=40, validators=[annotator.models.validate_issued]),
        ),
        migrations.AlterField(
            model_name='source',
            name='authors',
            field=models.JSONField(blank=True, default=list, help_text='CSL-JSON names: [{"family": "Getty", "given": "J. Arch"}].', validators=[annotator.models.validate_csl_names]),
        ),
        migrations.AlterField(
            model_name='source',
            name='issued',
            field=models.CharField(blank=True, help_text='Date issued: YYYY, YYYY-MM or YYYY-MM-DD.', max_length=40, validators=[annotator.models.validate_issued]),
        ),
    ]
