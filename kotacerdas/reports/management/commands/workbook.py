from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.reports.workbook import build_workbook, render_workbook
from kotacerdas.results.table import current_result_set


class Command(CycleCommand):
    help = "Write the national results workbook (XLSX): summary, one sheet per dimension, questions."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("-o", "--output", type=Path, required=True, help="berkas XLSX yang ditulis")

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        result_set = current_result_set(cycle)
        data = build_workbook(result_set)
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(render_workbook(data))
        self.stdout.write(f"{output}: {data.title}; {len(data.sheets)} lembar")
