from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.imports import import_assessor_scores
from kotacerdas.results.management.base import ImportCommand


class Command(ImportCommand):
    help = "Import raw assessor scores: region,assessor,institution,question,score,note."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--allow-conflict",
            metavar="REASON",
            default="",
            help="import a historic panel as it was even where an assessor has a conflict of interest with "
            "the region; the reason is recorded in the audit with each such assignment",
        )

    def run_import(self, file: Path, cycle: Cycle, **options: Any) -> str:
        s = import_assessor_scores(file, cycle, actor=CLI, conflict_override=options["allow_conflict"])
        return f"{file}: {s.rows} scores; {s.created} added, {s.changed} changed, {s.unchanged} unchanged."
