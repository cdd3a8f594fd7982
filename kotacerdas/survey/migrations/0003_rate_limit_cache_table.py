"""The database cache table behind the survey's rate limits (settings: CACHES["survey"]).

`migrate` is the one set-up step every deployment runs; creating the table here spares operators a
separate `createcachetable`. The command itself is idempotent and reads the table name from settings.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("survey", "0002_survey_links")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
