from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kotacerdas.api"
    label = "api"
