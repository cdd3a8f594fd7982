"""Filters for the survey pages: Indonesian decimals, durations, flag names."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

FLAG_LABELS = {
    "speeder": _("terlalu cepat"),
    "straight_line": _("jawaban seragam"),
    "same_client": _("sama dengan jawaban lain dari perangkat yang sama"),
    "repeat_contact": _("kontak berulang"),
    "burst": _("lonjakan"),
}


@register.filter
def dec(value: object) -> str:
    """``3.56`` → ``3,56`` in Indonesian, ``3.56`` in English; '–' when absent."""
    if value is None or value == "":
        return "–"
    text = f"{Decimal(str(value)):.2f}"
    return text if (get_language() or "id").startswith("en") else text.replace(".", ",")


@register.filter
def seconds(milliseconds: int | None) -> str:
    return "–" if milliseconds is None else f"{milliseconds / 1000:.0f} s"


@register.filter
def counts(distribution: dict[int, int]) -> str:
    return " · ".join(str(distribution.get(score, 0)) for score in (1, 2, 3, 4))


@register.filter
def flag_label(name: str) -> str:
    return str(FLAG_LABELS.get(name, name))
