from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.accounts.models import Role, User
from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import resolve_region
from kotacerdas.review.services import ConflictOfInterestError, assign_assessor, ensure_assessor_profile


class Command(BaseCommand):
    help = "Assign an assessor (by e-mail) to a region's review in a cycle. Idempotent."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", required=True)
        parser.add_argument("--assessor", required=True, help="the assessor's e-mail")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
            region = resolve_region(options["region"])
        except (CycleNotFound, RegionNameError) as exc:
            raise CommandError(str(exc)) from exc
        participation = cycle.participations.filter(region=region).first()
        if participation is None:
            raise CommandError(f"{region.name} ({region.code}) does not take part in {cycle.year}")
        user = User.objects.filter(email__iexact=options["assessor"], role=Role.ASSESSOR).first()
        if user is None:
            raise CommandError(
                f"no assessor account {options['assessor']} (create it with create-user --role assessor)"
            )
        try:
            assignment, created = assign_assessor(participation, ensure_assessor_profile(user))
        except ConflictOfInterestError as exc:
            raise CommandError(f"refused: {exc}") from exc
        verb = "assigned" if created else "already assigned"
        self.stdout.write(
            f"{user.email} {verb} to {region.table_name} {cycle.year} (position {assignment.position})"
        )
