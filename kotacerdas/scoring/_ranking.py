"""National ranking by final score."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable, Mapping
from decimal import Decimal

from ._rounding import require_decimal


def rank[K: Hashable](finals: Mapping[K, Decimal]) -> dict[K, int]:
    """Competition ranking ("1224"): the highest final ranks 1 and equal finals share a rank.

    A region's rank is 1 + the number of regions with a strictly higher final, so after two regions
    tied at 2 the next one is 4. Finals compare as numbers (3.1 equals 3.10). The returned dict lists
    the keys by rank, ties in the order of `finals`.
    """
    for key, final in finals.items():
        require_decimal(final, f"final of {key!r}")
    ascending = sorted(finals.values())
    ranks = {key: 1 + len(ascending) - bisect_right(ascending, final) for key, final in finals.items()}
    return dict(sorted(ranks.items(), key=lambda item: item[1]))
