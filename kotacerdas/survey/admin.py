"""Read-only views of the survey in Django's admin: every change goes through the survey pages and
services (reasons, audit events, quota counters); responses are never deleted."""

from django.contrib import admin

from kotacerdas.core.admin import ReadOnlyAdminMixin
from kotacerdas.survey.models import SurveyAnswer, SurveyInvitation, SurveyLink, SurveyResponse


class SurveyAnswerInline(ReadOnlyAdminMixin, admin.TabularInline[SurveyAnswer, SurveyResponse]):
    model = SurveyAnswer
    extra = 0


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SurveyResponse]):
    list_display = (
        "response_id", "participation", "smart_dimension", "channel", "submitted_at", "review", "included",
        "over_quota", "flag_speeder", "flag_straight_line", "flag_same_client", "flag_repeat_contact",
        "flag_burst",
    )  # fmt: skip
    list_filter = ("participation__cycle", "smart_dimension", "channel", "review", "included", "over_quota")
    search_fields = ("response_id", "participation__region__name", "participation__region__code")
    inlines = [SurveyAnswerInline]


@admin.register(SurveyLink)
class SurveyLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SurveyLink]):
    list_display = ("participation", "smart_dimension", "programme", "quota_used", "quota", "closed_at")
    list_filter = ("participation__cycle", "smart_dimension")
    search_fields = ("participation__region__name", "participation__region__code", "programme")
    exclude = ("token",)


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[SurveyInvitation]):
    list_display = ("link", "label", "created_at")
    exclude = ("token",)
