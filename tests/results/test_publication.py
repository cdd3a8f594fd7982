"""Published results are a frozen snapshot; a later recomputation that is published is a new revision."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.imports import import_question_scores
from kotacerdas.results.models import RegionResult, ResultSetStatus
from kotacerdas.results.services import (
    latest_published,
    publish_results,
    recompute_results,
    unpublished_changes,
)


def _final(result_set, code: str = "51.03") -> Decimal:
    return RegionResult.objects.get(result_set=result_set, participation__region__code=code).final


def test_demo_results_are_published_as_revision_one(cycle_2024: Cycle) -> None:
    published = latest_published(cycle_2024)
    assert published is not None and published.revision == 1
    assert published.status == ResultSetStatus.PUBLISHED
    assert published.region_results.count() == 140
    assert unpublished_changes(cycle_2024) == []


def test_a_change_after_publication_never_alters_published_numbers(cycle_2024: Cycle, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("region,question,score\nKAB. BADUNG,1,1\n", encoding="utf-8")
    import_question_scores(path, cycle_2024, actor=CLI)
    revision_1 = latest_published(cycle_2024)
    assert _final(revision_1) == Decimal("3.08")
    changed = unpublished_changes(cycle_2024)
    # Badung's numbers changed; the regions it fell behind changed rank only.
    assert "51.03" in changed and len(changed) > 1

    err = io.StringIO()
    out = io.StringIO()
    call_command("results", "--year", "2024", "--region", "51.03", stdout=out, stderr=err)
    assert ",3.08," in out.getvalue()
    assert f"live results differ for {len(changed)} region(s)" in err.getvalue()

    revision_2 = publish_results(cycle_2024, reason="Koreksi skor pertanyaan 1", actor=CLI)
    assert revision_2.revision == 2 and _final(revision_2) == Decimal("3.02")
    assert _final(revision_1) == Decimal("3.08")
    assert unpublished_changes(cycle_2024) == []
    event = AuditEvent.objects.filter(action="results.published").latest("id")
    assert (event.new["revision"], event.reason) == (2, "Koreksi skor pertanyaan 1")


def test_recompute_re_ranks_every_region(cycle_2024: Cycle, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    rows = "".join(f"KAB. BADUNG,{q},4\n" for q in range(1, 116))
    path.write_text("region,question,score\n" + rows, encoding="utf-8")
    import_question_scores(path, cycle_2024, actor=CLI)
    recompute_results(cycle_2024)
    live = cycle_2024.result_sets.get(status=ResultSetStatus.LIVE)
    badung = RegionResult.objects.get(result_set=live, participation__region__code="51.03")
    assert (badung.final, badung.rank) == (Decimal("4.00"), 1)
    bandung = RegionResult.objects.get(result_set=live, participation__region__code="32.73")
    assert bandung.rank == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_to_update_or_delete_audit_events(db: None) -> None:
    from django.db import DatabaseError, transaction

    event = AuditEvent.objects.create(action="test")
    for statement in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test"


def test_audit_events_refuse_changes_through_the_orm(db: None) -> None:
    event = AuditEvent.objects.create(action="test")
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_the_inputs_changed_signal_recomputes_the_named_regions(cycle_2024: Cycle) -> None:
    from kotacerdas.cycles.signals import inputs_changed
    from kotacerdas.review.models import AgreedScore

    AgreedScore.objects.filter(participation__cycle=cycle_2024, question__number=1).update(score=1)
    live = cycle_2024.result_sets.get(status=ResultSetStatus.LIVE)
    assert _final(live) == Decimal("3.08")  # a bare update changes nothing by itself
    inputs_changed.send(
        sender=None,
        cycle=cycle_2024,
        region_ids=[cycle_2024.participations.get(region__code="51.03").region_id],
    )
    assert _final(live) == Decimal("3.02")
