from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument.models import Instrument
from kotacerdas.instrument.services import export_instrument


class Command(CycleCommand):
    help = (
        "Write the cycle's instrument in the data/instrument/ YAML format (what import-instrument reads), "
        "every question with previous: N (its counterpart in the previous cycle) or previous: null."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "-o", "--output", type=Path, help="the YAML file to write (default: standard output)"
        )

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        try:
            text = export_instrument(cycle)
        except Instrument.DoesNotExist:
            raise CommandError(
                _("Siklus %(year)s belum mempunyai instrumen.") % {"year": cycle.year}
            ) from None
        output: Path | None = options["output"]
        if output is None or str(output) == "-":
            self.stdout.write(text, ending="")
            return
        output.write_text(text, encoding="utf-8")
        self.stdout.write(f"{output}: the {cycle.year} instrument ({cycle.instrument.version}).")
