"""Raw responses in the ``import-survey`` format (CONTRACT.md), so that exporting, wiping and importing
reproduces them: the submission id is the ``response_id``, the region its code, times in Asia/Jakarta."""

from collections.abc import Iterator

from django.utils import timezone

from kotacerdas.core.exporters import Column, Table, iter_csv
from kotacerdas.cycles.models import Cycle
from kotacerdas.regions.models import Region
from kotacerdas.survey.models import SurveyAnswer

HEADER = ["response_id", "region", "dimension", "respondent", "submitted_at", "question", "score"]
COLUMNS = [Column(key) for key in HEADER]


def export_rows(
    cycle: Cycle, region: Region | None = None, *, everything: bool = False
) -> Iterator[list[str]]:
    """One row per answer of the cycle's included responses (``everything``: excluded and pending too),
    ordered by response and question."""
    answers = SurveyAnswer.objects.filter(response__participation__cycle=cycle)
    if region is not None:
        answers = answers.filter(response__participation__region=region)
    if not everything:
        answers = answers.filter(response__included=True)
    rows = answers.order_by(
        "response__submitted_at", "response__response_id", "question__number"
    ).values_list(
        "response__response_id",
        "response__participation__region__code",
        "response__smart_dimension",
        "response__respondent",
        "response__submitted_at",
        "question__number",
        "score",
    )
    for response_id, code, dimension, respondent, submitted_at, number, score in rows.iterator(
        chunk_size=5000
    ):
        yield [
            response_id,
            code,
            dimension,
            respondent,
            timezone.localtime(submitted_at).isoformat(),
            str(number),
            str(score),
        ]


def export_table(cycle: Cycle, region: Region | None = None, *, everything: bool = False) -> Table:
    """The export as a table whose rows stream from the database: render it once."""
    name = f"survei-{cycle.year}" + (f"-{region.code}" if region is not None else "")
    return Table(name=name, columns=COLUMNS, rows=export_rows(cycle, region, everything=everything))


def export_csv(cycle: Cycle, region: Region | None = None, *, everything: bool = False) -> Iterator[str]:
    """The CSV text in chunks, header first."""
    return iter_csv(export_table(cycle, region, everything=everything))
