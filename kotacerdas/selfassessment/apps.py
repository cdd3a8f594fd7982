from django.apps import AppConfig


class SelfassessmentConfig(AppConfig):
    name = "kotacerdas.selfassessment"
    label = "selfassessment"
