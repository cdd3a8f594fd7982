from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from kotacerdas.core.actors import CLI
from kotacerdas.survey.services import purge_expired_contacts


class Command(BaseCommand):
    help = (
        "Forget the contact and client hashes of survey responses older than KOTACERDAS_SURVEY_CONTACT_DAYS "
        "(docs/personal-data.md); the answers stay. Run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_expired_contacts(actor=CLI)
        days = settings.SURVEY_CONTACT_RETENTION_DAYS
        self.stdout.write(f"{purged} response(s) older than {days} days purged of contact and client hashes")
