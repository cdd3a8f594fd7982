"""Published rows keep the inputs the public may see, frozen at publication. Rows published before this
step get them from the tables as they stand now (the closest record there is of what was published)."""

from collections import defaultdict

from django.db import migrations, models
from django.db.models import Count


def snapshot_published_inputs(apps, schema_editor):  # type: ignore[no-untyped-def]
    RegionResult = apps.get_model("results", "RegionResult")
    AssessorScore = apps.get_model("review", "AssessorScore")
    Finding = apps.get_model("review", "Finding")
    SurveyAnswer = apps.get_model("survey", "SurveyAnswer")
    for row in RegionResult.objects.filter(result_set__status="published", inputs={}):
        pid = row.participation_id
        scores = defaultdict(list)
        for s in (
            AssessorScore.objects.filter(
                assignment__participation_id=pid, assignment__submitted_at__isnull=False
            )
            .select_related("assignment__assessor", "question")
            .order_by("assignment__position")
        ):
            scores[str(s.question.number)].append(
                {
                    "assessor": s.assignment.assessor.name,
                    "institution": s.assignment.assessor.institution,
                    "score": s.score,
                }
            )
        distribution = defaultdict(dict)
        for number, score, n in (
            SurveyAnswer.objects.filter(response__participation_id=pid, response__included=True)
            .values_list("question__number", "score")
            .annotate(n=Count("id"))
        ):
            distribution[str(number)][str(score)] = n
        # Findings of the panel as it stood (imported findings were those of finished reviews).
        panel: dict[int, dict] = {}
        for f in (
            Finding.objects.filter(assignment__participation_id=pid)
            .select_related("assignment__assessor")
            .order_by("assignment__position", "kind", "position")
        ):
            entry = panel.setdefault(
                f.assignment_id,
                {
                    "assessor": f.assignment.assessor.name,
                    "institution": f.assignment.assessor.institution,
                    "strength": [],
                    "weakness": [],
                    "recommendation": [],
                },
            )
            entry[f.kind].append(f.text)
        row.inputs = {
            "assessor_scores": dict(scores),
            "distribution": dict(distribution),
            "panel": list(panel.values()),
        }
        row.save(update_fields=["inputs"])


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0002_live_result_set_per_cycle"),
        ("review", "0002_submission_conflicts_replies"),
        ("survey", "0003_rate_limit_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="regionresult",
            name="inputs",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(snapshot_published_inputs, migrations.RunPython.noop),
    ]
