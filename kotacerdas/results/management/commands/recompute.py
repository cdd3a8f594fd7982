from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.results.services import recompute_results


class Command(BaseCommand):
    help = "Recompute a cycle's live results from its inputs (published revisions never change)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
        except CycleNotFound as exc:
            raise CommandError(str(exc)) from exc
        report = recompute_results(cycle)
        self.stdout.write(f"{cycle.year}: {report.computed} regions computed.")
        if report.skipped_without_track:
            self.stdout.write(
                f"{len(report.skipped_without_track)} participants have no track yet and were skipped."
            )
