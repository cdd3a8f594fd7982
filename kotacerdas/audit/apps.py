from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "kotacerdas.audit"
    label = "audit"
