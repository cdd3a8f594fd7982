from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kotacerdas.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.db.models import fields

        # Django 6.1's empty choice of a select ("- Select an option -") has no Indonesian translation in
        # Django's own catalogue; Django documents overriding it here.
        fields.BLANK_CHOICE_LABEL = _("- Pilih salah satu -")
