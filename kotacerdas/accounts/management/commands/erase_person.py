from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.accounts.models import User
from kotacerdas.accounts.services import AccountError, erase_person
from kotacerdas.core.actors import CLI


class Command(BaseCommand):
    help = (
        "Erase a person's identifying data: the account becomes an anonymous, inactive row (so the audit "
        "keeps its history under user:<id>), second factor and sign-in records removed; audited with the "
        "reason. docs/personal-data.md"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--reason", required=True, help="why (kept in the audit)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"no user with the e-mail {options['email']!r}")
        try:
            erase_person(user, actor=CLI, reason=options["reason"])
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"user:{user.pk} erased")
