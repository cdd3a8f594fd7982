"""What the import commands share: the file argument and reporting a rejected file (``--year`` and the
cycle lookup come from ``CycleCommand``)."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.imports import ImportRejected


class ImportCommand(CycleCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (UTF-8; comma, semicolon or tab) or XLSX file")
        super().add_arguments(parser)

    def run_import(self, file: Path, cycle: Cycle, **options: Any) -> str:
        raise NotImplementedError

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        file = options.pop("file")
        try:
            message = self.run_import(file, cycle, **options)
        except ImportRejected as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError(
                f"{file}: rejected with {len(exc.problems)} problem(s); nothing was imported"
            ) from exc
        self.stdout.write(message)
