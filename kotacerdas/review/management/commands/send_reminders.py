from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.models import Cycle
from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.review.reminders import send_reminders


class Command(BaseCommand):
    help = "E-mail reminders before each closing window (run daily from cron; sends each reminder once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, help="one cycle (default: every cycle)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycles = [get_cycle(options["year"])] if options["year"] else list(Cycle.objects.all())
        except CycleNotFound as exc:
            raise CommandError(str(exc)) from exc
        total = sum(send_reminders(cycle) for cycle in cycles)
        self.stdout.write(f"{total} reminder(s) sent.")
