from django.contrib import admin

from kotacerdas.review.models import AgreedScore, Assessor, AssessorScore, Assignment, Finding


@admin.register(Assessor)
class AssessorAdmin(admin.ModelAdmin[Assessor]):
    list_display = ("name", "institution", "user")
    search_fields = ("name", "institution")


class FindingInline(admin.TabularInline[Finding, Assignment]):
    model = Finding
    extra = 0


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin[Assignment]):
    list_display = ("participation", "assessor", "position")
    list_filter = ("participation__cycle",)
    search_fields = ("participation__region__name", "assessor__name")
    inlines = [FindingInline]


@admin.register(AssessorScore)
class AssessorScoreAdmin(admin.ModelAdmin[AssessorScore]):
    list_display = ("assignment", "question", "score")
    list_filter = ("assignment__participation__cycle",)


@admin.register(AgreedScore)
class AgreedScoreAdmin(admin.ModelAdmin[AgreedScore]):
    list_display = ("participation", "question", "score", "reason")
    list_filter = ("participation__cycle",)
    search_fields = ("participation__region__name",)
