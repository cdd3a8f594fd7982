"""The policy is one table (cycles.policy.POLICY): every action, who, which stages, which windows.

The tests below are generated from the table itself and checked against real users and participations:
each relation in an action's ``who`` is allowed (in a stage and window that fit), each other one refused.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from kotacerdas.accounts.models import User
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation, Stage
from kotacerdas.cycles.policy import (
    POLICY,
    Action,
    NotAllowed,
    Relation,
    may,
    relations,
    require,
)
from kotacerdas.review.models import Assignment
from kotacerdas.review.services import assign_assessor, ensure_assessor_profile


def test_every_action_has_exactly_one_rule() -> None:
    assert set(POLICY) == set(Action)


def test_only_participation_rules_name_stages_and_windows() -> None:
    for action, rule in POLICY.items():
        if rule.cycle_wide:
            assert rule.who <= {Relation.ADMIN, Relation.SYSTEM}, action
            assert not rule.windows, action


@pytest.fixture
def world(
    make_cycle: Callable[..., Cycle],
    operator_a: User,
    operator_b: User,
    admin_user: User,
    assessor_user: User,
    unassigned_assessor: User,
) -> dict[str, Any]:
    cycle = make_cycle(2030, open_windows=True)
    badung = cycle.participations.get(region__code="51.03")
    seat, _ = assign_assessor(badung, ensure_assessor_profile(assessor_user), actor=CLI)
    return {
        "cycle": cycle,
        "badung": badung,
        "seat": seat,
        "actors": {
            Relation.ADMIN: admin_user,
            Relation.OPERATOR: operator_a,
            Relation.REVIEWING: assessor_user,
            Relation.SYSTEM: CLI,
        },
        "outsiders": [operator_b, unassigned_assessor, AnonymousUser()],
    }


def _target(world: dict[str, Any], action: Action) -> Cycle | Participation:
    rule = POLICY[action]
    if rule.cycle_wide:
        return world["cycle"]
    badung: Participation = world["badung"]
    badung.stage = sorted(rule.stages)[0]
    return badung


@pytest.mark.parametrize("action", list(Action))
def test_the_table_decides_who_may(action: Action, world: dict[str, Any]) -> None:
    rule = POLICY[action]
    target = _target(world, action)
    for relation, actor in world["actors"].items():
        # A reviewing assessor is on the panel too: PANEL is satisfied by the same person.
        holds = relation in rule.who or (relation == Relation.REVIEWING and Relation.PANEL in rule.who)
        if rule.cycle_wide and relation in (Relation.OPERATOR, Relation.REVIEWING):
            holds = False
        assert bool(may(actor, action, target)) == holds, (action, relation)
    for outsider in world["outsiders"]:
        decision = may(outsider, action, target)
        assert not decision and decision.reason, (action, outsider)


@pytest.mark.parametrize("action", [a for a, r in POLICY.items() if r.stages != frozenset(Stage)])
def test_the_table_decides_in_which_stages(action: Action, world: dict[str, Any]) -> None:
    rule = POLICY[action]
    badung: Participation = world["badung"]
    actor = next(a for r, a in world["actors"].items() if r in rule.who or r == Relation.REVIEWING)
    for stage in Stage:
        badung.stage = stage
        decision = may(actor, action, badung)
        assert bool(decision) == (stage in rule.stages), (action, stage)
        if stage not in rule.stages:
            assert decision.reason == str(rule.wrong_stage)


@pytest.mark.parametrize("action", [a for a, r in POLICY.items() if r.windows])
def test_a_person_is_bound_by_the_windows_a_loader_is_not(action: Action, world: dict[str, Any]) -> None:
    rule = POLICY[action]
    cycle: Cycle = world["cycle"]
    badung = _target(world, action)
    person = next(
        a
        for r, a in world["actors"].items()
        if r != Relation.SYSTEM and (r in rule.who or r == Relation.REVIEWING)
    )
    later = timezone.now() + timedelta(days=60)  # every window of the test cycle has closed by then
    decision = may(person, action, badung, now=later)
    assert not decision and "ditutup" in decision.reason
    assert cycle.window_is_open(rule.windows[0])
    if Relation.SYSTEM in rule.who:
        assert may(CLI, action, badung, now=later)


def test_an_assessor_who_submitted_is_told_so(world: dict[str, Any], assessor_user: User) -> None:
    badung: Participation = world["badung"]
    badung.stage = Stage.UNDER_REVIEW
    Assignment.objects.filter(pk=world["seat"].pk).update(submitted_at=timezone.now())
    assert relations(assessor_user, badung) == {Relation.PANEL}
    decision = may(assessor_user, Action.SCORE, badung)
    assert not decision and "sudah dikirim" in decision.reason
    assert may(assessor_user, Action.AGREE, badung)  # still on the panel


def test_a_cycle_wide_action_needs_a_cycle(world: dict[str, Any], admin_user: User) -> None:
    with pytest.raises(TypeError):
        may(admin_user, Action.PUBLISH, world["badung"])
    with pytest.raises(TypeError):
        may(admin_user, Action.ANSWER, world["cycle"])


def test_require_raises_the_reason(world: dict[str, Any], operator_b: User) -> None:
    with pytest.raises(NotAllowed, match="operator daerah ini"):
        require(operator_b, Action.ANSWER, world["badung"])


def test_an_inactive_user_may_nothing(world: dict[str, Any], admin_user: User) -> None:
    admin_user.is_active = False
    assert not may(admin_user, Action.ASSIGN, world["badung"])
    assert relations(admin_user, world["badung"]) == set()


def test_a_cycle_in_preparation_is_closed_to_people_whatever_its_windows(
    world: dict[str, Any], operator_a: User
) -> None:
    cycle: Cycle = world["cycle"]
    badung: Participation = world["badung"]
    badung.stage = Stage.DRAFT
    assert may(operator_a, Action.ANSWER, badung)
    Cycle.objects.filter(pk=cycle.pk).update(opened_at=None)
    badung.cycle.refresh_from_db()
    decision = may(operator_a, Action.ANSWER, badung)
    assert not decision and "belum dibuka" in decision.reason
    assert may(CLI, Action.IMPORT_REVIEW, badung)  # loaders are not bound by it
