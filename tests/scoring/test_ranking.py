"""National ranking: competition ranking by final, highest first."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from kotacerdas.scoring import rank


def test_highest_final_ranks_first_and_ties_share_a_rank() -> None:
    finals = {"a": Decimal("3.01"), "b": Decimal("3.08"), "c": Decimal("3.01"), "d": Decimal("2.50")}

    assert rank(finals) == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_ranking_lists_keys_by_rank_and_ties_in_input_order() -> None:
    finals = {"c": Decimal(2), "a": Decimal(3), "b": Decimal(2)}

    assert list(rank(finals).items()) == [("a", 1), ("c", 2), ("b", 2)]


def test_finals_that_differ_only_in_trailing_zeros_tie() -> None:
    assert rank({"x": Decimal("3.1"), "y": Decimal("3.10")}) == {"x": 1, "y": 1}


def test_all_equal_finals_rank_first() -> None:
    assert rank({1: Decimal(0), 2: Decimal(0), 3: Decimal(0)}) == {1: 1, 2: 1, 3: 1}


def test_ranking_nothing_gives_nothing() -> None:
    assert rank({}) == {}


def test_ranking_works_with_any_hashable_key() -> None:
    assert rank({("51", "03"): Decimal(1), ("32", "04"): Decimal(2)}) == {("32", "04"): 1, ("51", "03"): 2}


def test_float_final_is_rejected() -> None:
    with pytest.raises(ValueError, match=re.escape("final of 'b' must be a decimal.Decimal, got float")):
        rank({"a": Decimal(1), "b": 2.5})  # type: ignore[dict-item]
