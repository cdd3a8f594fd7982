"""Template filters for Indonesian number formats and result sources."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

SOURCE_LABELS = {
    # Of a dimension: computed from its questions, taken from a published table, or absent.
    "raw": _("dihitung dari nilai pertanyaan"),
    "published": _("skor yang dipublikasikan"),
    "absent": _("tidak ada data"),
    # Of a question: an agreed score, the mean of raw inputs, or nothing.
    "agreed": _("skor yang disepakati"),
    "mean": _("rata-rata masukan"),
    "missing": _("tanpa masukan"),
}


@register.filter
def score(value: object, places: int = 2) -> str:
    """``3.56`` → ``3,56`` in Indonesian (decimal comma), ``3.56`` in English; '–' when absent."""
    if value is None or value == "":
        return "–"
    number = Decimal(str(value))
    text = f"{number:.{int(places)}f}"
    return text if (get_language() or "id").startswith("en") else text.replace(".", ",")


@register.filter
def signed(value: object) -> str:
    if value is None or value == "":
        return "–"
    number = Decimal(str(value))
    text = score(number)
    return f"+{text}" if number > 0 else text


@register.filter
def source_label(value: str) -> str:
    """The label of a dimension's source."""
    return str(SOURCE_LABELS.get(value, value))


@register.filter
def question_source_label(value: str) -> str:
    """The label of a question's source ("raw" there means the mean of assessors' or respondents' inputs)."""
    return str(SOURCE_LABELS["mean" if value == "raw" else value] if value in SOURCE_LABELS else value)


@register.filter
def get(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key)


@register.filter
def ranked(result: object) -> str:
    """A rank with its 5th–95th percentile interval from the robustness analysis, ``12 (9–16)``; the rank
    alone until the analysis has run on the revision."""
    rank = getattr(result, "rank", None)
    if rank is None:
        return "–"
    low, high = getattr(result, "rank_low", None), getattr(result, "rank_high", None)
    if low is None or high is None:
        return str(rank)
    return f"{rank} ({low}–{high})"
