"""The bulk SQL writers: what they store is what the ORM would have stored."""

from datetime import datetime, timedelta, timezone

import pytest

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.instrument.models import Question
from kotacerdas.survey.models import SurveyAnswer, SurveyResponse
from kotacerdas.survey.services import ImportedResponse, store_imported_responses

pytestmark = pytest.mark.django_db

WIB = timezone(timedelta(hours=7))


def test_imported_responses_are_stored_as_bulk_create_would_store_them(badung: Participation) -> None:
    """COPY (PostgreSQL) or one prepared INSERT (SQLite) of plain rows, every other column at its
    field's default, the new ids read back by response id."""
    when = [datetime(2030, 10, 1, 8, minute, tzinfo=WIB) for minute in range(3)]
    question = Question.objects.filter(instrument__cycle=badung.cycle, smart_dimension="smart_living").first()
    assert question is not None
    stored_count = store_imported_responses(
        [
            ImportedResponse(
                badung, "smart_living", f"bulk-{i}", f"R{i}", when[i], f"d{i}", [(question.pk, i + 1)]
            )
            for i in range(3)
        ],
        channel="import",
        actor=CLI,
    )
    assert stored_count == 3
    stored = {r.response_id: r for r in SurveyResponse.objects.filter(response_id__startswith="bulk-")}
    ormish = SurveyResponse(participation=badung, smart_dimension="smart_living", submitted_at=when[0])
    for i in range(3):
        r = stored[f"bulk-{i}"]
        assert r.submitted_at == when[i]  # the same instant, whatever the backend's storage
        assert (r.respondent, r.content_digest, r.participation_id, r.channel) == (
            f"R{i}",
            f"d{i}",
            badung.pk,
            "import",
        )
        for field in ("included", "review", "over_quota", "consent", "flag_burst", "pattern", "link_id"):
            assert getattr(r, field) == getattr(ormish, field), field
        assert list(SurveyAnswer.objects.filter(response=r).values_list("question_id", "score")) == [
            (question.pk, i + 1)
        ]
