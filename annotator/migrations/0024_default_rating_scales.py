"""Every existing project gets the default rating scale, as a new project does (services.verdicts)."""

from django.db import migrations

# As annotator.services.verdicts.DEFAULT_RATINGS, frozen here: a migration must not change with the app.
DEFAULTS = [("False", 1), ("Mostly false", 2), ("Half true", 3), ("Mostly true", 4), ("True", 5), ("Unproven", None)]


def add_default_scales(apps, schema_editor):
    Project = apps.get_model("annotator", "Project")
    Rating = apps.get_model("annotator", "Rating")
    RatingScale = apps.get_model("annotator", "RatingScale")
    for project in Project.objects.filter(rating_scale__isnull=True):
        RatingScale.objects.create(project=project, best=5, worst=1)
        if not Rating.objects.filter(project=project).exists():
            Rating.objects.bulk_create(
                Rating(project=project, name=name, value=value, order=order)
                for order, (name, value) in enumerate(DEFAULTS)
            )


class Migration(migrations.Migration):
    dependencies = [("annotator", "0023_verdicts")]

    operations = [migrations.RunPython(add_default_scales, migrations.RunPython.noop)]
