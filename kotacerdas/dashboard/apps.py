from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "kotacerdas.dashboard"
    label = "dashboard"
