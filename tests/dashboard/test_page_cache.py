"""The public pages and open data served from the revision-keyed cache (kotacerdas/dashboard/cache.py):
a publication shows at once (in this process and in any other), language, filters and pages keep their own
entries, and a signed-in user's page is never cached nor served a cached one."""

import re
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db.models.signals import post_save
from django.test import Client

from kotacerdas.accounts.models import User
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.dashboard.cache import PAGES, STAMP_TTL, forget_public_pages, revision_stamp
from kotacerdas.instrument.models import Question
from kotacerdas.results.models import RegionResult, ResultSet, RobustnessRun
from kotacerdas.results.services import live_result_set, publish_results, recompute_results
from kotacerdas.results.table import published_result_set
from kotacerdas.review.models import AgreedScore

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/hasil/2024/",
    "/hasil/2024/?track=REGULER",
    "/hasil/2024/51.03/",
    "/hasil/2024/unduh.csv",
    "/metodologi/2024/",
    "/data/2024/datapackage.json",
    "/api/v1/cycles",
    "/api/v1/cycles/2024/results",
    "/api/v1/cycles/2024/results/51.03",
]


def _csrf(page: bytes) -> list[bytes]:
    return re.findall(rb'name="csrfmiddlewaretoken" value="([^"]*)"', page)


def _without_token(page: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value=")[^"]*', b"", page)


