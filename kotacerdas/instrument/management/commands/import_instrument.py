from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument.services import InstrumentError, load_instrument

OUTCOMES = {
    "created": "loaded",
    "replaced": "replaced the previous instrument",
    "updated": "same content, version changed",
    "unchanged": "unchanged (the cycle already has this instrument)",
}


class Command(CycleCommand):
    help = (
        "Replace the cycle's instrument with a YAML file in the data/instrument/ format (see "
        "export-instrument). All or nothing: every problem is printed as file:line: field='value' message "
        "and nothing is stored. Refused once the cycle has been opened or has scores or answers."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="the instrument's YAML file")
        super().add_arguments(parser)

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        file: Path = options["file"]
        try:
            summary = load_instrument(cycle, file, actor=CLI)
        except InstrumentError as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError(
                _("%(file)s: ditolak karena %(n)s masalah; tidak ada yang diimpor.")
                % {"file": file, "n": len(exc.problems)}
            ) from exc
        instrument = summary.instrument
        self.stdout.write(
            f"{file}: instrument {instrument.version} of {cycle.year}, "
            f"{instrument.questions.count()} questions: {OUTCOMES[summary.outcome]}. "
            f"Content SHA-256 {instrument.content_hash}."
        )
