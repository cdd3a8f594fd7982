"""The 2024 instrument's question on feedback channels spelled "mechanisme"; the Indonesian word is
"mekanisme". Existing installations get the corrected text, so that data/instrument/2024.yaml (corrected)
loads as "unchanged" rather than being refused as a different, frozen instrument."""

from django.db import migrations

WRONG, RIGHT = "fasilitas/mechanisme/kanal", "fasilitas/mekanisme/kanal"


def correct(apps, schema_editor):  # type: ignore[no-untyped-def]
    Question = apps.get_model("instrument", "Question")
    for question in Question.objects.filter(text__contains=WRONG):
        question.text = question.text.replace(WRONG, RIGHT)
        question.save(update_fields=["text"])


def restore(apps, schema_editor):  # type: ignore[no-untyped-def]
    Question = apps.get_model("instrument", "Question")
    for question in Question.objects.filter(text__contains=RIGHT):
        question.text = question.text.replace(RIGHT, WRONG)
        question.save(update_fields=["text"])


class Migration(migrations.Migration):
    dependencies = [("instrument", "0002_question_level_descriptions")]

    operations = [migrations.RunPython(correct, restore)]
