"""Every cycle has its live result set (revision 0) from its creation on, so that reads never create one."""

from django.db import migrations


def create_live_sets(apps, schema_editor):  # type: ignore[no-untyped-def]
    Cycle = apps.get_model("cycles", "Cycle")
    ResultSet = apps.get_model("results", "ResultSet")
    have = set(ResultSet.objects.filter(status="live").values_list("cycle_id", flat=True))
    ResultSet.objects.bulk_create(
        ResultSet(cycle_id=pk, status="live", revision=0)
        for pk in Cycle.objects.exclude(pk__in=have).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial"), ("cycles", "0002_evaluation_stage")]

    operations = [migrations.RunPython(create_live_sets, migrations.RunPython.noop)]
