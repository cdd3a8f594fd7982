from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kotacerdas.results.models import HistoricalFinal, PublishedScore, RegionResult, ResultSet


class ReadOnlyInputsAdmin(admin.ModelAdmin[Any]):
    """Published scores and previous finals enter through the imports, which check them, recompute and
    audit; the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PublishedScore)
class PublishedScoreAdmin(ReadOnlyInputsAdmin):
    list_display = ("participation", "dimension", "score")
    list_filter = ("participation__cycle", "dimension__code")
    search_fields = ("participation__region__name",)


@admin.register(HistoricalFinal)
class HistoricalFinalAdmin(ReadOnlyInputsAdmin):
    list_display = ("region", "year", "final", "provenance", "source")
    list_filter = ("year", "provenance")
    search_fields = ("region__name",)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Results are written by the engine only (recompute, publish): the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ResultSet)
class ResultSetAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "revision", "status", "computed_at", "published_at", "reason")


@admin.register(RegionResult)
class RegionResultAdmin(ReadOnlyAdmin):
    list_display = ("participation", "result_set", "track", "final", "improvement", "rank")
    list_filter = ("result_set",)
    search_fields = ("participation__region__name",)
