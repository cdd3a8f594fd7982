"""Reading never writes: public pages, the API and the CLI's reads change no row (not even a missing live
result set, which every cycle has from its creation on)."""

from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kotacerdas.cycles.models import Cycle
from kotacerdas.results.models import ResultSet, ResultSetStatus

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_a_new_cycle_has_its_live_result_set(make_cycle: Callable[..., Cycle]) -> None:
    cycle = make_cycle(2030)
    assert ResultSet.objects.filter(cycle=cycle, status=ResultSetStatus.LIVE, revision=0).count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cycles",
        "/api/v1/cycles/2030/results",
        "/api/v1/cycles/2024/results",
        "/api/v1/cycles/2024/results/51.03",
        "/hasil/2024/",
        "/hasil/2030/",
        "/hasil/2024/51.03/",
    ],
)
def test_public_reads_write_nothing(make_cycle: Callable[..., Cycle], client: Client, url: str) -> None:
    make_cycle(2030)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 404)
    assert _writes(queries) == []


def test_the_results_command_writes_nothing(make_cycle: Callable[..., Cycle]) -> None:
    make_cycle(2030)
    with CaptureQueriesContext(connection) as queries:
        call_command("results", year=2030, format="csv")
        call_command("results", year=2024, format="json")
    assert _writes(queries) == []
