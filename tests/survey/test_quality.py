"""Quality flags (issue 12, item 9): the rules one by one, the labelled simulation's thresholds with a fixed
seed, and the same events sent through the real service giving the same flags as the pure evaluation."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import override_settings

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.survey import quality, services, simulation
from kotacerdas.survey.models import Review, SurveyLink, SurveyResponse
from kotacerdas.survey.submission import Submission, keyed_hash

T0 = datetime(2031, 3, 2, 9, tzinfo=UTC)
MEDIAN_MS = 150_000


# --- contacts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spellings", "expected"),
    [
        (["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "0062 812 3456 7890",
          "+62 (0)812-3456-7890", "812 3456 7890", "(0812) 34567890", "081234567890 "], "+6281234567890"),
        (["budi.santoso@gmail.com", "BudiSantoso@gmail.com", "b.u.d.i.santoso+survei@gmail.com",
          "budisantoso+1@googlemail.com", " budisantoso@GMAIL.COM"], "budisantoso@gmail.com"),
        (["rina.wati+kc@pemda.go.id", "Rina.Wati@pemda.go.id"], "rina.wati@pemda.go.id"),
        (["+44 20 7946 0958", "0044 20 7946 0958"], "+442079460958"),
    ],
)  # fmt: skip
def test_one_person_has_one_spelling_of_a_contact(spellings: list[str], expected: str) -> None:
    assert {quality.normalise_contact(s) for s in spellings} == {expected}


def test_different_people_keep_different_contacts() -> None:
    # Dots matter outside Gmail; another number is another person; text that is not a contact stays text.
    assert quality.normalise_contact("rina.wati@pemda.go.id") != quality.normalise_contact(
        "rinawati@pemda.go.id"
    )
    assert quality.normalise_contact("0812-3456-7890") != quality.normalise_contact("0812-3456-7891")
    assert quality.normalise_contact("  Pak  RT 05 ") == "pak rt 05"
    assert quality.normalise_contact("") == ""


# --- the rules ---------------------------------------------------------------------------------------------


def _earlier(n: int, *, at: datetime = T0, pattern: str = "342343423", **kw: Any) -> list[quality.Earlier]:
    """``n`` unremarkable earlier responses on link 1, a day before ``at``, one device each."""
    return [
        quality.Earlier(
            MEDIAN_MS, pattern, f"d{i}", at - timedelta(days=1, minutes=i), key=i + 1, link=1, **kw
        )
        for i in range(n)
    ]


def _candidate(
    pattern: str, *, seconds: float = 150, client: str = "new", at: datetime = T0, **kw: Any
) -> Any:
    return quality.Candidate(
        int(seconds * 1000), pattern, client, at, started_at=at - timedelta(seconds=seconds), link=1, **kw
    )


def test_near_straight_lining_with_one_varied_answer_is_flagged_when_not_read() -> None:
    verdict = quality.assess(_candidate("444434444", seconds=90), _earlier(20), None)
    assert verdict.flags.straight_line


def test_a_satisfied_citizen_answering_all_4s_at_a_reading_pace_passes() -> None:
    assert not quality.assess(_candidate("444444444", seconds=160), _earlier(20), None).flags


def test_a_duplicate_with_one_answer_changed_from_the_same_device_is_flagged_and_the_first_counts() -> None:
    earlier = [
        *_earlier(20),
        quality.Earlier(MEDIAN_MS, "342343423", "phone", T0 - timedelta(hours=3), key=99, link=1),
    ]
    verdict = quality.assess(_candidate("342343424", client="phone"), earlier, None)
    assert verdict.flags.same_client and verdict.earlier == {}


def test_two_household_members_on_one_phone_pass_and_a_third_answer_sends_all_to_review() -> None:
    first = quality.Earlier(
        MEDIAN_MS, "342343423", "phone", T0 - timedelta(minutes=20), key=90, link=1, contact_hash="+62812"
    )
    verdict = quality.assess(
        _candidate("231214332", client="phone", contact_hash="+62812"), [*_earlier(20), first], None,
        region=[first], same_contact=[first],
    )  # fmt: skip
    assert not verdict.flags
    second = quality.Earlier(MEDIAN_MS, "231214332", "phone", T0, key=91, link=1, contact_hash="+62812")
    third = quality.assess(
        _candidate("412343243", at=T0 + timedelta(hours=1), contact_hash="+62812"),
        [*_earlier(20), first, second], None, same_contact=[first, second],
    )  # fmt: skip
    assert third.flags.repeat_contact
    assert third.earlier == {90: quality.Flags(repeat_contact=True), 91: quality.Flags(repeat_contact=True)}


def test_a_start_time_moved_back_is_caught_by_the_devices_previous_response() -> None:
    previous = quality.Earlier(MEDIAN_MS, "443434443", "script", T0 - timedelta(seconds=30), key=7, link=2)
    verdict = quality.assess(
        _candidate("434344434", client="script", seconds=180), _earlier(20), None, region=[previous]
    )
    assert verdict.flags.same_client and verdict.flags.speeder  # 30 s since the last one arrived, not 180
    assert verdict.earlier == {7: quality.Flags(same_client=True)}


def test_a_slow_burst_round_the_regions_links_is_flagged_but_a_wave_on_one_link_is_not() -> None:
    slow = [
        quality.Earlier(MEDIAN_MS, "343434343", f"r{i}", T0 - timedelta(minutes=4 * i), key=i + 1, link=i % 6)
        for i in range(1, 18)
    ]
    verdict = quality.assess(_candidate("434343434"), [], None, region=slow)
    assert verdict.flags.burst and set(verdict.earlier) == {e.key for e in slow}
    wave = [
        quality.Earlier(MEDIAN_MS, "343434343", f"w{i}", T0 - timedelta(minutes=5 * i), key=i + 1,
                        link=1 if i > 3 else i + 1)
        for i in range(1, 18)
    ]  # fmt: skip
    assert not quality.assess(_candidate("434343434"), [], None, region=wave).flags.burst


# --- the simulation ----------------------------------------------------------------------------------------


def test_the_flags_catch_nine_in_ten_of_every_fraud_and_flag_at_most_one_in_twenty_genuine() -> None:
    events = simulation.simulate(simulation.Config())
    score = simulation.score(events, simulation.evaluate(events))
    print("\n" + "\n".join(score.lines()))
    for kind in simulation.FRAUD_KINDS:
        flagged, count = score.by_kind[kind]
        assert count and flagged / count >= 0.9, (kind, flagged, count)
    assert score.genuine_flagged <= 0.05
    # The honest patterns the issue names: a household pair and most satisfied citizens pass.
    assert score.by_kind["household"][0] / score.by_kind["household"][1] <= 0.25
    assert score.by_kind["satisfied_all_4"][0] / score.by_kind["satisfied_all_4"][1] <= 0.5


@pytest.mark.slow
@override_settings(SURVEY_RECOMPUTE_EVERY="off")
def test_the_service_flags_the_simulated_responses_as_the_pure_evaluation_does(make_cycle: Any) -> None:
    cycle = make_cycle(2032)
    regions = ["51.03", "32.73"]
    links: dict[tuple[int, int], SurveyLink] = {}
    for r, code in enumerate(regions):
        participation = Participation.objects.get(cycle=cycle, region__code=code)
        for i, link in enumerate(services.ensure_links(participation, actor=CLI)):
            links[(r, i)] = link
    questions = {key: services.survey_questions(link) for key, link in links.items()}
    events = simulation.simulate(simulation.Config(regions=2, per_link=12, days=7, seed=7))
    expected = simulation.evaluate(events)
    stored: dict[int, str] = {}
    for event in events:
        # The service keeps a dimension's median for a minute; simulated time runs faster.
        services.MEDIANS.clear()
        numbers = [q.number for q in questions[(event.region, event.link)]]
        contact = quality.normalise_contact(event.contact)
        submission = Submission(
            submission_id=str(uuid.uuid4()),
            answers=dict(zip(numbers, event.answers, strict=True)),
            started_at=event.started_at,
            completed_at=event.at,
            contact_hash=keyed_hash("contact", contact) if contact else "",
            consent=bool(contact),
        )
        outcome = services.submit_response(
            links[(event.region, event.link)], submission, questions=questions[(event.region, event.link)],
            client_hash=event.client, now=event.at,
        )  # fmt: skip
        assert outcome == services.Outcome.STORED
        stored[event.key] = submission.submission_id
    responses = {r.response_id: r for r in SurveyResponse.objects.filter(participation__cycle=cycle)}
    got = {key: responses[sid].flags for key, sid in stored.items()}
    assert got == {key: flags.names() for key, flags in expected.items()}
    # A flagged response waits for an admin; the quota counts exactly the included ones.
    assert all((r.review == Review.PENDING) == bool(r.flags or r.over_quota) for r in responses.values())
    for link in links.values():
        link.refresh_from_db()
        assert link.quota_used == link.responses.filter(included=True).count()
    score = simulation.score(events, expected)
    assert score.fraud_recall >= 0.9
