"""The table of the API's request counts (the "api-throttle" cache, a DatabaseCache): made here so that migrate makes
it everywhere (make run, make stack, the tests), as Django's createcachetable would."""

from django.core.management import call_command
from django.db import migrations

TABLE = "annotator_api_throttle"


def create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("annotator", "0025_access_tokens")]

    operations = [migrations.RunPython(create, drop)]
