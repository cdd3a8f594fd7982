from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.reports.workbook import build_workbook, render_workbook
from kotacerdas.results.table import current_result_set


class Command(BaseCommand):
    help = "Write the national results workbook (XLSX): summary, one sheet per dimension, questions."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("-o", "--output", type=Path, required=True, help="the XLSX file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
        except CycleNotFound as exc:
            raise CommandError(str(exc)) from exc
        result_set = current_result_set(cycle)
        data = build_workbook(result_set)
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(render_workbook(data))
        self.stdout.write(f"{output}: {data.title}; {len(data.sheets)} lembar")
