from django.contrib import admin

from kotacerdas.survey.models import SurveyAnswer, SurveyResponse


class SurveyAnswerInline(admin.TabularInline[SurveyAnswer, SurveyResponse]):
    model = SurveyAnswer
    extra = 0


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin[SurveyResponse]):
    list_display = ("response_id", "participation", "smart_dimension", "channel", "submitted_at", "included")
    list_filter = ("participation__cycle", "smart_dimension", "channel", "included")
    search_fields = ("response_id", "participation__region__name")
    inlines = [SurveyAnswerInline]
