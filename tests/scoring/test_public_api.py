"""The scoring package's public face, which other apps are written against."""

from __future__ import annotations

import dataclasses
import enum

import pytest

import kotacerdas.scoring as scoring

EXPECTED_API = [
    "ComparableDimension",
    "ComparableResult",
    "DEFAULT_CONCENTRATION",
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "DimensionInput",
    "DimensionResult",
    "DimensionSource",
    "QuestionInput",
    "QuestionResult",
    "QuestionSource",
    "ROUNDING_PLACES",
    "RankInterval",
    "RegionInput",
    "RegionResult",
    "RegionScorer",
    "RobustnessRegion",
    "RobustnessResult",
    "SurveyDimension",
    "analyse_ranks",
    "comparable_improvement",
    "first_order_index",
    "rank",
    "round_half_up",
    "score_dimension",
    "score_question",
    "score_region",
    "survey_score",
]


def test_public_api_is_pinned() -> None:
    assert sorted(scoring.__all__) == EXPECTED_API
    assert len(scoring.__all__) == len(set(scoring.__all__))


def test_every_public_name_is_exported_and_nothing_else_is_public() -> None:
    public = {name for name in vars(scoring) if not name.startswith("_")}

    assert public == set(EXPECTED_API)


@pytest.mark.parametrize(
    ("cls", "fields"),
    [
        (scoring.QuestionInput, ["number", "total", "count", "agreed"]),
        (scoring.DimensionInput, ["code", "questions", "published"]),
        (scoring.RegionInput, ["key", "weights", "dimensions", "previous_final"]),
        (scoring.QuestionResult, ["number", "score", "source", "count"]),
        (scoring.DimensionResult, ["code", "weight", "score", "source", "questions"]),
        (scoring.RegionResult, ["key", "dimensions", "final", "improvement"]),
        (
            scoring.ComparableDimension,
            ["code", "weight", "has_questions", "pairs", "current", "previous", "not_comparable"],
        ),
        (scoring.ComparableResult, ["current_final", "previous_final", "improvement", "means"]),
    ],
)
def test_dataclasses_are_frozen_with_slots_and_pinned_fields(cls: type, fields: list[str]) -> None:
    assert [f.name for f in dataclasses.fields(cls)] == fields
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert "__slots__" in vars(cls)


@pytest.mark.parametrize(
    ("cls", "values"),
    [
        (scoring.QuestionSource, {"AGREED": "agreed", "RAW": "raw", "MISSING": "missing"}),
        (scoring.DimensionSource, {"RAW": "raw", "PUBLISHED": "published", "ABSENT": "absent"}),
    ],
)
def test_sources_are_string_enums_with_pinned_values(cls: type[enum.StrEnum], values: dict[str, str]) -> None:
    assert {member.name: member.value for member in cls} == values
