"""Honest intervals (issue 10, item 7): the exact t quantile at Welch's fractional degrees of freedom, and
intervals that leave the 1–4 scale cut back to it and marked."""

import math
from decimal import Decimal

import pytest
from scipy.stats import t as student_t

from kotacerdas.survey.stats import DimensionStats, _impact, estimate, t95, t_interval
from tests.survey.conftest import make_body


@pytest.mark.parametrize("df", [1.0, 1.0001, 1.3, 2.5, 7.77, 29.5, 48.2])
def test_the_t_quantile_is_exact_at_fractional_degrees_of_freedom(df: float) -> None:
    assert t95(df) == pytest.approx(float(student_t.ppf(0.975, df)), rel=1e-12)


def test_the_t_quantile_between_one_and_two_degrees_of_freedom() -> None:
    # The former Cornish–Fisher expansion gave 9.71 just above df 1 (exact: 12.70) and 3.52 at 2.5 (3.57).
    assert t95(1.0001) == pytest.approx(12.7032, abs=1e-3)
    assert t95(2.5) == pytest.approx(3.5747, abs=1e-3)


def test_the_issues_example_is_exact_and_cut_back_to_the_scale() -> None:
    # Issue 10: at df 1.0 the Impact interval around 2.92 was shown as 0.49–5.35; exact it is −0.25–6.09,
    # which says no more than the scale itself: shown as 1.00–4.00, marked clipped.
    interval = t_interval(2.92, 0.2495, 1.0)
    assert (interval.raw_low, interval.raw_high) == (Decimal("-0.25"), Decimal("6.09"))
    assert (interval.low, interval.high, interval.clipped) == (Decimal("1.00"), Decimal("4.00"), True)


def test_impact_with_one_dominant_smart_dimension_has_one_degree_of_freedom_and_is_clipped() -> None:
    # Five smart dimensions without variation and one of two respondents: Welch's df is exactly 1.
    variance = 2 * (6 * 0.2495) ** 2
    dimensions = [DimensionStats(f"d{i}", {}, 50, Decimal("2.92"), None, None, 0.0) for i in range(5)]
    dimensions.append(DimensionStats("d5", {}, 2, Decimal("2.92"), None, None, variance))
    impact = _impact(dimensions)
    assert (impact.mean, impact.low, impact.high, impact.clipped) == (
        Decimal("2.92"),
        Decimal("1.00"),
        Decimal("4.00"),
        True,
    )


def test_an_interval_inside_the_scale_is_not_marked() -> None:
    e = estimate({2: 10, 3: 20, 4: 10})
    half = t95(39) * math.sqrt((20 / 39) / 40)
    assert not e.clipped and (e.low, e.high) == (Decimal(f"{3 - half:.2f}"), Decimal(f"{3 + half:.2f}"))


def test_a_question_answered_4_by_all_but_one_is_cut_back_at_4() -> None:
    e = estimate({4: 2, 1: 1})  # mean 3, s = sqrt(3), n = 3: 3 ± 4.30 × 1.0
    assert (e.low, e.high, e.clipped) == (Decimal("1.00"), Decimal("4.00"), True)
    assert estimate({4: 5}).clipped is False  # no variation: 4.00–4.00


def test_the_survey_page_says_when_an_interval_was_cut_back(  # type: ignore[no-untyped-def]
    client, admin_user, links, post
) -> None:
    # Two respondents who disagree: every interval reaches far past the scale.
    for i, values in enumerate([[4, 4, 4, 4, 4, 4, 4, 4, 4], [1, 2, 1, 2, 1, 2, 1, 2, 1]]):
        post(links["smart_governance"], make_body(values), REMOTE_ADDR=f"10.0.1.{i}")
    client.force_login(admin_user)
    page = client.get("/survei/2031/51.03/").content.decode()
    assert "1,00–4,00 · n=2 · dibatasi ke skala 1–4" in page  # Impact
    assert "1,00–4,00 (dibatasi ke skala 1–4)" in page  # Smart Governance
    assert "1,00–4,00*" in page  # its questions
    assert "Interval kepercayaan dibatasi ke skala 1–4" in page
