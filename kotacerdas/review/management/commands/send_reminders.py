from typing import Any

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.review.reminders import send_reminders


class Command(CycleCommand):
    help = "E-mail reminders before each closing window (run daily from cron; sends each reminder once)."
    year_required = False
    year_help = "one cycle (default: every cycle)"

    def handle_cycle(self, cycle: Cycle | None, **options: Any) -> None:
        cycles = [cycle] if cycle is not None else list(Cycle.objects.all())
        total = sum(send_reminders(cycle, actor=CLI) for cycle in cycles)
        self.stdout.write(f"{total} reminder(s) sent.")
