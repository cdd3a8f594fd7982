from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "kotacerdas.results"
    label = "results"
