"""The engine's inputs and results: frozen dataclasses holding Decimals, validated on construction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from ._rounding import require_decimal


class QuestionSource(StrEnum):
    """Where a question's score came from."""

    AGREED = "agreed"  # an agreed question score was recorded and stands (rule 1)
    RAW = "raw"  # the mean of the valid raw inputs (rule 1)
    MISSING = "missing"  # no valid input: scores 0 and is reported (rule 2)


class DimensionSource(StrEnum):
    """Where a dimension's score came from (rule 4)."""

    RAW = "raw"
    PUBLISHED = "published"
    ABSENT = "absent"


def _require_int(value: object, what: str, *, minimum: int) -> int:
    # bool is an int subclass; True as a question number or count is always a bug upstream.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{what} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, got {value}")
    return value


def _optional_decimal(value: object, what: str) -> None:
    if value is not None:
        require_decimal(value, what)


@dataclass(frozen=True, slots=True)
class QuestionInput:
    """One question's inputs for one region: sum and count of its valid raw inputs, and/or an agreed score.

    Raw inputs are assessors' scores (assessed dimensions) or respondents' answers (Impact). Invalid or
    empty inputs must be left out by the caller; only `count` valid ones are summed in `total`.
    """

    number: int
    total: Decimal = Decimal(0)
    count: int = 0
    agreed: Decimal | None = None

    def __post_init__(self) -> None:
        _require_int(self.number, "question number", minimum=1)
        where = f"question {self.number}"
        _require_int(self.count, f"{where}: count", minimum=0)
        require_decimal(self.total, f"{where}: total")
        if self.count == 0 and self.total != 0:
            raise ValueError(f"{where}: total must be 0 when count is 0, got {self.total}")
        _optional_decimal(self.agreed, f"{where}: agreed score")

    @classmethod
    def from_values(
        cls, number: int, values: Iterable[int | Decimal], agreed: Decimal | None = None
    ) -> QuestionInput:
        """Build a question from its individual valid raw inputs (ints or Decimals, never floats)."""
        total = Decimal(0)
        count = 0
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool):
                total += value
            else:
                total += require_decimal(value, f"question {number}: input {count + 1}")
            count += 1
        return cls(number=number, total=total, count=count, agreed=agreed)

    @property
    def has_input(self) -> bool:
        """True when the question has any valid raw input or an agreed score."""
        return self.count > 0 or self.agreed is not None


@dataclass(frozen=True, slots=True)
class DimensionInput:
    """One dimension's inputs for one region.

    `questions` must list every question of the dimension in the instrument, including those without
    input: a question left out is not counted at all, whereas a question present with no input counts
    as 0 (rule 2). `published` is an imported published score, used only when there is no raw input.
    """

    code: str
    questions: tuple[QuestionInput, ...] = ()
    published: Decimal | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise ValueError(f"dimension code must be a non-empty str, got {self.code!r}")
        object.__setattr__(self, "questions", tuple(self.questions))
        seen: set[int] = set()
        for question in self.questions:
            if not isinstance(question, QuestionInput):
                raise ValueError(
                    f"dimension {self.code}: questions must be QuestionInput, got {type(question).__name__}"
                )
            if question.number in seen:
                raise ValueError(f"dimension {self.code}: question {question.number} is given twice")
            seen.add(question.number)
        _optional_decimal(self.published, f"dimension {self.code}: published score")

    @property
    def has_raw_input(self) -> bool:
        """True when any question has a valid raw input or an agreed score (rule 4)."""
        return any(question.has_input for question in self.questions)


