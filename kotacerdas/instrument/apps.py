from django.apps import AppConfig


class InstrumentConfig(AppConfig):
    name = "kotacerdas.instrument"
    label = "instrument"
