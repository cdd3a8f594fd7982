from typing import Any

from django.contrib import admin

from kotacerdas.core.admin import ReadOnlyAdminMixin
from kotacerdas.results.models import HistoricalFinal, PublishedScore, RegionResult, ResultSet, RobustnessRun


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    """Published scores and previous finals enter through the imports (which check them, recompute and
    audit); results are written by the engine only (recompute, publish). The admin shows them."""


@admin.register(PublishedScore)
class PublishedScoreAdmin(ReadOnlyAdmin):
    list_display = ("participation", "dimension", "score")
    list_filter = ("participation__cycle", "dimension__code")
    search_fields = ("participation__region__name",)


@admin.register(HistoricalFinal)
class HistoricalFinalAdmin(ReadOnlyAdmin):
    list_display = ("region", "year", "final", "provenance", "source")
    list_filter = ("year", "provenance")
    search_fields = ("region__name",)


@admin.register(ResultSet)
class ResultSetAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "revision", "status", "computed_at", "published_at", "reason")


@admin.register(RegionResult)
class RegionResultAdmin(ReadOnlyAdmin):
    list_display = (
        "participation",
        "result_set",
        "track",
        "final",
        "improvement",
        "rank",
        "rank_low",
        "rank_high",
    )
    list_filter = ("result_set",)
    search_fields = ("participation__region__name",)


@admin.register(RobustnessRun)
class RobustnessRunAdmin(ReadOnlyAdmin):
    """Runs of ``kotacerdas robustness``: how each published revision's rank intervals were made."""

    list_display = ("result_set", "draws", "seed", "ran_at", "ran_by")
    list_filter = ("result_set__cycle",)