@dataclass(frozen=True, slots=True)
class RegionInput:
    """One region's inputs for one cycle.

    `weights` maps each dimension code of the region's track to its weight; its order is the order of
    the result's dimensions. A dimension in `weights` but not in `dimensions` is absent (rule 4).
    """

    key: str
    weights: Mapping[str, Decimal]
    dimensions: tuple[DimensionInput, ...]
    previous_final: Decimal | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"region key must be a non-empty str, got {self.key!r}")
        where = f"region {self.key}"
        check_weights(self.weights, where)
        # A private copy: the caller's dict may change later, the input may not. (A plain dict rather
        # than a MappingProxyType so that inputs still pickle, e.g. to worker processes.)
        object.__setattr__(self, "weights", dict(self.weights))
        object.__setattr__(self, "dimensions", tuple(self.dimensions))
        seen: set[str] = set()
        for dimension in self.dimensions:
            if not isinstance(dimension, DimensionInput):
                raise ValueError(
                    f"{where}: dimensions must be DimensionInput, got {type(dimension).__name__}"
                )
            if dimension.code not in self.weights:
                raise ValueError(
                    f"{where}: dimension {dimension.code!r} has no weight in this track "
                    f"(weighted: {', '.join(self.weights)})"
                )
            if dimension.code in seen:
                raise ValueError(f"{where}: dimension {dimension.code!r} is given twice")
            seen.add(dimension.code)
        _optional_decimal(self.previous_final, f"{where}: previous final")


def check_weights(weights: object, where: str) -> None:
    """Raise ValueError unless ``weights`` maps non-empty dimension codes to positive Decimals summing to
    exactly 1 (one track's weights)."""
    if not isinstance(weights, Mapping) or not weights:
        raise ValueError(f"{where}: weights must be a non-empty mapping of dimension code to Decimal")
    for code, weight in weights.items():
        if not isinstance(code, str) or not code:
            raise ValueError(f"{where}: weight keys must be non-empty dimension codes, got {code!r}")
        require_decimal(weight, f"{where}: weight of {code}")
        if weight <= 0:
            raise ValueError(f"{where}: weight of {code} must be positive, got {weight}")
    total = sum(weights.values(), Decimal(0))
    if total != 1:
        raise ValueError(f"{where}: weights must sum to exactly 1, they sum to {total}")


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """A question's rounded score, where it came from and how many raw inputs lie behind it."""

    number: int
    score: Decimal
    source: QuestionSource
    count: int


@dataclass(frozen=True, slots=True)
class DimensionResult:
    """A dimension's rounded score (None when absent) and, when computed from raw input, its questions."""

    code: str
    weight: Decimal
    score: Decimal | None
    source: DimensionSource
    questions: tuple[QuestionResult, ...]

    @property
    def contribution(self) -> Decimal:
        """weight × score, unrounded (0 when absent): the dimension's share of the final, for display.

        The final is rounded once, over the sum (rule 5); the contributions themselves are not rounded.
        """
        if self.score is None:
            return Decimal(0)
        with localcontext() as ctx:
            # Exact: a product never has more digits than its two factors together.
            ctx.prec = len(self.weight.as_tuple().digits) + len(self.score.as_tuple().digits)
            return self.weight * self.score

    @property
    def missing_questions(self) -> tuple[int, ...]:
        """Numbers of the questions that had no valid input and scored 0 (rule 2), ascending."""
        return tuple(sorted(q.number for q in self.questions if q.source is QuestionSource.MISSING))


@dataclass(frozen=True, slots=True)
class RegionResult:
    """A region's dimension results (in the order of its track's weights), final and improvement."""

    key: str
    dimensions: tuple[DimensionResult, ...]
    final: Decimal
    improvement: Decimal | None

    def dimension(self, code: str) -> DimensionResult:
        """The result for dimension `code`; KeyError when the region's track does not weigh it."""
        for dimension in self.dimensions:
            if dimension.code == code:
                return dimension
        raise KeyError(code)

    @property
    def missing_questions(self) -> tuple[int, ...]:
        """Numbers of all missing questions over the dimensions scored from raw input, ascending."""
        return tuple(sorted(n for d in self.dimensions for n in d.missing_questions))

    @property
    def absent_dimensions(self) -> tuple[str, ...]:
        """Codes of the dimensions with no score at all (they contributed 0 to the final)."""
        return tuple(d.code for d in self.dimensions if d.source is DimensionSource.ABSENT)

    @property
    def has_data(self) -> bool:
        """True when at least one dimension has a score."""
        return any(d.source is not DimensionSource.ABSENT for d in self.dimensions)
