from typing import Any

from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.services import recompute_results


class Command(CycleCommand):
    help = "Recompute a cycle's live results from its inputs (published revisions never change)."

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        report = recompute_results(cycle)
        self.stdout.write(f"{cycle.year}: {report.computed} regions computed.")
        if report.skipped_without_track:
            self.stdout.write(
                f"{len(report.skipped_without_track)} participants have no track yet and were skipped."
            )
