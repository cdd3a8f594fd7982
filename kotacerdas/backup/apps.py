from django.apps import AppConfig


class BackupConfig(AppConfig):
    """No models: the backup and restore commands, above every other app (they read all of them)."""

    name = "kotacerdas.backup"
    label = "backup"
