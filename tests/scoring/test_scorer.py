"""``RegionScorer`` (whole-number inputs, each distinct question scored once) returns exactly what
``score_region`` returns for the equivalent ``RegionInput``: random instruments, tracks and inputs, agreed
and published scores, previous finals, ties between questions of different regions included."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kotacerdas.scoring import (
    DimensionInput,
    QuestionInput,
    RegionInput,
    RegionResult,
    RegionScorer,
    score_region,
)

Weights = dict[str, dict[str, Decimal]]
Layout = dict[str, list[int]]

cents = st.integers(min_value=-50, max_value=450).map(lambda c: Decimal(c).scaleb(-2))
# Agreed and published scores as stored (two places) or as anything exact.
scores = st.one_of(cents, st.decimals(min_value=-5, max_value=5, places=4, allow_nan=False))


@st.composite
def instruments(draw: st.DrawFn) -> tuple[Weights, Layout]:
    """1–3 tracks over up to 6 dimensions (weights of 2 or 4 places summing to 1), each dimension with
    0–8 question numbers (unique across the instrument, in no particular order)."""
    codes = [f"d{i}" for i in range(draw(st.integers(min_value=1, max_value=6)))]
    numbers = draw(st.permutations(range(1, 8 * len(codes) + 1)))
    layout: Layout = {}
    start = 0
    for code in codes:
        size = draw(st.integers(min_value=0, max_value=8))
        layout[code] = list(numbers[start : start + size])
        start += size
    weights: Weights = {}
    for t in range(draw(st.integers(min_value=1, max_value=3))):
        chosen = draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
        places = draw(st.sampled_from([2, 4]))
        whole = 10**places
        cuts = sorted(
            draw(st.sets(st.integers(1, whole - 1), min_size=len(chosen) - 1, max_size=len(chosen) - 1))
        )
        weights[f"t{t}"] = {
            code: Decimal(hi - lo).scaleb(-places)
            for code, (lo, hi) in zip(chosen, pairwise([0, *cuts, whole]), strict=True)
        }
    return weights, layout


@st.composite
def regions(
    draw: st.DrawFn, weights: Weights, layout: Layout
) -> tuple[str, dict[int, tuple[int, int]], dict[int, Decimal], dict[str, Decimal], Decimal | None]:
    track = draw(st.sampled_from(sorted(weights)))
    raw: dict[int, tuple[int, int]] = {}
    agreed: dict[int, Decimal] = {}
    for number in (n for numbers in layout.values() for n in numbers):
        kind = draw(st.sampled_from(["none", "none", "raw", "raw", "raw", "empty", "agreed"]))
        if kind in ("raw", "agreed") and draw(st.booleans()):
            count = draw(st.integers(min_value=1, max_value=60))
            raw[number] = (draw(st.integers(min_value=count, max_value=4 * count)), count)
        if kind == "empty":
            raw[number] = (0, 0)
        if kind == "agreed":
            agreed[number] = draw(scores)
    published = {code: draw(scores) for code in weights[track] if draw(st.booleans())}
    previous = draw(st.none() | cents)
    return track, raw, agreed, published, previous


def by_dataclasses(
    weights: Weights,
    layout: Layout,
    track: str,
    raw: dict[int, tuple[int, int]],
    agreed: dict[int, Decimal],
    published: dict[str, Decimal],
    previous: Decimal | None,
) -> RegionResult:
    """The same region as results/services.py used to feed it: every weighted dimension with all its
    questions, a question without input counting as missing."""
    dimensions = tuple(
        DimensionInput(
            code,
            tuple(
                QuestionInput(n, Decimal(raw.get(n, (0, 0))[0]), raw.get(n, (0, 0))[1], agreed.get(n))
                for n in layout.get(code, ())
            ),
            published.get(code),
        )
        for code in weights[track]
    )
    return score_region(RegionInput("r", weights[track], dimensions, previous))


def _as_text(result: RegionResult) -> list[object]:
    """Everything a result holds, as the strings the results store: equal text, equal representation."""
    return [
        str(result.final),
        str(result.improvement),
        [
            (
                d.code,
                str(d.weight),
                str(d.score),
                d.source,
                [(q.number, str(q.score), q.source, q.count) for q in d.questions],
            )
            for d in result.dimensions
        ],
    ]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_scorer_returns_what_score_region_returns(data: st.DataObject) -> None:
    weights, layout = data.draw(instruments())
    scorer = RegionScorer(weights, layout)
    for _ in range(4):  # several regions of one instrument: shared question results
        track, raw, agreed, published, previous = data.draw(regions(weights, layout))
        expected = by_dataclasses(weights, layout, track, raw, agreed, published, previous)
        got = scorer.score("r", track, raw, agreed=agreed, published=published, previous_final=previous)
        assert got == expected
        assert _as_text(got) == _as_text(expected)
        assert got.missing_questions == expected.missing_questions
        assert got.has_data == expected.has_data


def test_the_scorer_ignores_what_the_track_does_not_weigh() -> None:
    scorer = RegionScorer({"t": {"a": Decimal("1")}}, {"a": [1, 2], "b": [3]})
    result = scorer.score("r", "t", {1: (7, 2), 3: (4, 1), 9: (1, 1)}, published={"b": Decimal("2.00")})
    assert [d.code for d in result.dimensions] == ["a"]
    assert result.final == Decimal("1.75")  # (3.50 + 0) / 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.score("", "t", {}), "region key"),
        (lambda s: s.score("r", "x", {}), "track 'x'"),
        (lambda s: s.score("r", "t", {1: (3.5, 1)}), "question 1: raw input"),
        (lambda s: s.score("r", "t", {1: (3, -1)}), "count"),
        (lambda s: s.score("r", "t", {1: (3, 0)}), "total must be 0"),
        (lambda s: s.score("r", "t", {}, agreed={1: 3.5}), "agreed"),
        (lambda s: s.score("r", "t", {}, published={"a": 3.5}), "published"),
        (lambda s: s.score("r", "t", {}, previous_final=3.5), "previous final"),
    ],
)
def test_the_scorer_refuses_bad_inputs(call: object, message: str) -> None:
    scorer = RegionScorer({"t": {"a": Decimal("1")}}, {"a": [1]})
    with pytest.raises(ValueError, match=message):
        call(scorer)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("weights", "layout", "message"),
    [
        ({"t": {"a": Decimal("0.5")}}, {"a": [1]}, "sum to exactly 1"),
        ({"t": {"a": 1.0}}, {"a": [1]}, "weight of a"),
        ({"t": {"a": Decimal(1)}}, {"a": [1, 1]}, "given twice"),
        ({"t": {"a": Decimal(1)}}, {"a": [0]}, "ints ≥ 1"),
    ],
)
def test_the_scorer_refuses_a_bad_instrument(weights: object, layout: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RegionScorer(weights, layout)  # type: ignore[arg-type]
