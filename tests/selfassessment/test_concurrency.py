"""Concurrent saves of one answer, on PostgreSQL with real threads: exactly one row, no lost update."""

import threading
import uuid

import pytest
from django.db import connection, connections

from kotacerdas.accounts.models import Role, User
from kotacerdas.cycles.models import Participation
from kotacerdas.selfassessment.models import Answer
from kotacerdas.selfassessment.services import SaveStatus, save_answer

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_answer_leave_one_row_and_lose_nothing(make_cycle) -> None:
    cycle = make_cycle(2031, regions=("51.03",), open_windows=True)
    participation = Participation.objects.select_related("cycle", "region").get(cycle=cycle)
    operator = User.objects.create_user(
        email="op@test.id", password="x-very-long-pass", role=Role.OPERATOR, region=participation.region
    )
    question = cycle.instrument.questions.select_related("dimension", "instrument").get(number=1)
    threads, outcomes, errors = [], [], []
    barrier = threading.Barrier(8)

    def save(n: int) -> None:
        try:
            barrier.wait()
            outcome = save_answer(
                participation,
                question,
                level=1 + n % 4,
                justification=f"thread {n}",
                save_id=uuid.uuid4(),
                base_version=0,
                actor=operator,
            )
            outcomes.append((n, outcome.status))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    for n in range(8):
        threads.append(threading.Thread(target=save, args=(n,)))
        threads[-1].start()
    for thread in threads:
        thread.join()
    assert errors == []
    saved = [n for n, status in outcomes if status == SaveStatus.SAVED]
    assert len(saved) == 1
    assert sorted(status for _, status in outcomes).count(SaveStatus.CONFLICT) == 7
    answers = Answer.objects.filter(participation=participation, question=question)
    assert answers.count() == 1
    winner = answers.get()
    # No lost update: the stored content is exactly the one accepted save, at version 1.
    assert (winner.justification, winner.version) == (f"thread {saved[0]}", 1)
