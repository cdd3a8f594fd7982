from typing import Any

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.survey.services import recompute_survey


class Command(CycleCommand):
    help = "Recompute the regions whose online survey responses are not yet in the live results."

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        self.stdout.write(f"{recompute_survey(cycle, actor=CLI)} region(s) recomputed")
