from django.apps import AppConfig


class SurveyConfig(AppConfig):
    name = "kotacerdas.survey"
    label = "survey"
