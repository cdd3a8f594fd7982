"""What the import commands share: the arguments, the cycle lookup and reporting a rejected file."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.models import Cycle
from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.results.imports import ImportRejected


class ImportCommand(BaseCommand):
    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (UTF-8; comma, semicolon or tab) or XLSX file")
        parser.add_argument("--year", type=int, required=True, help="the cycle's year, e.g. 2024")

    def run_import(self, file: Path, cycle: Cycle, **options: Any) -> str:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
        except CycleNotFound as exc:
            raise CommandError(str(exc)) from exc
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
