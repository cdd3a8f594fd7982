from argparse import ArgumentParser
from typing import Any

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.services import publish_results, recompute_results


class Command(CycleCommand):
    help = "Recompute a cycle's live results and publish them as a new, frozen revision."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--reason", required=True, help="why this revision is published (kept in the audit)"
        )

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        recompute_results(cycle)
        revision = publish_results(cycle, reason=options["reason"], actor=CLI)
        self.stdout.write(
            f"{cycle.year}: published revision {revision.revision} "
            f"({revision.region_results.count()} regions)."
        )
