"""Golden cases: the engine reproduces the 2024 programme's published figures exactly."""

from __future__ import annotations

from decimal import Decimal

from kotacerdas.scoring import (
    DimensionInput,
    DimensionSource,
    QuestionInput,
    QuestionSource,
    RegionInput,
    score_region,
)

from .conftest import (
    DIMENSION_COLUMNS,
    badung_question_scores,
    national_rows,
    parse_number,
    question_dimensions,
    track_weights,
)


def _region_from_national_row(row: dict[str, str], previous_final: Decimal | None = None) -> RegionInput:
    weights = track_weights()[row["track"]]
    dimensions = tuple(
        DimensionInput(code, published=score)
        for code in DIMENSION_COLUMNS
        if (score := parse_number(row[code])) is not None
    )
    return RegionInput(row["region"], weights, dimensions, previous_final=previous_final)


def test_national_table_has_all_140_rows_of_both_tracks() -> None:
    rows = national_rows()
    assert len(rows) == 140
    assert len({row["region"] for row in rows}) == 140
    assert {row["track"] for row in rows} == {"REGULER", "KPPN IKN"}


def test_national_final_matches_published(national_row: dict[str, str]) -> None:
    result = score_region(_region_from_national_row(national_row))

    assert result.final == parse_number(national_row["final"])
    for dimension in result.dimensions:
        assert dimension.score == parse_number(national_row[dimension.code])


def test_national_improvement_matches_published(national_row: dict[str, str]) -> None:
    final = parse_number(national_row["final"])
    improvement = parse_number(national_row["improvement"])
    assert final is not None
    previous_final = None if improvement is None else final - improvement

    result = score_region(_region_from_national_row(national_row, previous_final))

    assert result.improvement == improvement


def test_kppn_ikn_region_without_collaboration_counts_it_as_zero() -> None:
    row = next(row for row in national_rows() if row["region"] == "KAB. HUMBANG HASUNDUTAN")
    assert row["collaboration"] == "-"

    result = score_region(_region_from_national_row(row))

    assert result.absent_dimensions == ("collaboration",)
    assert result.dimension("collaboration").contribution == 0
    assert result.final == Decimal("1.86")  # 0.216 + 0.36 + 0.394 + 0.57 + 0.316 = 1.856


def _badung_from_question_scores(previous_final: Decimal | None = None) -> RegionInput:
    scores = badung_question_scores()
    dimension_of = question_dimensions()
    assert len(scores) == 115
    assert set(scores) == set(dimension_of)
    questions: dict[str, list[QuestionInput]] = {}
    for number, score in scores.items():
        questions.setdefault(dimension_of[number], []).append(QuestionInput(number, agreed=score))
    dimensions = tuple(DimensionInput(code, tuple(qs)) for code, qs in questions.items())
    return RegionInput("51.03", track_weights()["REGULER"], dimensions, previous_final=previous_final)


def test_badung_dimension_scores_follow_from_its_115_question_scores() -> None:
    result = score_region(_badung_from_question_scores())

    assert [(d.code, d.score) for d in result.dimensions] == [
        ("baseline", Decimal("3.56")),
        ("output", Decimal("2.73")),
        ("outcome", Decimal("3.27")),
        ("impact", Decimal("3.18")),
        ("quick_wins", Decimal("2.80")),
    ]
    assert all(d.source is DimensionSource.RAW for d in result.dimensions)
    assert all(q.source is QuestionSource.AGREED for d in result.dimensions for q in d.questions)
    assert result.missing_questions == ()


def test_badung_final_and_improvement_follow_from_its_question_scores() -> None:
    result = score_region(_badung_from_question_scores(previous_final=Decimal("2.97")))

    assert result.final == Decimal("3.08")
    assert result.improvement == Decimal("0.11")


def test_badung_question_scores_agree_with_its_row_of_the_national_table() -> None:
    row = next(row for row in national_rows() if row["region"] == "KAB. BADUNG")

    from_questions = score_region(_badung_from_question_scores())
    from_table = score_region(_region_from_national_row(row))

    assert [d.score for d in from_questions.dimensions] == [d.score for d in from_table.dimensions]
    assert from_questions.final == from_table.final
