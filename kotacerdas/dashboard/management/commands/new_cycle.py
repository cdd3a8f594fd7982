from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.cycles.services import CycleLineageError, CycleNotFound, get_cycle
from kotacerdas.dashboard.services import start_next_cycle


class Command(BaseCommand):
    help = (
        "Create cycle Y from cycle P (its previous cycle): the instrument with every question linked to its "
        "counterpart, the participants and their tracks, the windows moved by Y - P years; no inputs. The "
        "cycle is in preparation until an admin opens it. Running it again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the new cycle's year, e.g. 2025")
        parser.add_argument("--from", dest="source", type=int, required=True, help="the previous cycle")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source = get_cycle(options["source"])
            cycle, added, instrument = start_next_cycle(source, options["year"], actor=CLI)
        except (CycleNotFound, CycleLineageError, NotAllowed, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        questions = instrument.instrument.questions.count()
        linked = instrument.instrument.questions.filter(previous__isnull=False).count()
        self.stdout.write(
            f"Cycle {cycle.year} from {source.year}: {cycle.participations.count()} participants "
            f"({added} added); instrument {instrument.instrument.version} {instrument.outcome} "
            f"({questions} questions, {linked} linked to {source.year}); in preparation until opened."
        )
