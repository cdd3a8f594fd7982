"""The instrument in the admin: editable until the cycle's self-assessment window opens, read-only after.

This is where an admin defines questions the seed does not publish (Program Kolaborasi's, for example)
before a cycle starts; `load_instrument` applies the same freeze to files.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kotacerdas.instrument.models import Dimension, Indicator, Instrument, Question, TrackWeight


def _frozen(obj: Any) -> bool:
    instrument = obj if isinstance(obj, Instrument) else getattr(obj, "instrument", None)
    if instrument is None and obj is not None and hasattr(obj, "dimension"):
        instrument = obj.dimension.instrument
    return instrument is not None and instrument.is_frozen


class FreezableAdmin(admin.ModelAdmin[Any]):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not _frozen(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not _frozen(obj)


class TrackWeightInline(admin.TabularInline[TrackWeight, Dimension]):
    model = TrackWeight
    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj)

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Instrument)
class InstrumentAdmin(FreezableAdmin):
    list_display = ("cycle", "version", "scale_min", "scale_max", "loaded_at", "is_frozen")
    readonly_fields = ("source_sha256", "loaded_at")


@admin.register(Dimension)
class DimensionAdmin(FreezableAdmin):
    list_display = ("code", "name", "kind", "instrument", "order")
    list_filter = ("instrument", "kind")
    inlines = [TrackWeightInline]


@admin.register(Indicator)
class IndicatorAdmin(FreezableAdmin):
    list_display = ("name", "dimension", "order", "smart_dimension")
    list_filter = ("dimension__instrument", "dimension")


@admin.register(Question)
class QuestionAdmin(FreezableAdmin):
    list_display = ("number", "short_text", "dimension", "indicator", "smart_dimension")
    list_filter = ("instrument", "dimension", "smart_dimension")
    search_fields = ("text", "sub_indicator")
    raw_id_fields = ("previous",)

    @admin.display(description="Pertanyaan")
    def short_text(self, obj: Question) -> str:
        return obj.text[:90]
