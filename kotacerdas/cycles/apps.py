from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "kotacerdas.cycles"
    label = "cycles"
