"""The review in the Django admin, to look at. Every change goes through the pages (and so through the
policy, its deadlines and the audit trail): scores, panels and findings are read-only here."""

from typing import Any

from django.contrib import admin

from kotacerdas.core.admin import ReadOnlyAdminMixin
from kotacerdas.review.models import (
    AgreedScore,
    Assessor,
    AssessorScore,
    Assignment,
    ConflictOfInterest,
    Finding,
    Reply,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Any]):
    pass


@admin.register(Assessor)
class AssessorAdmin(admin.ModelAdmin[Assessor]):
    list_display = ("name", "institution", "user")
    search_fields = ("name", "institution")


class FindingInline(ReadOnlyAdminMixin, admin.TabularInline[Finding, Assignment]):
    model = Finding
    extra = 0


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("participation", "assessor", "position", "submitted_at")
    list_filter = ("participation__cycle",)
    search_fields = ("participation__region__name", "assessor__name")
    inlines = [FindingInline]


@admin.register(AssessorScore)
class AssessorScoreAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "question", "score")
    list_filter = ("assignment__participation__cycle",)


@admin.register(AgreedScore)
class AgreedScoreAdmin(ReadOnlyAdmin):
    list_display = ("participation", "question", "score", "reason", "agreed_by")
    list_filter = ("participation__cycle",)
    search_fields = ("participation__region__name",)


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ReadOnlyAdmin):
    list_display = ("assessor", "region", "reason", "declared_at")


@admin.register(Reply)
class ReplyAdmin(ReadOnlyAdmin):
    list_display = ("participation", "question", "status", "created_at", "responded_at")
    list_filter = ("status", "participation__cycle")
