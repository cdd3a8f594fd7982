import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.accounts.models import User
from kotacerdas.accounts.services import export_person
from kotacerdas.core.actors import CLI


class Command(BaseCommand):
    help = (
        "Print, as JSON, everything the platform holds about one person (account, rows pointing at it, "
        "sign-in records, audit events); audited. docs/personal-data.md"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"no user with the e-mail {options['email']!r}")
        data = export_person(user, actor=CLI)
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
