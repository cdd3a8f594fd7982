from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.survey.services import flush_pending_recomputes


class Command(BaseCommand):
    help = "Recompute the regions whose online survey responses are not yet in the live results."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
        except CycleNotFound as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{flush_pending_recomputes(cycle)} region(s) recomputed")
