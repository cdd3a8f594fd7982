"""Read-only views of the survey in Django's admin: every change goes through the survey pages and
services (reasons, audit events, quota counters); responses are never deleted."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kotacerdas.survey.models import SurveyAnswer, SurveyInvitation, SurveyLink, SurveyResponse


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SurveyAnswerInline(ReadOnly, admin.TabularInline[SurveyAnswer, SurveyResponse]):
    model = SurveyAnswer
    extra = 0


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnly, admin.ModelAdmin[SurveyResponse]):
    list_display = (
        "response_id", "participation", "smart_dimension", "channel", "submitted_at", "review", "included",
        "over_quota", "flag_speeder", "flag_straight_line", "flag_same_client", "flag_repeat_contact",
        "flag_burst",
    )  # fmt: skip
    list_filter = ("participation__cycle", "smart_dimension", "channel", "review", "included", "over_quota")
    search_fields = ("response_id", "participation__region__name", "participation__region__code")
    inlines = [SurveyAnswerInline]


@admin.register(SurveyLink)
class SurveyLinkAdmin(ReadOnly, admin.ModelAdmin[SurveyLink]):
    list_display = ("participation", "smart_dimension", "programme", "quota_used", "quota", "closed_at")
    list_filter = ("participation__cycle", "smart_dimension")
    search_fields = ("participation__region__name", "participation__region__code", "programme")
    exclude = ("token",)


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnly, admin.ModelAdmin[SurveyInvitation]):
    list_display = ("link", "label", "created_at")
    exclude = ("token",)
