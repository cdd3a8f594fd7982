"""n, mean (half-up) and 95 % intervals per question, smart dimension and Impact; rate settings."""

import math
from decimal import Decimal
from typing import Any

import pytest

from kotacerdas.survey.models import SurveyLink
from kotacerdas.survey.rates import Rate, RateError, env_rate, parse_rate
from kotacerdas.survey.stats import estimate, survey_stats, t95
from tests.survey.conftest import make_body


def test_t_quantiles() -> None:
    assert math.isclose(t95(1), 12.7062, abs_tol=1e-4) and math.isclose(t95(30), 2.0423, abs_tol=1e-4)
    assert math.isclose(t95(49), 2.0096, abs_tol=1e-4)
    assert math.isclose(t95(1000), 1.9623, abs_tol=1e-4)
    assert t95(0) == math.inf


def test_a_question_estimate_rounds_half_up_and_has_a_t_interval() -> None:
    # 1 × 2, 2 × 3, 1 × 4 → mean 3, s = sqrt(2/3), n = 4, t(3) = 3.182
    e = estimate({2: 1, 3: 2, 4: 1})
    assert (e.n, e.mean) == (4, Decimal("3.00"))
    half = 3.1824 * math.sqrt((2 / 3) / 4)
    # 3 + 1.30 = 4.30 leaves the 1–4 scale: cut back to 4.00 and marked.
    assert (e.low, e.high, e.clipped) == (Decimal(f"{3 - half:.2f}"), Decimal("4.00"), True)
    assert estimate({3: 1, 4: 7}).mean == Decimal("3.88")  # 3.875 → 3.88
    assert estimate({4: 1}).low is None


def test_survey_stats_per_dimension_and_impact(links: dict[str, SurveyLink], post: Any) -> None:
    for i, values in enumerate(
        [[3, 4, 3, 2, 4, 3, 3, 4, 2], [2, 3, 3, 2, 4, 3, 3, 4, 1], [4, 4, 3, 3, 4, 3, 2, 4, 3]]
    ):
        post(links["smart_governance"], make_body(values), REMOTE_ADDR=f"10.0.0.{i}")
    stats = survey_stats(links["smart_governance"].participation)
    governance = stats.dimensions[0]
    assert governance.respondents == 3 and governance.questions[50].n == 3
    assert governance.questions[50].mean == Decimal("3.00")
    assert governance.low is not None and governance.low < governance.mean < governance.high  # type: ignore[operator]
    assert stats.impact.mean == governance.mean and stats.impact.n == 3


@pytest.mark.parametrize("text, rate", [("20/h", Rate(20, 3600)), ("5/10m", Rate(5, 600)), ("off", None)])
def test_rate_settings(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["20", "20/week", "0/h", "lots"])
def test_a_malformed_rate_fails_loudly_naming_the_variable(text: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("KOTACERDAS_SURVEY_RATE_LIMIT", text)
    with pytest.raises(RateError, match="KOTACERDAS_SURVEY_RATE_LIMIT"):
        env_rate("KOTACERDAS_SURVEY_RATE_LIMIT", "20/h")
