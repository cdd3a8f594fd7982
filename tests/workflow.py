"""Helpers that move a region's evaluation forward through the services, for tests."""

import uuid
from typing import Any

from kotacerdas.cycles.models import Participation
from kotacerdas.instrument.services import assessed_questions
from kotacerdas.review.models import Assignment
from kotacerdas.review.services import record_score, submit_review
from kotacerdas.selfassessment.services import save_answer, submit_self_assessment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fill_self_assessment(operator: Any, participation: Participation, level: int = 3) -> None:
    for question in assessed_questions(participation.cycle):
        save_answer(
            participation,
            question,
            level=level,
            justification=f"Bukti untuk {question.number}",
            save_id=uuid.uuid4(),
            base_version=0,
            actor=operator,
        )


def submitted(operator: Any, participation: Participation) -> Participation:
    fill_self_assessment(operator, participation)
    submit_self_assessment(participation, actor=operator)
    participation.refresh_from_db()
    return participation


def score_all(
    assessor: Any, participation: Participation, score: int | dict[int, int], *, submit: bool = True
) -> Assignment:
    assignment = participation.assignments.get(assessor__user=assessor)
    for question in assessed_questions(participation.cycle):
        value = score if isinstance(score, int) else score.get(question.number, 3)
        record_score(assignment, question, value, "", actor=assessor)
    if submit:
        submit_review(assignment, actor=assessor)
    participation.refresh_from_db()
    assignment.refresh_from_db()
    return assignment


def close_download(response: Any) -> None:
    """Close a streamed file response without ending the request: ``response.close()`` fires
    request_finished, whose close_old_connections would close the test transaction's connection
    (Django's own test client disconnects it the same way while streaming)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        signals.request_finished.connect(close_old_connections)
