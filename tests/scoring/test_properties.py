"""Properties of the rules that hold for any input on the programme's 1–4 scale."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from kotacerdas.scoring import (
    DimensionInput,
    QuestionInput,
    RegionInput,
    rank,
    round_half_up,
    score_dimension,
    score_question,
    score_region,
)

HALF_CENT = Decimal("0.005")
WEIGHT = Decimal("0.20")

answers = st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=300)
# Scores as recorded or published: two decimals within the scale.
scores = st.integers(min_value=100, max_value=400).map(lambda cents: Decimal(cents).scaleb(-2))
exact_values = st.decimals(
    min_value=-10_000, max_value=10_000, allow_nan=False, allow_infinity=False, places=8
)


@st.composite
def track_weights(draw: st.DrawFn) -> dict[str, Decimal]:
    """1–6 dimensions with positive two-decimal weights summing to exactly 1."""
    n = draw(st.integers(min_value=1, max_value=6))
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=99), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 100]
    return {f"d{i}": Decimal(hi - lo).scaleb(-2) for i, (lo, hi) in enumerate(pairwise(bounds))}


@st.composite
def published_regions(draw: st.DrawFn) -> RegionInput:
    """A region whose dimensions each have a published score or are absent."""
    weights = draw(track_weights())
    dimensions = tuple(
        DimensionInput(code, published=draw(scores)) for code in weights if draw(st.booleans())
    )
    return RegionInput("r", weights, dimensions)


@given(exact_values)
def test_rounding_is_within_half_a_cent_of_the_exact_value(value: Decimal) -> None:
    rounded = round_half_up(value)

    assert abs(rounded - value) <= HALF_CENT
    assert rounded.as_tuple().exponent == -2


@given(exact_values)
def test_rounding_is_idempotent(value: Decimal) -> None:
    rounded = round_half_up(value)

    assert round_half_up(rounded) == rounded


@given(exact_values)
def test_rounding_takes_halves_away_from_zero(value: Decimal) -> None:
    assert round_half_up(-value) == -round_half_up(value)


@given(answers)
def test_question_score_stays_within_its_inputs(values: list[int]) -> None:
    score = score_question(QuestionInput.from_values(1, values)).score

    assert min(values) <= score <= max(values)


@given(st.lists(answers, min_size=1, max_size=40))
def test_dimension_score_stays_within_its_raw_inputs(per_question: list[list[int]]) -> None:
    questions = tuple(QuestionInput.from_values(n, values) for n, values in enumerate(per_question, start=1))

    result = score_dimension(DimensionInput("impact", questions), WEIGHT)

    assert result.score is not None
    everything = [value for values in per_question for value in values]
    assert min(everything) <= result.score <= max(everything)
    assert min(q.score for q in result.questions) <= result.score <= max(q.score for q in result.questions)


@given(st.lists(scores, min_size=1, max_size=40))
def test_dimension_score_stays_within_its_agreed_question_scores(agreed: list[Decimal]) -> None:
    questions = tuple(QuestionInput(n, agreed=score) for n, score in enumerate(agreed, start=1))

    result = score_dimension(DimensionInput("output", questions), WEIGHT)

    assert result.score is not None
    assert min(agreed) <= result.score <= max(agreed)


@given(st.lists(st.one_of(st.none(), scores), min_size=1, max_size=40))
def test_missing_questions_only_lower_a_dimension(agreed: list[Decimal | None]) -> None:
    questions = tuple(QuestionInput(n, agreed=score) for n, score in enumerate(agreed, start=1))

    result = score_dimension(DimensionInput("output", questions), WEIGHT)

    given_scores = [score for score in agreed if score is not None]
    if given_scores:
        assert result.score is not None
        assert 0 <= result.score <= max(given_scores)
        assert result.missing_questions == tuple(n for n, s in enumerate(agreed, start=1) if s is None)
    else:  # no input at all: the dimension is absent, not a row of missing questions
        assert result.score is None
        assert result.missing_questions == ()


@given(published_regions())
def test_final_stays_within_the_scale_or_zero(region: RegionInput) -> None:
    final = score_region(region).final

    assert Decimal(0) <= final <= Decimal(4)
    if len(region.dimensions) == len(region.weights):
        assert final >= Decimal(1)


@given(published_regions(), st.data())
def test_raising_one_dimension_never_lowers_the_final(region: RegionInput, data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(list(region.weights)))
    before = {d.code: d.published for d in region.dimensions}
    current = before.get(code)
    raised = data.draw(scores.filter(lambda s: current is None or s >= current))
    after = tuple(
        DimensionInput(c, published=raised if c == code else before[c])
        for c in region.weights
        if c in before or c == code
    )

    assert score_region(RegionInput("r", region.weights, after)).final >= score_region(region).final


finals_tables = st.dictionaries(
    st.text(min_size=1, max_size=6),
    # Few distinct values, so that ties are common.
    st.integers(min_value=0, max_value=20).map(lambda n: Decimal(n * 20).scaleb(-2)),
    max_size=60,
)


@given(finals_tables)
def test_rank_is_one_plus_the_number_of_strictly_higher_finals(finals: dict[str, Decimal]) -> None:
    ranks = rank(finals)

    assert set(ranks) == set(finals)
    for key, final in finals.items():
        assert ranks[key] == 1 + sum(1 for other in finals.values() if other > final)


@given(finals_tables)
def test_rank_order_agrees_with_final_order(finals: dict[str, Decimal]) -> None:
    ranks = rank(finals)

    for a, final_a in finals.items():
        for b, final_b in finals.items():
            if final_a > final_b:
                assert ranks[a] < ranks[b]
            elif final_a == final_b:
                assert ranks[a] == ranks[b]
