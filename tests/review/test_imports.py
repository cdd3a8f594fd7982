"""Review's imports go through review's services: the policy, the conflict-of-interest rule, the audit."""

from collections.abc import Callable
from pathlib import Path

import pytest

from kotacerdas.accounts.models import User
from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.core.tables import ImportRejected
from kotacerdas.cycles.models import Cycle
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.review.imports import import_assessor_scores, import_question_scores
from kotacerdas.review.models import Assessor, AssessorScore, Assignment, ConflictOfInterest

HEADER = "region,assessor,institution,question,score,note\n"
WriteFile = Callable[[str, str], Path]


def test_an_assessor_of_the_regions_own_government_rejects_the_file(
    make_cycle: Callable[..., Cycle], write_file: WriteFile
) -> None:
    cycle = make_cycle(2030)
    path = write_file(
        "s.csv",
        HEADER + "KAB. BADUNG,A,Universitas Udayana,1,3,\nKAB. BADUNG,B,Pemerintah Kabupaten Badung,1,4,\n",
    )
    with pytest.raises(ImportRejected) as rejected:
        import_assessor_scores(path, cycle, actor=CLI)
    assert rejected.value.lines() == [
        f"{path}:3: institution='Pemerintah Kabupaten Badung' conflict of interest: "
        "Institusi asesor adalah bagian dari pemerintah daerah ini."
    ]
    assert not Assignment.objects.filter(participation__cycle=cycle).exists()


def test_a_declared_conflict_rejects_the_file(
    make_cycle: Callable[..., Cycle], write_file: WriteFile
) -> None:
    cycle = make_cycle(2030)
    badung = cycle.participations.get(region__code="51.03")
    assessor = Assessor.objects.create(name="A", institution="Universitas Udayana")
    ConflictOfInterest.objects.create(assessor=assessor, region=badung.region, reason="konsultan daerah")
    with pytest.raises(ImportRejected, match="1 problem"):
        import_assessor_scores(
            write_file("s.csv", HEADER + "KAB. BADUNG,A,Universitas Udayana,1,3,\n"), cycle, actor=CLI
        )


def test_a_historic_panel_is_imported_as_it_was_only_with_a_reason_in_the_audit(
    make_cycle: Callable[..., Cycle], write_file: WriteFile
) -> None:
    cycle = make_cycle(2030)
    path = write_file("s.csv", HEADER + "KAB. BADUNG,B,Pemerintah Kabupaten Badung,1,4,\n")
    summary = import_assessor_scores(
        path, cycle, actor=CLI, conflict_override="panel 2030 sebagaimana adanya"
    )
    assert (summary.created, summary.reviews_submitted) == (1, 1)
    event = AuditEvent.objects.filter(action="assignment.created").latest("id")
    assert event.reason == "panel 2030 sebagaimana adanya"
    assert event.new["conflict_of_interest"] == "Institusi asesor adalah bagian dari pemerintah daerah ini."
    assert event.actor_label == "cli"


def test_a_person_without_the_right_cannot_import(
    make_cycle: Callable[..., Cycle], write_file: WriteFile, operator_a: User
) -> None:
    cycle = make_cycle(2030)
    with pytest.raises(NotAllowed):
        import_assessor_scores(
            write_file("s.csv", HEADER + "KAB. BADUNG,A,U,1,3,\n"), cycle, actor=operator_a
        )
    with pytest.raises(NotAllowed):
        import_question_scores(
            write_file("q.csv", "region,question,score\nKAB. BADUNG,1,3\n"), cycle, actor=operator_a
        )
    assert not AssessorScore.objects.filter(assignment__participation__cycle=cycle).exists()
