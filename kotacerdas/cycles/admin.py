from django.contrib import admin

from kotacerdas.cycles.models import Cycle, Participation


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin[Cycle]):
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


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin[Participation]):
    list_display = ("region", "cycle", "track", "self_assessment", "addressee_no", "addressee")
    list_filter = ("cycle", "track", "self_assessment")
    search_fields = ("region__name", "region__code", "addressee")
    autocomplete_fields = ("region",)
