from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kotacerdas.reports"
    label = "reports"
