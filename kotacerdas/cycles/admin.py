from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kotacerdas.accounts.admin_site import admin_user
from kotacerdas.audit.services import record_event
from kotacerdas.cycles.models import Cycle, Participation


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin[Cycle]):
    """Windows and letter details are edited here; every change is audited (old and new values)."""

    list_display = ("year", "name", "stage", "letter_number", "letter_date")
    fieldsets = (
        (None, {"fields": ("year", "name", "programme", "stage")}),
        (
            "Jadwal",
            {
                "fields": (
                    "self_assessment_opens",
                    "self_assessment_closes",
                    "interviews_start",
                    "interviews_end",
                    "reply_opens",
                    "reply_closes",
                )
            },
        ),
        (
            "Surat hasil",
            {
                "fields": (
                    "letter_number",
                    "letter_date",
                    "letter_place",
                    "letter_subject",
                    "letter_attachment",
                    "signatory_role",
                    "invitation_number",
                    "invitation_date",
                    "copies",
                    "facts",
                )
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: Cycle, form: Any, change: bool) -> None:
        old = {}
        if change:
            before = Cycle.objects.get(pk=obj.pk)
            old = {name: str(getattr(before, name)) for name in form.changed_data}
        super().save_model(request, obj, form, change)
        record_event(
            "cycle.changed" if change else "cycle.created",
            actor=admin_user(request),
            object_type="cycle",
            object_id=obj.year,
            old=old or None,
            new={name: str(getattr(obj, name)) for name in form.changed_data},
        )


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin[Participation]):
    list_display = ("region", "cycle", "track", "self_assessment", "addressee_no", "addressee")
    list_filter = ("cycle", "track", "self_assessment")
    search_fields = ("region__name", "region__code", "addressee")
    autocomplete_fields = ("region",)
