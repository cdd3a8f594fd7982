from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.results.services import publish_results, recompute_results


class Command(BaseCommand):
    help = "Recompute a cycle's live results and publish them as a new, frozen revision."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--reason", required=True, help="why this revision is published (kept in the audit)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
        except CycleNotFound as exc:
            raise CommandError(str(exc)) from exc
        recompute_results(cycle)
        revision = publish_results(cycle, reason=options["reason"])
        self.stdout.write(
            f"{cycle.year}: published revision {revision.revision} "
            f"({revision.region_results.count()} regions)."
        )
