"""Indonesian formats: decimal comma, dates, numbers in words as the letter writes them."""

from datetime import date
from decimal import Decimal

import pytest

from kotacerdas.reports import formats


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "nol"),
        (11, "sebelas"),
        (19, "sembilan belas"),
        (26, "dua puluh enam"),
        (75, "tujuh puluh lima"),
        (100, "seratus"),
        (165, "seratus enam puluh lima"),
        (191, "seratus sembilan puluh satu"),
        (1000, "seribu"),
        (2024, "dua ribu dua puluh empat"),
        (1_500_000, "satu juta lima ratus ribu"),
    ],
)
def test_numbers_are_written_in_indonesian_words(number: int, words: str) -> None:
    assert formats.words(number) == words


def test_counts_read_as_in_the_letter() -> None:
    assert formats.counted(191) == "seratus sembilan puluh satu (191)"


def test_scores_use_a_decimal_comma_and_two_decimals() -> None:
    assert formats.score(Decimal("3.08")) == "3,08"
    assert formats.score(Decimal("2.8")) == "2,80"
    assert formats.score(None) == "–"
    assert formats.signed_score(Decimal("0.11")) == "+0,11"
    assert formats.signed_score(Decimal("-0.07")) == "-0,07"
    assert formats.percent(Decimal("0.1000")) == "10%"
    assert formats.percent(Decimal("0.125")) == "12,5%"


def test_dates_name_the_month_in_indonesian() -> None:
    assert formats.long_date(date(2024, 11, 25)) == "25 November 2024"
    assert formats.date_range(date(2024, 10, 29), date(2024, 11, 20)) == "29 Oktober – 20 November 2024"
    assert formats.date_range(date(2024, 11, 1), date(2024, 11, 20)) == "1–20 November 2024"
