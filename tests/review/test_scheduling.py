"""The interview schedule's model (kotacerdas.review.scheduling): pure, no database."""

import ast
import random
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from kotacerdas.review import scheduling
from kotacerdas.review.scheduling import (
    AssessorSpec,
    InfeasibleSchedule,
    Placement,
    Problem,
    ReasonKind,
    RegionSpec,
    Schedule,
    check_schedule,
    solve,
    working_days,
)

MONDAY = date(2024, 11, 4)
WEEK = working_days(MONDAY, date(2024, 11, 8))


def _pool(n: int, **unavailable: frozenset[date]) -> tuple[AssessorSpec, ...]:
    return tuple(AssessorSpec(f"a{i}", unavailable=unavailable.get(f"a{i}", frozenset())) for i in range(n))


def _regions(n: int, **specs: RegionSpec) -> tuple[RegionSpec, ...]:
    return tuple(specs.get(f"r{i}", RegionSpec(f"r{i}")) for i in range(n))


def _problem(regions: int = 6, pool: int = 6, **rest: object) -> Problem:
    values: dict[str, object] = {
        "days": WEEK,
        "slots": 2,
        "regions": _regions(regions),
        "assessors": _pool(pool),
        "panel_size": 3,
        "daily_cap": 2,
        "time_limit": 20.0,
        "workers": 1,
    }
    values.update(rest)
    return Problem(**values)  # type: ignore[arg-type]


def _assert_good(problem: Problem, schedule: Schedule) -> None:
    checks = check_schedule(problem, schedule)
    assert (checks.missing, checks.double_bookings, checks.conflicts, checks.over_cap) == (0, 0, 0, 0)
    assert (checks.unavailable, checks.short_panels) == (0, 0)
    assert checks.spread == schedule.spread


def _session(schedule: Schedule, region: str) -> scheduling.Session:
    return next(s for s in schedule.sessions if s.region == region)


def test_working_days_are_monday_to_friday() -> None:
    days = working_days(date(2024, 10, 29), date(2024, 11, 20))
    assert len(days) == 17  # the 2024 programme's interview window
    assert {d.weekday() for d in days} == {0, 1, 2, 3, 4}
    assert date(2024, 11, 2) not in days  # a Saturday
    assert working_days(MONDAY, MONDAY, closed=[MONDAY]) == ()


def test_every_region_gets_one_session_with_a_full_balanced_panel() -> None:
    problem = _problem(regions=6, pool=6)
    schedule = solve(problem)
    _assert_good(problem, schedule)
    assert len(schedule.sessions) == 6
    assert all(len(s.panel) == 3 for s in schedule.sessions)
    # 18 seats over 6 assessors: three each, and proven the best.
    assert {load for _key, load in schedule.loads} == {3}
    assert schedule.spread == 0 and schedule.optimal


def test_loads_stay_within_one_session_when_they_cannot_be_equal() -> None:
    problem = _problem(regions=7, pool=5)
    schedule = solve(problem)
    _assert_good(problem, schedule)
    assert schedule.spread == 1 and schedule.optimal  # 21 seats over 5 assessors: 4 or 5 each


def test_no_assessor_sits_twice_in_one_slot() -> None:
    # One day, one slot: the two panels must be disjoint.
    problem = _problem(regions=2, pool=6, days=WEEK[:1], slots=1)
    schedule = solve(problem)
    _assert_good(problem, schedule)
    first, second = schedule.sessions
    assert not set(first.panel) & set(second.panel)


def test_the_daily_cap_holds() -> None:
    # One day, four slots, at most one session each: four regions of two need all eight assessors.
    problem = _problem(regions=4, pool=8, days=WEEK[:1], slots=4, panel_size=2, daily_cap=1)
    schedule = solve(problem)
    _assert_good(problem, schedule)
    assert all(load == 1 for _key, load in schedule.loads)


def test_conflicts_of_interest_are_never_added() -> None:
    regions = _regions(4, r0=RegionSpec("r0", conflicts=frozenset({"a0", "a1"})))
    problem = replace(_problem(pool=5), regions=regions)
    schedule = solve(problem)
    _assert_good(problem, schedule)
    assert not {"a0", "a1"} & set(_session(schedule, "r0").panel)


def test_fixed_members_stay_and_count_in_the_loads() -> None:
    regions = _regions(3, r0=RegionSpec("r0", members=("a4",)))
    problem = replace(_problem(pool=5), regions=regions)
    schedule = solve(problem)
    _assert_good(problem, schedule)
    session = _session(schedule, "r0")
    assert session.panel[0] == "a4" and "a4" not in session.added and len(session.panel) == 3
    assert sum(load for _key, load in schedule.loads) == 9


def test_unavailable_days_of_regions_and_assessors_are_respected() -> None:
    busy = frozenset(WEEK[:4])  # free on Friday only
    regions = _regions(3, r0=RegionSpec("r0", unavailable=busy))
    problem = replace(_problem(pool=6), regions=regions, assessors=_pool(6, a0=busy, a1=frozenset(WEEK[1:])))
    schedule = solve(problem)
    _assert_good(problem, schedule)
    r0 = _session(schedule, "r0")
    assert r0.day == WEEK[4]
    for session in schedule.sessions:
        assert not ("a0" in session.panel and session.day in busy)
        assert not ("a1" in session.panel and session.day != WEEK[0])


