from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import Role, User
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.regions.services import resolve_region
from kotacerdas.review.services import ConflictOfInterestError, assign_assessor, ensure_assessor_profile


class Command(CycleCommand):
    help = "Assign an assessor (by e-mail) to a region's review in a cycle. Idempotent."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--region", required=True)
        parser.add_argument("--assessor", required=True, help="the assessor's e-mail")

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        region = resolve_region(options["region"])
        participation = cycle.participations.filter(region=region).first()
        if participation is None:
            raise CommandError(
                _("%(region)s (%(code)s) tidak ikut serta pada %(year)s.")
                % {"region": region.name, "code": region.code, "year": cycle.year}
            )
        user = User.objects.filter(email__iexact=options["assessor"], role=Role.ASSESSOR).first()
        if user is None:
            raise CommandError(
                _("Tidak ada akun asesor %(email)s (buat dengan create-user --role assessor).")
                % {"email": options["assessor"]}
            )
        try:
            assignment, created = assign_assessor(participation, ensure_assessor_profile(user), actor=CLI)
        except ConflictOfInterestError as exc:
            raise CommandError(_("Ditolak: %(reason)s") % {"reason": exc}) from exc
        verb = "assigned" if created else "already assigned"
        self.stdout.write(
            f"{user.email} {verb} to {region.table_name} {cycle.year} (position {assignment.position})"
        )
