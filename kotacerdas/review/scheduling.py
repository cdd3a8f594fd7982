"""The interview schedule as constraint models solved by OR-Tools CP-SAT: one session per region with its
panel, on a working day of the interview window and in one of the day's slots.

Pure Python (no Django): frozen dataclasses in (:class:`Problem`), a :class:`Schedule` out, or
:class:`InfeasibleSchedule` with the reasons. ``review/services.py`` builds the problem from the database and
stores the answer.

What must hold (D working days, S slots a day, panels of N, a daily cap of C sessions an assessor):

- every region gets one session, on a day neither it nor a fixed member of its panel declared unavailable;
- its panel keeps the assessors already on it and is filled up to N from the pool, never with an assessor
  in conflict of interest with it, nor one unavailable that day;
- no assessor sits in two sessions of the same day and slot, nor in more than C sessions a day;
- a confirmed session is kept as it is: day, slot and panel;
- loads are balanced: max − min of the pool's sessions is as small as it can be (0 or 1 when feasible).

It is solved in two CP-SAT models, each one small and nearly linear:

1. **Placement.** ``at[r, d, s]`` Booleans, exactly one per region, only on days allowed for the region
   (its own and its fixed members' unavailable days removed, and days on which fewer assessors are free and
   eligible for it than it has seats). Necessary conditions of the panels bound it: per (day, slot) the
   panels placed there need no more assessors than are free that day; per day, no more seats than the free
   assessors × C; a fixed member's sessions never share a slot and never exceed C a day. The objective is
   the largest number of sessions on one day (an even spread over the window), then the number of sessions
   moved from an earlier, unconfirmed placement.
2. **Panels** for those placements: ``seat[r, a]`` Booleans for the assessors eligible for r on its day;
   Σₐ seat[r, a] = the seats r has left; per assessor and (day, slot) at most one session, per day at most
   C (fixed members counted). This is a flow problem (regions → assessor-slots → assessor-days →
   assessors), so the model's LP is exact. The objective is max − min of the loads, with the bound it
   cannot go below (0 when the seats divide evenly over the pool, else 1), so that reaching it is proof of
   the optimum.

Every constraint of (1) is implied by the problem, so when (1) has no solution there is none. When (2)
has none for the placement found, or cannot reach the bound, a joint model decides (3): ``time[r]`` and
``seat[r, a]`` together, no double booking as a ``NoOverlap`` of optional unit intervals per assessor, the
daily cap as a ``Cumulative`` over days, the earlier answer as a hint. It is exact, and slower: on the
programme's scale the two small models answer within a second or two.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from ortools.sat.python import cp_model

__all__ = [
    "AssessorSpec",
    "Checks",
    "InfeasibleSchedule",
    "Placement",
    "Problem",
    "Reason",
    "ReasonKind",
    "RegionSpec",
    "Schedule",
    "Session",
    "check_schedule",
    "solve",
    "working_days",
]


def working_days(start: date, end: date, closed: Iterable[date] = ()) -> tuple[date, ...]:
    """Monday to Friday from ``start`` to ``end`` (both included), leaving out ``closed`` days."""
    shut = set(closed)
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in shut:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


@dataclass(frozen=True, slots=True)
class Placement:
    """A session's day and slot (the 0-based index of the day's slots)."""

    day: date
    slot: int


@dataclass(frozen=True, slots=True)
class AssessorSpec:
    """An assessor: ``in_pool`` ones may be added to panels; the others only sit where they already are."""

    key: str
    unavailable: frozenset[date] = frozenset()
    in_pool: bool = True


@dataclass(frozen=True, slots=True)
class RegionSpec:
    """A region to interview. ``members`` are its panel's assessors already (kept); ``conflicts`` those who
    may not be added; ``confirmed`` a session kept as it is (day, slot and panel = ``members``);
    ``previous`` an earlier, unconfirmed placement, kept when it can be."""

    key: str
    members: tuple[str, ...] = ()
    conflicts: frozenset[str] = frozenset()
    unavailable: frozenset[date] = frozenset()
    confirmed: Placement | None = None
    previous: Placement | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    days: tuple[date, ...]
    slots: int
    regions: tuple[RegionSpec, ...]
    assessors: tuple[AssessorSpec, ...]
    panel_size: int = 5
    daily_cap: int = 2
    time_limit: float = 30.0  # seconds, for the whole solve
    workers: int = 0  # 0: one per core, at most 8
    seed: int = 0

    def __post_init__(self) -> None:
        if self.slots < 1 or self.panel_size < 1 or self.daily_cap < 1:
            raise ValueError("slots, panel_size and daily_cap must be at least 1")
        if self.time_limit <= 0:
            raise ValueError("time_limit must be positive")
        if list(self.days) != sorted(set(self.days)):
            raise ValueError("days must be distinct and in order")
        keys = [a.key for a in self.assessors]
        if len(set(keys)) != len(keys):
            raise ValueError("assessor keys must be unique")
        regions = [r.key for r in self.regions]
        if len(set(regions)) != len(regions):
            raise ValueError("region keys must be unique")
        known = set(keys)
        for region in self.regions:
            if set(region.members) - known:
                raise ValueError(f"{region.key}: unknown members {sorted(set(region.members) - known)}")
            if len(set(region.members)) != len(region.members):
                raise ValueError(f"{region.key}: a member is listed twice")


class ReasonKind(StrEnum):
    NO_DAYS = "no_days"  # the window has no working day
    REGION_NO_DAY = "region_no_day"  # every day is unavailable for the region or a fixed member
    TOO_FEW_ASSESSORS = "too_few_assessors"  # fewer eligible assessors than the region has seats
    CONFIRMED_OUTSIDE = "confirmed_outside"  # a confirmed session is on no day or slot of the window
    CONFIRMED_UNAVAILABLE = "confirmed_unavailable"  # ... on a day its region or a member declared
    CONFIRMED_DOUBLE_BOOKED = "confirmed_double_booked"  # confirmed sessions share an assessor and a slot
    CONFIRMED_OVER_CAP = "confirmed_over_cap"  # confirmed sessions exceed an assessor's daily cap
    CAPACITY = "capacity"  # more seats than the pool can sit, given the days it is free and the cap
    NO_SOLUTION = "no_solution"  # proven: no schedule meets every constraint together
    TIMEOUT = "timeout"  # no schedule found within the time limit


@dataclass(frozen=True, slots=True)
class Reason:
    """Why no schedule was made, for a person to act on (the services word it in the user's language)."""

    kind: ReasonKind
    region: str = ""
    assessor: str = ""
    day: date | None = None
    count: int = 0
    limit: int = 0

    def __str__(self) -> str:
        named = [
            f"{name}={getattr(self, name)}" for name in ("region", "assessor", "day") if getattr(self, name)
        ]
        counted = [f"{self.count}/{self.limit}"] if self.count or self.limit else []
        return " ".join([self.kind.value, *named, *counted])


class InfeasibleSchedule(ValueError):
    def __init__(self, reasons: Sequence[Reason]):
        self.reasons = tuple(reasons)
        super().__init__("; ".join(map(str, self.reasons)))


@dataclass(frozen=True, slots=True)
class Session:
    region: str
    day: date
    slot: int
    panel: tuple[str, ...]  # the fixed members first, then those added, in key order
    added: tuple[str, ...]
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Schedule:
    sessions: tuple[Session, ...]
    loads: tuple[tuple[str, int], ...]  # (assessor, sessions) for every assessor of the problem
    spread: int  # max − min of the pool's loads
    optimal: bool  # the spread is proven the least possible
    seconds: float
    method: str = field(default="")  # "two-stage" or "joint": which models answered

    def load(self, assessor: str) -> int:
        return dict(self.loads)[assessor]


# --- what the models share -------------------------------------------------------------------------------


class _Index:
    """The problem's days, availabilities and eligibilities as indices, computed once."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.day_of = {day: i for i, day in enumerate(problem.days)}
        self.off = {
            a.key: {self.day_of[d] for d in a.unavailable if d in self.day_of} for a in problem.assessors
        }
        days = range(len(problem.days))
        self.free = [[a.key for a in problem.assessors if d not in self.off[a.key]] for d in days]
        self.pool = [a.key for a in problem.assessors if a.in_pool]
        self.open = [r for r in problem.regions if r.confirmed is None]
        self.candidates = {r.key: self._candidates(r) for r in self.open}
        self.seats = {r.key: max(0, problem.panel_size - len(r.members)) for r in self.open}
        self.allowed = {r.key: self._allowed(r) for r in self.open}
        self.fixed_load = dict.fromkeys(self.off, 0)
        for region in problem.regions:
            for member in region.members:
                self.fixed_load[member] += 1
        pool_total = sum(self.seats.values()) + sum(self.fixed_load[k] for k in self.pool)
        self.lower_bound = 0 if not self.pool or pool_total % len(self.pool) == 0 else 1
        self.pool_total = pool_total

    def _candidates(self, region: RegionSpec) -> list[str]:
        members = set(region.members)
        return [k for k in self.pool if k not in members and k not in region.conflicts]

    def _allowed(self, region: RegionSpec) -> list[int]:
        """The days the region may be interviewed: free for it and its fixed members, with enough eligible
        assessors free to fill its seats."""
        blocked = {self.day_of[d] for d in region.unavailable if d in self.day_of}
        blocked |= set().union(*(self.off[m] for m in region.members))
        need = self.seats[region.key]
        return [
            d
            for d in range(len(self.problem.days))
            if d not in blocked
            and sum(1 for k in self.candidates[region.key] if d not in self.off[k]) >= need
        ]

    def placement(self, region: RegionSpec) -> tuple[int, int]:
        assert region.confirmed is not None
        return self.day_of[region.confirmed.day], region.confirmed.slot


def _solver(problem: Problem, seconds: float, *, presolve: bool) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = problem.workers or min(8, os.cpu_count() or 1)
    solver.parameters.random_seed = problem.seed
    # The two small models are linear and tight already: CP-SAT's presolve costs more than it saves there.
    solver.parameters.cp_model_presolve = presolve
    return solver


def _precheck(problem: Problem, index: _Index) -> list[Reason]:
    """The reasons a person can read off before any search; each names the region or assessor at fault."""
    if not problem.days:
        return [Reason(ReasonKind.NO_DAYS)]
    reasons = _confirmed_clashes(problem, index) + _open_regions(index)
    return reasons or _capacity(problem, index)


def _confirmed_clashes(problem: Problem, index: _Index) -> list[Reason]:
    """Confirmed sessions off the window's days or slots, on an unavailable day, or clashing together."""
    reasons: list[Reason] = []
    booked: dict[tuple[str, int, int], str] = {}
    per_day: dict[tuple[str, int], int] = {}
    for region in problem.regions:
        placed = region.confirmed
        if placed is None:
            continue
        if placed.day not in index.day_of or not 0 <= placed.slot < problem.slots:
            reasons.append(Reason(ReasonKind.CONFIRMED_OUTSIDE, region=region.key, day=placed.day))
            continue
        if placed.day in region.unavailable:
            reasons.append(Reason(ReasonKind.CONFIRMED_UNAVAILABLE, region=region.key, day=placed.day))
        d = index.day_of[placed.day]
        for member in region.members:
            if d in index.off[member]:
                reasons.append(
                    Reason(
                        ReasonKind.CONFIRMED_UNAVAILABLE, region=region.key, assessor=member, day=placed.day
                    )
                )
            if booked.setdefault((member, d, placed.slot), region.key) != region.key:
                reasons.append(
                    Reason(
                        ReasonKind.CONFIRMED_DOUBLE_BOOKED, region=region.key, assessor=member, day=placed.day
                    )
                )
            per_day[member, d] = per_day.get((member, d), 0) + 1
            if per_day[member, d] == problem.daily_cap + 1:
                reasons.append(
                    Reason(
                        ReasonKind.CONFIRMED_OVER_CAP,
                        assessor=member,
                        day=placed.day,
                        count=per_day[member, d],
                        limit=problem.daily_cap,
                    )
                )
    return reasons


def _open_regions(index: _Index) -> list[Reason]:
    """Regions to place whose panel cannot be filled, or that have no usable day."""
    reasons: list[Reason] = []
    for region in index.open:
        eligible = len(index.candidates[region.key])
        if eligible < index.seats[region.key]:
            reasons.append(
                Reason(
                    ReasonKind.TOO_FEW_ASSESSORS,
                    region=region.key,
                    count=eligible,
                    limit=index.seats[region.key],
                )
            )
        elif not index.allowed[region.key]:
            reasons.append(Reason(ReasonKind.REGION_NO_DAY, region=region.key))
    return reasons


def _capacity(problem: Problem, index: _Index) -> list[Reason]:
    """Every seat of every panel against what the assessors can sit at most: their free days × the daily
    cap (or the slots, when fewer)."""
    per_day_cap = min(problem.daily_cap, problem.slots)
    sitting = set(index.pool).union(*(r.members for r in problem.regions))
    can = sum(per_day_cap * (len(problem.days) - len(index.off[k])) for k in sitting)
    need = sum(max(problem.panel_size, len(r.members)) for r in index.open)
    need += sum(len(r.members) for r in problem.regions if r.confirmed is not None)
    return [Reason(ReasonKind.CAPACITY, count=need, limit=can)] if need > can else []


# A term of a linear sum: coefficient × variable, or a constant when the variable is None.
_Term = tuple[int, cp_model.IntVar | None]


def _linear(terms: Sequence[_Term]) -> cp_model.LinearExpr:
    variables = [(c, v) for c, v in terms if v is not None]
    constant = sum(c for c, v in terms if v is None)
    return cp_model.LinearExpr.weighted_sum([v for _c, v in variables], [c for c, _v in variables]) + constant


def _at_most(m: cp_model.CpModel, terms: Sequence[_Term], bound: int) -> None:
    """Σ terms ≤ bound, unless every term is a constant (the prechecks have judged those)."""
    if any(v is not None for _c, v in terms):
        m.add(_linear(terms) <= bound)


# --- (1) placement ---------------------------------------------------------------------------------------


def _place(problem: Problem, index: _Index, seconds: float) -> tuple[int, dict[str, tuple[int, int]] | None]:
    """CP-SAT's status and the (day, slot) of every open region, or None when there is no placement."""
    m = cp_model.CpModel()
    slots, cap, days = problem.slots, problem.daily_cap, len(problem.days)
    at: dict[tuple[str, int, int], cp_model.IntVar] = {}
    # What each (day, slot) holds: the panel size of each region placed there (confirmed ones constant).
    in_slot: dict[tuple[int, int], list[_Term]] = {}
    member_in: dict[tuple[str, int, int], list[_Term]] = {}
    sessions_on: list[list[_Term]] = [[] for _ in range(days)]
    kept: list[cp_model.IntVar] = []
    for region in problem.regions:
        size = max(problem.panel_size, len(region.members))
        if region.confirmed is not None:
            d, s = index.placement(region)
            in_slot.setdefault((d, s), []).append((len(region.members), None))
            sessions_on[d].append((1, None))
            for member in region.members:
                member_in.setdefault((member, d, s), []).append((1, None))
            continue
        choices = []
        for d in index.allowed[region.key]:
            for s in range(slots):
                var = m.new_bool_var(f"at[{region.key},{d},{s}]")
                at[region.key, d, s] = var
                choices.append(var)
                in_slot.setdefault((d, s), []).append((size, var))
                sessions_on[d].append((1, var))
                for member in region.members:
                    member_in.setdefault((member, d, s), []).append((1, var))
        m.add_exactly_one(choices)
        previous = region.previous
        if previous is not None and previous.day in index.day_of:
            same = at.get((region.key, index.day_of[previous.day], previous.slot))
            if same is not None:
                m.add_hint(same, True)
                kept.append(same)
    # Panels need distinct assessors free that day: per slot one seat each, per day the cap each.
    per_day: list[list[_Term]] = [[] for _ in range(days)]
    for (d, _s), terms in in_slot.items():
        _at_most(m, terms, len(index.free[d]))
        per_day[d] += terms
    for d, terms in enumerate(per_day):
        _at_most(m, terms, cap * len(index.free[d]))
    member_on: dict[tuple[str, int], list[_Term]] = {}
    for (member, d, _s), terms in member_in.items():
        _at_most(m, terms, 1)
        member_on.setdefault((member, d), []).extend(terms)
    for terms in member_on.values():
        _at_most(m, terms, cap)
    # The busiest day cannot hold fewer than the mean (nor than one day's confirmed sessions): stated,
    # reaching it ends the search. Then as few earlier placements moved as can be.
    confirmed_on = [sum(c for c, v in terms if v is None) for terms in sessions_on]
    least = max(-(-len(problem.regions) // max(1, days)), *confirmed_on)
    busiest = m.new_int_var(least, len(problem.regions), "busiest_day")
    for terms in sessions_on:
        if any(v is not None for _c, v in terms):
            m.add(_linear(terms) <= busiest)
    m.minimize(busiest * (len(kept) + 1) - cp_model.LinearExpr.sum(kept))
    solver = _solver(problem, seconds, presolve=False)
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(status), None
    when = {r: (d, s) for (r, d, s), var in at.items() if solver.boolean_value(var)}
    return int(status), when


# --- (2) panels ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    when: dict[str, tuple[int, int]]
    added: dict[str, tuple[str, ...]]
    optimal: bool


def _spread(m: cp_model.CpModel, index: _Index, sits: dict[str, list[cp_model.IntVar]]) -> None:
    """Minimise max − min of the pool's loads (fixed sessions and ``sits``), stating the bounds the solver
    would otherwise have to find."""
    pool = index.pool
    loads = {key: cp_model.LinearExpr.sum(sits.get(key, [])) + index.fixed_load[key] for key in pool}
    if not pool:
        return
    most = index.pool_total
    hi, lo = m.new_int_var(0, most, "max_load"), m.new_int_var(0, most, "min_load")
    for key in pool:
        m.add(hi >= loads[key])
        m.add(lo <= loads[key])
    m.add(hi * len(pool) >= index.pool_total)
    m.add(lo * len(pool) <= index.pool_total)
    spread = m.new_int_var(index.lower_bound, most, "spread")
    m.add(spread == hi - lo)
    m.minimize(spread)


def _fill(
    problem: Problem, index: _Index, when: dict[str, tuple[int, int]], seconds: float
) -> _Answer | None:
    m = cp_model.CpModel()
    cap = problem.daily_cap
    busy: dict[tuple[str, int, int], int] = {}
    day_use: dict[tuple[str, int], int] = {}
    for region in problem.regions:
        d, s = index.placement(region) if region.confirmed is not None else when[region.key]
        for member in region.members:
            busy[member, d, s] = busy.get((member, d, s), 0) + 1
            day_use[member, d] = day_use.get((member, d), 0) + 1
    seat: dict[tuple[str, str], cp_model.IntVar] = {}
    in_slot: dict[tuple[str, int, int], list[cp_model.IntVar]] = {}
    in_day: dict[tuple[str, int], list[cp_model.IntVar]] = {}
    for region in index.open:
        d, s = when[region.key]
        choices = []
        for key in index.candidates[region.key]:
            if d in index.off[key] or (key, d, s) in busy:
                continue
            var = m.new_bool_var(f"seat[{region.key},{key}]")
            seat[region.key, key] = var
            choices.append(var)
            in_slot.setdefault((key, d, s), []).append(var)
            in_day.setdefault((key, d), []).append(var)
        if len(choices) < index.seats[region.key]:
            return None
        m.add(sum(choices) == index.seats[region.key])
    for uses in in_slot.values():
        if len(uses) > 1:
            m.add_at_most_one(uses)
    for (key, d), uses in in_day.items():
        if len(uses) + day_use.get((key, d), 0) > cap:
            m.add(sum(uses) <= cap - day_use.get((key, d), 0))
    sits: dict[str, list[cp_model.IntVar]] = {}
    for (_r, key), var in seat.items():
        sits.setdefault(key, []).append(var)
    _spread(m, index, sits)
    solver = _solver(problem, seconds, presolve=False)
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    added = {
        r.key: tuple(
            sorted(
                k
                for k in index.candidates[r.key]
                if (r.key, k) in seat and solver.boolean_value(seat[r.key, k])
            )
        )
        for r in index.open
    }
    return _Answer(when, added, status == cp_model.OPTIMAL)


# --- (3) the joint model ---------------------------------------------------------------------------------


def _joint(
    problem: Problem, index: _Index, hint: _Answer | None, seconds: float
) -> tuple[int, _Answer | None]:
    m = cp_model.CpModel()
    slots, cap = problem.slots, problem.daily_cap
    on_time: dict[str, list[cp_model.IntervalVar]] = {k: [] for k in index.off}
    on_day: dict[str, list[cp_model.IntervalVar]] = {k: [] for k in index.off}
    sits: dict[str, list[cp_model.IntVar]] = {}
    times: dict[str, cp_model.IntVar] = {}
    seat: dict[tuple[str, str], cp_model.IntVar] = {}
    for region in problem.regions:
        if region.confirmed is not None:
            d, s = index.placement(region)
            for member in region.members:
                on_time[member].append(m.new_fixed_size_interval_var(d * slots + s, 1, ""))
                on_day[member].append(m.new_fixed_size_interval_var(d, 1, ""))
            continue
        allowed = index.allowed[region.key]
        t = m.new_int_var_from_domain(
            cp_model.Domain.from_values([d * slots + s for d in allowed for s in range(slots)]),
            f"t[{region.key}]",
        )
        day = m.new_int_var_from_domain(cp_model.Domain.from_values(allowed), f"day[{region.key}]")
        slot = m.new_int_var(0, slots - 1, f"slot[{region.key}]")
        m.add(t == slots * day + slot)
        times[region.key] = t
        for member in region.members:
            on_time[member].append(m.new_fixed_size_interval_var(t, 1, ""))
            on_day[member].append(m.new_fixed_size_interval_var(day, 1, ""))
        choices = []
        for key in index.candidates[region.key]:
            var = m.new_bool_var(f"seat[{region.key},{key}]")
            seat[region.key, key] = var
            choices.append(var)
            sits.setdefault(key, []).append(var)
            on_time[key].append(m.new_optional_fixed_size_interval_var(t, 1, var, ""))
            on_day[key].append(m.new_optional_fixed_size_interval_var(day, 1, var, ""))
        m.add(sum(choices) == index.seats[region.key])
        if hint is not None:
            d, s = hint.when[region.key]
            m.add_hint(t, d * slots + s)
            for key in index.candidates[region.key]:
                m.add_hint(seat[region.key, key], key in hint.added[region.key])
    for key in index.off:
        blocks = [m.new_fixed_size_interval_var(d * slots, slots, "") for d in sorted(index.off[key])]
        if len(on_time[key]) > 1:
            m.add_no_overlap(on_time[key] + blocks)
        if cap < slots and len(on_day[key]) > cap:
            m.add_cumulative(on_day[key], [1] * len(on_day[key]), cap)
    _spread(m, index, sits)
    solver = _solver(problem, seconds, presolve=True)
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(status), None
    when = {r: (solver.value(t) // slots, solver.value(t) % slots) for r, t in times.items()}
    added = {
        r.key: tuple(sorted(k for k in index.candidates[r.key] if solver.boolean_value(seat[r.key, k])))
        for r in index.open
    }
    return int(status), _Answer(when, added, status == cp_model.OPTIMAL)


# --- the answer ------------------------------------------------------------------------------------------


def _loads(problem: Problem, sessions: Iterable[Session]) -> dict[str, int]:
    loads = {a.key: 0 for a in problem.assessors}
    for session in sessions:
        for key in session.panel:
            loads[key] += 1
    return loads


def _spread_of(problem: Problem, index: _Index, answer: _Answer) -> int:
    loads = dict(index.fixed_load)
    for added in answer.added.values():
        for key in added:
            loads[key] += 1
    pool = [loads[k] for k in index.pool]
    return max(pool) - min(pool) if pool else 0


def solve(problem: Problem) -> Schedule:
    """The schedule of ``problem`` with the most balanced loads found within its time limit; raises
    :class:`InfeasibleSchedule` with the reasons when there is none."""
    started = time.perf_counter()
    index = _Index(problem)
    reasons = _precheck(problem, index)
    if reasons:
        raise InfeasibleSchedule(reasons)

    def left() -> float:
        return problem.time_limit - (time.perf_counter() - started)

    status, when = _place(problem, index, left() * 0.4)
    if when is None:
        kind = ReasonKind.NO_SOLUTION if status == cp_model.INFEASIBLE else ReasonKind.TIMEOUT
        raise InfeasibleSchedule([Reason(kind, limit=round(problem.time_limit))])
    answer = _fill(problem, index, when, left() * 0.6)
    method = "two-stage"
    if answer is None or not answer.optimal:
        status, joint = _joint(problem, index, answer, left())
        if joint is not None and (
            answer is None or _spread_of(problem, index, joint) <= _spread_of(problem, index, answer)
        ):
            answer, method = joint, "joint"
        elif answer is None:
            kind = ReasonKind.NO_SOLUTION if status == cp_model.INFEASIBLE else ReasonKind.TIMEOUT
            raise InfeasibleSchedule([Reason(kind, limit=round(problem.time_limit))])
    sessions = []
    for region in problem.regions:
        added: tuple[str, ...] = ()
        if region.confirmed is not None:
            placement = region.confirmed
        else:
            d, s = answer.when[region.key]
            placement, added = Placement(problem.days[d], s), answer.added[region.key]
        sessions.append(
            Session(
                region=region.key,
                day=placement.day,
                slot=placement.slot,
                panel=(*region.members, *added),
                added=added,
                confirmed=region.confirmed is not None,
            )
        )
    loads = _loads(problem, sessions)
    pool = [loads[k] for k in index.pool]
    spread = max(pool) - min(pool) if pool else 0
    return Schedule(
        sessions=tuple(sessions),
        loads=tuple(loads.items()),
        spread=spread,
        optimal=answer.optimal or spread == index.lower_bound,
        seconds=time.perf_counter() - started,
        method=method,
    )


@dataclass(frozen=True, slots=True)
class Checks:
    """Every broken constraint of a schedule, counted: all zero, and ``spread`` ≤ 1, for a good one."""

    missing: int  # regions without exactly one session
    double_bookings: int
    conflicts: int  # assessors added despite a conflict of interest (or twice)
    over_cap: int
    unavailable: int  # sessions on a day the region or a panel member is unavailable, or off the window
    short_panels: int
    spread: int


def check_schedule(problem: Problem, schedule: Schedule) -> Checks:
    """Counts the broken constraints of ``schedule`` independently of the models (tests, benchmarks)."""
    regions = {r.key: r for r in problem.regions}
    unavailable = {a.key: a.unavailable for a in problem.assessors}
    scheduled = [s.region for s in schedule.sessions]
    missing = len(set(regions) - set(scheduled)) + len(scheduled) - len(set(scheduled))
    slot_use: dict[tuple[str, date, int], int] = {}
    day_use: dict[tuple[str, date], int] = {}
    conflicts = short = off = 0
    for session in schedule.sessions:
        region = regions[session.region]
        conflicts += sum(1 for a in session.added if a in region.conflicts or a in region.members)
        short += int(not session.confirmed and len(set(session.panel)) < problem.panel_size)
        off += int(session.day in region.unavailable)
        off += int(session.day not in problem.days or not 0 <= session.slot < problem.slots)
        for a in session.panel:
            slot_use[a, session.day, session.slot] = slot_use.get((a, session.day, session.slot), 0) + 1
            day_use[a, session.day] = day_use.get((a, session.day), 0) + 1
            off += int(session.day in unavailable[a])
    loads = _loads(problem, schedule.sessions)
    pool = [loads[a.key] for a in problem.assessors if a.in_pool]
    return Checks(
        missing=missing,
        double_bookings=sum(n - 1 for n in slot_use.values() if n > 1),
        conflicts=conflicts,
        over_cap=sum(n - problem.daily_cap for n in day_use.values() if n > problem.daily_cap),
        unavailable=off,
        short_panels=short,
        spread=max(pool) - min(pool) if pool else 0,
    )
