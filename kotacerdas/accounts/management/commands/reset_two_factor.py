from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.accounts.models import User
from kotacerdas.accounts.two_factor import reset_two_factor
from kotacerdas.core.actors import CLI


class Command(BaseCommand):
    help = (
        "Remove a person's authenticator and recovery codes (a lost phone, no code left); they set up a "
        "new one at their next sign-in. Audited with the reason."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--reason", required=True, help="why (kept in the audit)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"no user with the e-mail {options['email']!r}")
        if not options["reason"].strip():
            raise CommandError("--reason must not be empty")
        removed = reset_two_factor(user, actor=CLI, reason=options["reason"].strip())
        self.stdout.write(f"{user.email}: {removed} device(s) and code(s) removed")
