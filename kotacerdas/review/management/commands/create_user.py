from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import Role
from kotacerdas.accounts.services import AccountError, create_user
from kotacerdas.core.actors import CLI
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import resolve_region
from kotacerdas.review.services import ensure_assessor_profile


class Command(BaseCommand):
    help = "Create a user, or bring an existing one (same e-mail) to the given state. Idempotent."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--role", required=True, choices=["admin", "operator", "assessor"])
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password-file",
            required=True,
            type=Path,
            help="a file holding the password (so it never appears in the process list)",
        )
        parser.add_argument("--region", help="the operator's region (code or name)")
        parser.add_argument("--institution", default="")
        parser.add_argument("--name", default="", help="the person's full name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            password = options["password_file"].read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(
                _("%(file)s: tidak dapat dibaca (%(error)s)")
                % {"file": options["password_file"], "error": exc.strerror}
            ) from exc
        try:
            region = resolve_region(options["region"]) if options["region"] else None
            change = create_user(
                options["email"],
                options["role"],
                password=password,
                region=region,
                institution=options["institution"],
                name=options["name"],
                actor=CLI,
            )
        except (RegionNameError, AccountError) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(_("Kata sandi: %(problems)s") % {"problems": " ".join(exc.messages)}) from exc
        if change.user.role == Role.ASSESSOR:
            ensure_assessor_profile(change.user)
        if change.created:
            self.stdout.write(f"created {change.user.email} ({change.user.role})")
        elif change.changed:
            self.stdout.write(f"updated {change.user.email}: {', '.join(change.changed)}")
        else:
            self.stdout.write(f"unchanged {change.user.email}")
