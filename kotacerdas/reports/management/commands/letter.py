from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.reports import services
from kotacerdas.reports.builder import ReportContentMissing
from kotacerdas.reports.signing import SignerNotConfigured


class Command(BaseCommand):
    help = "Generate, sign and store a new version of the cycle's results letter (with its attachments)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("-o", "--output", type=Path, required=True, help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
            letter = services.generate_letter(cycle)
        except (CycleNotFound, services.ReportError, ReportContentMissing, SignerNotConfigured) as exc:
            raise CommandError(str(exc)) from exc
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(services.read_report(letter))
        self.stdout.write(f"{output}: {services.describe_report(letter)}; {letter.pages} halaman")
