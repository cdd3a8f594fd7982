"""The instrument in the admin: editable while its cycle is in preparation, read-only once it is frozen (the
cycle opened to the regions).

This is where an admin prepares a cycle's questions (their texts, level descriptions and counterparts in
the previous cycle) and defines those the seed does not publish (Program Kolaborasi's, for example).
Every save and delete goes through ``services.save_instrument_row`` / ``delete_instrument_row``: the
policy, the freeze and the audit are the same as for ``import-instrument``.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kotacerdas.accounts.admin_site import admin_user
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument.models import Dimension, Indicator, Instrument, Question, TrackWeight
from kotacerdas.instrument.services import (
    delete_instrument_row,
    frozen_reason,
    instrument_of,
    save_instrument_row,
)

LEVEL = "level_"
DEFAULT_SCALE = range(1, 5)


def smart_dimension_name(code: str) -> str:
    """The smart dimension's name as the programme writes it (``smart_governance`` → "Smart Governance")."""
    return code.replace("_", " ").title() if code else "–"


class SmartDimensionFilter(admin.SimpleListFilter):
    """Filter by smart dimension, listed by name rather than by code."""

    title = _("dimensi smart")
    parameter_name = "smart_dimension"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = (
            model_admin.get_queryset(request)
            .exclude(smart_dimension="")
            .values_list("smart_dimension", flat=True)
        )
        return [(code, smart_dimension_name(code)) for code in sorted(set(codes))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(smart_dimension=self.value()) if self.value() else queryset


def _frozen(obj: Any) -> bool:
    return obj is not None and bool(frozen_reason(instrument_of(obj)))


def editable_instruments() -> QuerySet[Instrument]:
    """Instruments that may still change: their cycle is in preparation (not opened to the regions)."""
    return Instrument.objects.filter(cycle__opened_at__isnull=True)


def _model_fields(form: forms.ModelForm[Any], change: bool) -> list[str]:
    """The model fields a save changes: the form's changed fields (every field for a new row), with the
    rubric's level fields as ``levels``."""
    names = form.changed_data if change else list(form.fields)
    fields = [name for name in names if not name.startswith(LEVEL)]
    if any(name.startswith(LEVEL) for name in names):
        fields.append("levels")
    model_fields = {f.name for f in form._meta.model._meta.get_fields()}
    return [name for name in fields if name in model_fields]


class FreezableAdmin(admin.ModelAdmin[Any]):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not _frozen(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not _frozen(obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        save_instrument_row(obj, fields=_model_fields(form, change), actor=admin_user(request))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        delete_instrument_row(obj, actor=admin_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            delete_instrument_row(obj, actor=admin_user(request))


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
    fields = ("cycle", "version", "scale_min", "scale_max", "content_hash", "source_sha256", "loaded_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The scale is every question's scale: it changes with a new file, not here.
        fixed = ("cycle", "scale_min", "scale_max") if obj is not None else ()
        return (*fixed, "content_hash", "source_sha256", "loaded_at")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "cycle":
            kwargs["queryset"] = Cycle.objects.filter(instrument__isnull=True, opened_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("Sidik isi (SHA-256)"))
    def content_hash(self, obj: Instrument) -> str:
        return obj.content_hash if obj.pk is not None else "—"


@admin.register(Dimension)
class DimensionAdmin(FreezableAdmin):
    list_display = ("code", "name", "kind", "instrument", "order")
    list_filter = ("instrument", "kind")
    inlines = [TrackWeightInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("instrument",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "instrument":
            kwargs["queryset"] = editable_instruments()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseInlineFormSet[Any, Any, Any], change: bool
    ) -> None:
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete_instrument_row(obj, actor=admin_user(request))
        for obj in formset.new_objects:
            save_instrument_row(obj, fields=["track", "weight"], actor=admin_user(request))
        for obj, fields in formset.changed_objects:
            save_instrument_row(obj, fields=fields, actor=admin_user(request))


@admin.register(Indicator)
class IndicatorAdmin(FreezableAdmin):
    list_display = ("name", "dimension", "order", "smart_dimension_label")
    list_filter = ("dimension__instrument", "dimension")

    @admin.display(description=_("dimensi smart"), ordering="smart_dimension")
    def smart_dimension_label(self, obj: Indicator) -> str:
        return smart_dimension_name(obj.smart_dimension)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if "dimension" in form.base_fields:
            instrument = obj.dimension.instrument if obj is not None else None
            form.base_fields["dimension"].queryset = (  # type: ignore[attr-defined]
                Dimension.objects.filter(instrument=instrument)
                if instrument is not None
                else Dimension.objects.filter(instrument__in=editable_instruments())
            )
        return form


class IndicatorChoice(forms.ModelChoiceField[Indicator]):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.dimension.instrument.cycle.year} · {obj.dimension.name} · {obj.name}"


class CounterpartChoice(forms.ModelChoiceField[Question]):
    def label_from_instance(self, obj: Question) -> str:
        return f"{obj.instrument.cycle.year} · {obj.number}. {obj.text[:90]}"


class QuestionForm(forms.ModelForm[Question]):
    """A question with its rubric, one text field per level of the scale (``level_1`` … ``level_4``,
    declared by :func:`question_form` for the instrument's scale), and its counterpart in the previous
    cycle. Validated as an import validates a question."""

    scale: range = DEFAULT_SCALE

    class Meta:
        model = Question
        fields = ("indicator", "number", "sub_indicator", "sub_dimension", "text", "previous")
        field_classes = {"indicator": IndicatorChoice, "previous": CounterpartChoice}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instrument = self.instance.instrument if self.instance.pk else None
        indicators = Indicator.objects.select_related("dimension__instrument__cycle")
        candidates = Question.objects.select_related("instrument__cycle").order_by(
            "-instrument__cycle__year", "number"
        )
        if instrument is not None:
            indicators = indicators.filter(dimension__instrument=instrument)
            previous_cycle = instrument.cycle.previous_id
            candidates = (
                candidates.filter(instrument__cycle=previous_cycle) if previous_cycle else candidates.none()
            )
        else:
            editable = editable_instruments()
            indicators = indicators.filter(dimension__instrument__in=editable)
            candidates = candidates.filter(instrument__cycle__next_cycles__instrument__in=editable)
        # A read-only page (frozen instrument) has no fields to limit.
        indicator_field, previous_field = self.fields.get("indicator"), self.fields.get("previous")
        if isinstance(indicator_field, forms.ModelChoiceField):
            indicator_field.queryset = indicators
        if isinstance(previous_field, forms.ModelChoiceField):
            previous_field.queryset = candidates
        for level in self.scale:
            self.initial.setdefault(f"{LEVEL}{level}", (self.instance.levels or {}).get(str(level), ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator: Indicator | None = data.get("indicator")
        if indicator is None:
            return data
        instrument = indicator.dimension.instrument
        others = Question.objects.filter(instrument=instrument).exclude(pk=self.instance.pk)
        number = data.get("number")
        if number is not None and others.filter(number=number).exists():
            self.add_error("number", _("Nomor ini sudah dipakai pertanyaan lain pada instrumen ini."))
        previous: Question | None = data.get("previous")
        if previous is not None:
            if previous.instrument.cycle_id != instrument.cycle.previous_id:
                self.add_error("previous", _("Pilih pertanyaan dari instrumen siklus sebelum siklus ini."))
            elif others.filter(previous=previous).exists():
                self.add_error("previous", _("Pertanyaan itu sudah menjadi pasangan pertanyaan lain."))
        texts = {level: str(data.get(f"{LEVEL}{level}") or "").strip() for level in self.scale}
        given = [level for level, text in texts.items() if text]
        scale = range(instrument.scale_min, instrument.scale_max + 1)
        if given and scale != self.scale:
            self.add_error(None, _("Simpan pertanyaan ini dahulu, lalu isi rubriknya."))
        elif given:
            for level, text in texts.items():
                if not text:
                    self.add_error(
                        f"{LEVEL}{level}", _("Isi deskripsi setiap level, atau kosongkan semuanya.")
                    )
        self.instance.levels = {str(level): text for level, text in texts.items() if text}
        return data


def question_form(scale: range) -> type[QuestionForm]:
    """:class:`QuestionForm` with one description field per level of ``scale``."""
    levels = {
        f"{LEVEL}{level}": forms.CharField(
            label=_("Level %(level)s") % {"level": level},
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "cols": 90}),
        )
        for level in scale
    }
    return type("QuestionForm", (QuestionForm,), {**levels, "scale": scale})


def _scale(obj: Question | None) -> range:
    return range(obj.scale_min, obj.scale_max + 1) if obj is not None else DEFAULT_SCALE


@admin.register(Question)
class QuestionAdmin(FreezableAdmin):
    list_display = ("number", "short_text", "dimension", "indicator", "counterpart", "has_rubric")
    list_filter = ("instrument", "dimension", SmartDimensionFilter)
    list_select_related = ("dimension", "indicator", "previous__instrument__cycle")
    search_fields = ("text", "sub_indicator")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = question_form(_scale(obj))
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only (frozen): the stored rubric as text instead of the level fields.
            fields = ("indicator", "number", "sub_indicator", "sub_dimension", "text", "rubric", "previous")
            return [(None, {"fields": fields})]
        return [
            (None, {"fields": ("indicator", "number", "sub_indicator", "sub_dimension", "text")}),
            (_("Rubrik (deskripsi setiap level)"), {"fields": [f"{LEVEL}{n}" for n in _scale(obj)]}),
            (_("Perbandingan dengan siklus sebelumnya"), {"fields": ("previous",)}),
        ]

    @admin.display(description=_("Pertanyaan"))
    def short_text(self, obj: Question) -> str:
        return obj.text[:90]

    @admin.display(description=_("Pertanyaan siklus sebelumnya"))
    def counterpart(self, obj: Question) -> str:
        return f"{obj.previous.instrument.cycle.year}: {obj.previous.number}" if obj.previous else "—"

    @admin.display(description=_("Rubrik"), boolean=True)
    def has_rubric(self, obj: Question) -> bool:
        return bool(obj.levels)

    @admin.display(description=_("Rubrik"))
    def rubric(self, obj: Question) -> str:
        return "\n".join(f"{level}: {text or '—'}" for level, text in obj.rubric) if obj.levels else "—"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A question a later cycle's question names as its previous stays (the import refuses it too).
        in_use = isinstance(obj, Question) and obj.next_versions.exists()
        return super().has_delete_permission(request, obj) and not in_use
