from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.reports import services
from kotacerdas.reports.builder import ReportContentMissing
from kotacerdas.reports.signing import SignerNotConfigured


class Command(CycleCommand):
    help = "Generate, sign and store a new version of the cycle's results letter (with its attachments)."
    user_errors = (*CycleCommand.user_errors, services.ReportError, ReportContentMissing, SignerNotConfigured)

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("-o", "--output", type=Path, required=True, help="berkas PDF yang ditulis")

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        letter = services.generate_letter(cycle, actor=CLI)
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(services.read_report(letter))
        self.stdout.write(f"{output}: {services.describe_report(letter)}; {letter.pages} halaman")
