"""The rank robustness analysis: the engine's ranks without perturbation, seeded determinism, the survey
bootstrap and the panel scored as the engine scores, and the sensitivity index against SALib's."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from SALib.analyze.delta import sobol_first

from kotacerdas.scoring import (
    DimensionInput,
    QuestionInput,
    RegionInput,
    RobustnessRegion,
    SurveyDimension,
    analyse_ranks,
    first_order_index,
    rank,
    score_dimension,
    score_region,
    survey_score,
)
from kotacerdas.scoring._robustness import competition_ranks, rank_percentiles

REGULER = {
    "baseline": Decimal("0.10"),
    "output": Decimal("0.20"),
    "outcome": Decimal("0.30"),
    "impact": Decimal("0.20"),
    "quick_wins": Decimal("0.20"),
}
KPPN = {**REGULER, "outcome": Decimal("0.20"), "collaboration": Decimal("0.10")}
WEIGHTS = {"REGULER": REGULER, "KPPN IKN": KPPN}

scores_st = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("4.00"), places=2)


@st.composite
def regions_st(draw: st.DrawFn) -> list[RobustnessRegion]:
    n = draw(st.integers(min_value=1, max_value=25))
    out = []
    for i in range(n):
        track = draw(st.sampled_from(sorted(WEIGHTS)))
        scores: dict[str, Decimal | None] = {
            code: draw(st.none() | scores_st) if code == "collaboration" else draw(scores_st)
            for code in WEIGHTS[track]
        }
        out.append(RobustnessRegion(f"R{i}", track, scores))
    return out


def _engine_ranks(regions: list[RobustnessRegion]) -> dict[str, int]:
    finals = {}
    for r in regions:
        dimensions = tuple(DimensionInput(code, published=s) for code, s in r.scores.items() if s is not None)
        finals[r.key] = score_region(RegionInput(r.key, WEIGHTS[r.track], dimensions)).final
    return rank(finals)


@settings(max_examples=40, deadline=None)
@given(regions_st(), st.integers(min_value=0, max_value=2**32))
def test_without_perturbation_every_interval_collapses_to_the_engines_rank(
    regions: list[RobustnessRegion], seed: int
) -> None:
    outcome = analyse_ranks(regions, WEIGHTS, draws=20, seed=seed, concentration=None)
    expected = _engine_ranks(regions)
    assert {i.key: (i.rank, i.median, i.low, i.high) for i in outcome.intervals} == {
        key: (r, r, r, r) for key, r in expected.items()
    }
    assert outcome.sensitivity == {}


def test_finals_round_half_up_as_the_engine_does() -> None:
    # 0.10 × 3.55 + 0.20 × 1.00 × 3 + 0.30 × 1.00 = 1.255 → 1.26, above B's 1.25: A ranks first, alone.
    a = RobustnessRegion(
        "A",
        "REGULER",
        {"baseline": Decimal("3.55"), **{c: Decimal("1.00") for c in REGULER if c != "baseline"}},
    )
    b = RobustnessRegion(
        "B",
        "REGULER",
        {"baseline": Decimal("3.50"), **{c: Decimal("1.00") for c in REGULER if c != "baseline"}},
    )
    outcome = analyse_ranks([b, a], WEIGHTS, draws=5, concentration=None)
    assert [(i.key, i.rank, i.low, i.high) for i in outcome.intervals] == [("B", 2, 2, 2), ("A", 1, 1, 1)]


def test_competition_ranks_share_equal_finals() -> None:
    finals = np.array([[300, 250, 250, 100], [100, 100, 100, 100]], dtype=np.int64)
    assert competition_ranks(finals).tolist() == [[1, 2, 2, 4], [1, 1, 1, 1]]


def _field(n: int = 30) -> list[RobustnessRegion]:
    rng = np.random.default_rng(5)
    return [
        RobustnessRegion(
            f"R{i:02}",
            "REGULER" if i % 3 else "KPPN IKN",
            {
                code: Decimal(int(rng.integers(150, 400))) / 100
                for code in WEIGHTS["REGULER" if i % 3 else "KPPN IKN"]
            },
        )
        for i in range(n)
    ]


def test_the_same_seed_gives_the_same_result_and_another_seed_another() -> None:
    regions = _field()
    first = analyse_ranks(regions, WEIGHTS, draws=400, seed=11)
    again = analyse_ranks(regions, WEIGHTS, draws=400, seed=11)
    other = analyse_ranks(regions, WEIGHTS, draws=400, seed=12)
    assert first == again
    assert first.sensitivity != other.sensitivity
    assert any(i.low < i.rank or i.high > i.rank for i in first.intervals)
    for i in first.intervals:
        assert 1 <= i.low <= i.median <= i.high <= len(regions)
    assert set(first.sensitivity) == {"KPPN IKN", "REGULER"}
    assert set(first.sensitivity["KPPN IKN"]) == set(KPPN)
    assert all(0 <= v <= 1 for indices in first.sensitivity.values() for v in indices.values())


def test_only_the_weights_of_the_dimensions_that_differ_explain_the_ranks() -> None:
    # Regions differ only in outcome and quick wins: the order depends on the ratio of those two weights
    # alone (a Dirichlet's ratio g_q / g_o is independent of the other gammas).
    rng = np.random.default_rng(1)
    regions = [
        RobustnessRegion(
            f"R{i}",
            "REGULER",
            {
                "baseline": Decimal("2.00"),
                "output": Decimal("2.00"),
                "outcome": Decimal(int(rng.integers(100, 400))) / 100,
                "impact": Decimal("2.00"),
                "quick_wins": Decimal(int(rng.integers(240, 260))) / 100,
            },
        )
        for i in range(40)
    ]
    indices = analyse_ranks(regions, WEIGHTS, draws=2000, seed=3).sensitivity["REGULER"]
    assert min(indices["outcome"], indices["quick_wins"]) > 0.1, indices
    assert max(indices["baseline"], indices["output"], indices["impact"]) < 0.03, indices


@pytest.mark.parametrize("n", [40, 1000, 5000])
def test_first_order_index_equals_salibs_estimator(n: int) -> None:
    rng = np.random.default_rng(n)
    x = rng.random(n)
    y = np.floor(10 * x + rng.normal(0, 3, n))
    exponent = 2.0 / (7.0 + np.tanh((1500.0 - n) / 500.0))
    cells = int(np.round(min(int(np.ceil(n**exponent)), 48)))
    expected = sobol_first(y, x, np.linspace(0, n, cells + 1))
    assert first_order_index(x, y) == pytest.approx(expected, rel=1e-12)
    # Several outputs: the variance-weighted mean of their indices.
    y2 = np.stack([y, 3 * y + 1], axis=1)
    assert first_order_index(x, y2) == pytest.approx(expected, rel=1e-12)
    assert first_order_index(x, np.ones(n)) == 0.0


def _answers(rng: np.random.Generator, respondents: int, questions: int = 9) -> np.ndarray:
    answers = rng.integers(1, 5, size=(respondents, questions))
    answers[rng.random(answers.shape) < 0.05] = 0  # some left unanswered
    return answers


def test_survey_score_is_the_engines_impact_score() -> None:
    rng = np.random.default_rng(2)
    groups = tuple(_answers(rng, 50) for _ in range(6))
    fixed = (Decimal("3.00"),)
    questions = [
        QuestionInput.from_values(100 * g + q + 1, [int(v) for v in group[:, q] if v])
        for g, group in enumerate(groups)
        for q in range(group.shape[1])
    ]
    questions.append(QuestionInput(999, agreed=Decimal("3.00")))
    expected = score_dimension(DimensionInput("impact", tuple(questions)), Decimal("0.20")).score
    assert survey_score(SurveyDimension("impact", groups, fixed)) == expected


def test_a_survey_of_identical_respondents_does_not_move_the_ranks() -> None:
    regions = _field(10)
    same = np.full((40, 9), 3)
    surveyed = [
        RobustnessRegion(
            r.key, r.track, {**r.scores, "impact": Decimal("3.00")}, survey=SurveyDimension("impact", (same,))
        )
        for r in regions
    ]
    outcome = analyse_ranks(surveyed, WEIGHTS, draws=300, seed=4, concentration=None)
    assert outcome.survey_regions == 10
    assert all(i.low == i.high == i.rank for i in outcome.intervals)


def test_the_survey_bootstrap_moves_a_close_race_around_the_official_score() -> None:
    rng = np.random.default_rng(8)
    groups = tuple(_answers(rng, 50) for _ in range(6))
    survey = SurveyDimension("impact", groups)
    official = survey_score(survey)
    rest = {c: Decimal("2.50") for c in REGULER if c != "impact"}
    surveyed = RobustnessRegion("S", "REGULER", {**rest, "impact": official}, survey=survey)
    # Rivals just above and just below S's final: the bootstrap of S's respondents reorders them.
    rivals = [
        RobustnessRegion(f"R{k}", "REGULER", {**rest, "impact": official + Decimal(k) / 100}) for k in (-2, 2)
    ]
    outcome = analyse_ranks([surveyed, *rivals], WEIGHTS, draws=2000, seed=9, concentration=None)
    s = next(i for i in outcome.intervals if i.key == "S")
    # Finals 2.51 (R2), 2.50 (S, from 2.504) and 2.50 (R-2, sharing rank 2): resampling S's respondents
    # lifts it past R2 in more than 5 % of the draws, and rarely drops it below R-2.
    assert (s.rank, s.median, s.low, s.high) == (2, 2, 1, 2)
    assert outcome.survey_replicates == 200


def test_a_panel_draw_leaves_one_assessor_out() -> None:
    base = {c: Decimal("2.00") for c in REGULER}
    # Without assessor 1 the region's outcome drops below its rival's; without the others it stays above.
    panel = ({**base, "outcome": Decimal("1.50")}, base, base, base)
    region = RobustnessRegion("P", "REGULER", base, panel=panel)
    rival = RobustnessRegion("Q", "REGULER", {**base, "outcome": Decimal("1.90")})
    outcome = analyse_ranks([region, rival], WEIGHTS, draws=4000, seed=2, concentration=None)
    p = outcome.intervals[0]
    assert (p.rank, p.median, p.low, p.high) == (1, 1, 1, 2)
    assert outcome.panel_regions == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": 0}, "draws"),
        ({"concentration": 0.0}, "concentration"),
        ({"concentration": float("inf")}, "concentration"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        analyse_ranks(_field(3), WEIGHTS, **kwargs)  # type: ignore[arg-type]


def test_a_track_without_weights_is_refused() -> None:
    with pytest.raises(ValueError, match="no weights for track 'X'"):
        analyse_ranks([RobustnessRegion("A", "X", {"baseline": Decimal(1)})], WEIGHTS, draws=3)


@pytest.mark.parametrize("draws", [1, 7, 20, 1000, 10_000])
def test_rank_percentiles_by_counting_equal_numpys_inverted_cdf(draws: int) -> None:
    rng = np.random.default_rng(draws)
    ranks = rng.integers(1, 41, size=(draws, 40))
    expected = np.percentile(ranks, [5, 50, 95], axis=0, method="inverted_cdf")
    assert np.array_equal(np.array(rank_percentiles(ranks, (5, 50, 95))), expected)