@pytest.mark.parametrize("url", PUBLIC)
def test_the_second_anonymous_request_is_served_from_the_cache_unchanged(url: str) -> None:
    first = Client().get(url)
    assert first.status_code == 200
    assert first["X-Kotacerdas-Cache"] == "miss"
    second = Client().get(url)
    assert second["X-Kotacerdas-Cache"] == "hit"
    assert second["Content-Type"] == first["Content-Type"]
    assert "Cookie" in second["Vary"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    if _csrf(first.content):
        # Each visitor gets a token of their own in place of the first visitor's.
        assert b"__kotacerdas_csrf_token__" not in second.content
        assert _csrf(first.content)[0] != _csrf(second.content)[0]
        assert _without_token(second.content) == _without_token(first.content)
    else:
        assert second.content == first.content


def test_the_token_in_a_cached_page_lets_its_visitor_switch_language() -> None:
    Client().get("/hasil/2024/")  # cached for the first visitor
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/hasil/2024/")
    assert page["X-Kotacerdas-Cache"] == "hit"
    token = _csrf(page.content)[0].decode()
    switched = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": "/hasil/2024/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    english = visitor.get("/hasil/2024/")
    assert english["Content-Language"] == "en"
    assert b"Bahasa Indonesia" in english.content  # the button back to Indonesian


def test_a_cached_page_costs_no_database_query(django_assert_num_queries: Any) -> None:
    """Within ``STAMP_TTL`` a hit reads neither the page nor the revision stamp from the database."""
    assert Client().get("/hasil/2024/")["X-Kotacerdas-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert Client().get("/hasil/2024/")["X-Kotacerdas-Cache"] == "hit"


def test_language_and_filters_keep_their_own_entries() -> None:
    indonesian = Client().get("/hasil/2024/").content
    english_client = Client()
    english_client.cookies["django_language"] = "en"
    english = english_client.get("/hasil/2024/")
    assert english["X-Kotacerdas-Cache"] == "miss"
    assert english.content != indonesian
    assert Client().get("/hasil/2024/")["Content-Language"] == "id"
    regular = Client().get("/hasil/2024/?track=REGULER")
    assert regular["X-Kotacerdas-Cache"] == "miss"
    assert regular.content != indonesian
    again = Client().get("/hasil/2024/?track=REGULER")
    assert again["X-Kotacerdas-Cache"] == "hit"
    assert Client().get("/hasil/2024/?page=2")["X-Kotacerdas-Cache"] == "miss"


def test_a_signed_in_admin_gets_no_cached_page_and_leaves_none(admin_user: User) -> None:
    anonymous = Client().get("/hasil/2024/")
    assert anonymous["X-Kotacerdas-Cache"] == "miss"
    admin = Client()
    admin.force_login(admin_user)
    for url in (
        "/hasil/2024/",
        "/hasil/2024/?live=1",
        "/hasil/2024/51.03/?live=1",
        "/api/v1/cycles/2024/results",
    ):
        response = admin.get(url)
        assert response.status_code == 200
        assert "X-Kotacerdas-Cache" not in response
    assert admin_user.email.encode() in admin.get("/hasil/2024/").content
    for url in ("/hasil/2024/", "/hasil/2024/?live=1", "/hasil/2024/51.03/?live=1"):
        page = Client().get(url)
        assert admin_user.email.encode() not in page.content
        assert b"Keluar" not in page.content


def _change_badung_live(cycle: Cycle) -> RegionResult:
    """A review changes Badung's agreed score of question 2; the results app recomputes the live set."""
    badung = Participation.objects.get(cycle=cycle, region__code="51.03")
    question = Question.objects.get(instrument__cycle=cycle, number=2)
    AgreedScore.objects.update_or_create(
        participation=badung, question=question, defaults={"score": Decimal("1.00"), "reason": "uji cache"}
    )
    recompute_results(cycle, regions=[badung.region_id])
    return RegionResult.objects.get(result_set=live_result_set(cycle), participation=badung)


def _final_cell(page: bytes, final: Decimal) -> bool:
    return f"{final:.2f}".replace(".", ",").encode() in page


def test_a_recompute_shows_once_published_and_not_before(cycle_2024: Cycle, admin_user: User) -> None:
    published_before = RegionResult.objects.get(
        result_set=published_result_set(cycle_2024), participation__region__code="51.03"
    )
    before = Client().get("/hasil/2024/51.03/").content
    api_before = Client().get("/api/v1/cycles/2024/results").json()
    live = _change_badung_live(cycle_2024)
    assert live.final != published_before.final
    # The public still sees the published revision (from the cache: the live set is not public).
    still = Client().get("/hasil/2024/51.03/")
    assert still["X-Kotacerdas-Cache"] == "hit"
    assert _without_token(still.content) == _without_token(before)
    publish_results(cycle_2024, actor=admin_user, reason="uji cache")
    after = Client().get("/hasil/2024/51.03/")
    assert after["X-Kotacerdas-Cache"] == "miss"
    assert _final_cell(after.content, live.final)
    row = next(r for r in Client().get("/api/v1/cycles/2024/results").json() if r["region_code"] == "51.03")
    old = next(r for r in api_before if r["region_code"] == "51.03")
    assert (old["final"], row["final"]) == (str(published_before.final), str(live.final))


def test_another_process_sees_a_publication_within_a_second_without_any_signal(
    cycle_2024: Cycle, admin_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entries are keyed by the revision stamp read from the database: a publication made by another
    process (no signal reaches this one) makes every cached page miss once this process's stamp is
    ``STAMP_TTL`` old."""
    Client().get("/hasil/2024/51.03/")
    Client().get("/api/v1/cycles/2024/results")
    assert len(PAGES) == 2
    live = _change_badung_live(cycle_2024)
    stamp = revision_stamp()
    for model in (ResultSet, RobustnessRun):
        assert post_save.disconnect(
            forget_public_pages, sender=model, dispatch_uid=f"dashboard.forget.{model.__name__}"
        )
    try:
        publish_results(cycle_2024, actor=CLI, reason="uji cache")
    finally:
        for model in (ResultSet, RobustnessRun):
            post_save.connect(
                forget_public_pages, sender=model, dispatch_uid=f"dashboard.forget.{model.__name__}"
            )
    assert len(PAGES) == 2  # nothing was told to this process
    assert revision_stamp() != stamp
    # This process still trusts the stamp it read for up to STAMP_TTL; a second later it reads it again.
    assert Client().get("/hasil/2024/51.03/")["X-Kotacerdas-Cache"] == "hit"
    real = time.monotonic
    monkeypatch.setattr(time, "monotonic", lambda: real() + STAMP_TTL + 0.01)
    page = Client().get("/hasil/2024/51.03/")
    assert page["X-Kotacerdas-Cache"] == "miss"
    assert _final_cell(page.content, live.final)
    api = Client().get("/api/v1/cycles/2024/results")
    assert api["X-Kotacerdas-Cache"] == "miss"


def test_a_robustness_run_changes_the_stamp_and_empties_the_cache(cycle_2024: Cycle) -> None:
    Client().get("/metodologi/2024/")
    stamp = revision_stamp()
    RobustnessRun.objects.create(
        result_set=published_result_set(cycle_2024), draws=10, seed=7, ran_at="2026-01-01T00:00:00Z"
    )
    assert revision_stamp() != stamp
    assert len(PAGES) == 0
    assert Client().get("/metodologi/2024/")["X-Kotacerdas-Cache"] == "miss"


def test_a_recompute_of_live_results_keeps_the_cached_pages(cycle_2024: Cycle) -> None:
    Client().get("/hasil/2024/")
    stamp = revision_stamp()
    recompute_results(cycle_2024)
    assert revision_stamp() == stamp
    assert Client().get("/hasil/2024/")["X-Kotacerdas-Cache"] == "hit"


def test_errors_are_not_cached() -> None:
    assert Client().get("/hasil/2024/99.99/").status_code == 404
    assert Client().get("/hasil/2024/99.99/").status_code == 404
    assert len(PAGES) == 0
