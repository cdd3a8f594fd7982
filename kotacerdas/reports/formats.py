"""Indonesian formats for documents: decimal comma, dates with month names, numbers in words.

Reports format every number and date here, in Python, so that the Typst templates only lay out text.
"""

from datetime import date
from decimal import Decimal

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_UNITS = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)


def score(value: Decimal | None, *, empty: str = "–") -> str:
    """``Decimal("3.08")`` → ``"3,08"``: two decimals and a decimal comma, as the published tables."""
    if value is None:
        return empty
    return f"{value:.2f}".replace(".", ",")


def signed_score(value: Decimal | None, *, empty: str = "–") -> str:
    """An improvement: ``+0,11``, ``-0,07``, ``0,00``."""
    if value is None:
        return empty
    text = score(value)
    return f"+{text}" if value > 0 else text


def percent(weight: Decimal) -> str:
    """``Decimal("0.1000")`` → ``"10%"``; ``Decimal("0.125")`` → ``"12,5%"``."""
    value = (weight * 100).normalize()
    text = f"{value:f}".replace(".", ",")
    return f"{text}%"


def long_date(value: date | None) -> str:
    """``25 November 2024``."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def date_range(start: date | None, end: date | None) -> str:
    """``29 Oktober – 20 November 2024``; the shared month or year is written once."""
    if start is None or end is None:
        return long_date(start or end)
    if start.year != end.year:
        return f"{long_date(start)} – {long_date(end)}"
    if start.month != end.month:
        return f"{start.day} {MONTHS[start.month - 1]} – {long_date(end)}"
    return f"{start.day}–{long_date(end)}"


def words(number: int) -> str:
    """A whole number in Indonesian words: ``191`` → ``seratus sembilan puluh satu``."""
    if number < 0:
        return f"minus {words(-number)}"
    if number < 12:
        return _UNITS[number]
    if number < 20:
        return f"{_UNITS[number - 10]} belas"
    if number < 100:
        tens, rest = divmod(number, 10)
        return f"{_UNITS[tens]} puluh" + (f" {_UNITS[rest]}" if rest else "")
    for size, name, one in (
        (10**9, "miliar", ""),
        (10**6, "juta", ""),
        (1000, "ribu", "seribu"),
        (100, "ratus", "seratus"),
    ):
        if number >= size:
            head, rest = divmod(number, size)
            text = one if head == 1 and one else f"{words(head)} {name}"
            return text + (f" {words(rest)}" if rest else "")
    raise AssertionError("unreachable")


def counted(number: int) -> str:
    """The letter's style for counts: ``seratus sembilan puluh satu (191)``."""
    return f"{words(number)} ({number})"