def test_confirmed_sessions_are_kept_on_a_rerun() -> None:
    problem = _problem(regions=6, pool=6)
    first = solve(problem)
    keep = _session(first, "r2")
    # Re-run with r2 confirmed as it was and a new unavailability that its placement would break for others.
    regions = tuple(
        replace(r, members=keep.panel, confirmed=Placement(keep.day, keep.slot)) if r.key == "r2" else r
        for r in problem.regions
    )
    rerun = replace(problem, regions=regions, assessors=_pool(6, a5=frozenset({WEEK[0]})))
    again = solve(rerun)
    _assert_good(rerun, again)
    kept = _session(again, "r2")
    assert (kept.day, kept.slot, kept.panel, kept.confirmed, kept.added) == (
        keep.day,
        keep.slot,
        keep.panel,
        True,
        (),
    )


def test_earlier_placements_are_kept_when_they_still_fit() -> None:
    problem = _problem(regions=6, pool=6)
    first = solve(problem)
    regions = tuple(
        replace(
            r,
            members=_session(first, r.key).panel,
            previous=Placement(_session(first, r.key).day, _session(first, r.key).slot),
        )
        for r in problem.regions
    )
    again = solve(replace(problem, regions=regions))
    assert [(s.day, s.slot, s.panel) for s in again.sessions] == [
        (s.day, s.slot, s.panel) for s in first.sessions
    ]


def test_the_joint_model_answers_when_the_panels_do_not_fit_the_placement(monkeypatch) -> None:
    monkeypatch.setattr(scheduling, "_fill", lambda *args: None)
    problem = _problem(regions=5, pool=6)
    schedule = solve(problem)
    _assert_good(problem, schedule)
    assert schedule.method == "joint" and schedule.spread <= 1


def test_a_larger_programme_is_scheduled_within_its_constraints() -> None:
    rng = random.Random(7)
    days = working_days(date(2024, 10, 29), date(2024, 11, 8))
    pool = tuple(
        AssessorSpec(f"a{i:02d}", unavailable=frozenset(rng.sample(days, rng.randint(0, 2))))
        for i in range(16)
    )
    regions = tuple(
        RegionSpec(
            f"r{i:02d}",
            conflicts=frozenset(rng.sample([a.key for a in pool], 1)),
            unavailable=frozenset(rng.sample(days, rng.randint(0, 1))),
        )
        for i in range(40)
    )
    problem = Problem(days, 4, regions, pool, panel_size=5, daily_cap=2, time_limit=20, workers=1)
    schedule = solve(problem)
    _assert_good(problem, schedule)
    assert schedule.spread <= 1


# --- infeasible cases are reported with their reason ------------------------------------------------------


def _reasons(problem: Problem) -> list[tuple[ReasonKind, str]]:
    with pytest.raises(InfeasibleSchedule) as caught:
        solve(problem)
    return [(r.kind, r.region or r.assessor) for r in caught.value.reasons]


def test_too_few_assessors_for_a_panel_names_the_region() -> None:
    regions = _regions(2, r1=RegionSpec("r1", conflicts=frozenset({"a0", "a1"})))
    assert _reasons(replace(_problem(pool=4), regions=regions)) == [(ReasonKind.TOO_FEW_ASSESSORS, "r1")]


def test_a_region_unavailable_every_day_is_named() -> None:
    regions = _regions(2, r0=RegionSpec("r0", unavailable=frozenset(WEEK)))
    assert _reasons(replace(_problem(), regions=regions)) == [(ReasonKind.REGION_NO_DAY, "r0")]


def test_a_window_without_working_days_is_reported() -> None:
    assert _reasons(_problem(days=())) == [(ReasonKind.NO_DAYS, "")]


def test_more_seats_than_the_pool_can_sit_is_reported() -> None:
    # 5 days × 1 slot × 4 assessors = 20 seats at most; 8 panels of 3 need 24.
    assert _reasons(_problem(regions=8, pool=4, slots=1)) == [(ReasonKind.CAPACITY, "")]


def test_constraints_that_cannot_hold_together_are_reported() -> None:
    # a0 sits on both panels by fixed membership, on the one day, at most once a day.
    regions = _regions(2, r0=RegionSpec("r0", members=("a0",)), r1=RegionSpec("r1", members=("a0",)))
    problem = replace(_problem(pool=4, panel_size=2, days=WEEK[:1], daily_cap=1), regions=regions)
    assert _reasons(problem) == [(ReasonKind.NO_SOLUTION, "")]


def test_confirmed_sessions_that_clash_are_named() -> None:
    placed = Placement(WEEK[0], 0)
    regions = _regions(
        2,
        r0=RegionSpec("r0", members=("a0", "a1"), confirmed=placed),
        r1=RegionSpec("r1", members=("a0", "a2"), confirmed=placed),
    )
    problem = replace(
        _problem(pool=3, panel_size=2, assessors=_pool(3, a2=frozenset({WEEK[0]}))), regions=regions
    )
    with pytest.raises(InfeasibleSchedule) as caught:
        solve(problem)
    assert [(r.kind, r.region, r.assessor) for r in caught.value.reasons] == [
        (ReasonKind.CONFIRMED_DOUBLE_BOOKED, "r1", "a0"),
        (ReasonKind.CONFIRMED_UNAVAILABLE, "r1", "a2"),
    ]


def test_a_problem_that_contradicts_itself_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="unknown members"):
        replace(_problem(), regions=(RegionSpec("r0", members=("nobody",)),))
    with pytest.raises(ValueError, match="at least 1"):
        _problem(slots=0)


def test_the_model_imports_no_django() -> None:
    source = Path(scheduling.__file__).read_text(encoding="utf-8")
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if name.split(".")[0] in {"django", "kotacerdas"}}
