from pathlib import Path
from typing import Any

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.imports import import_results
from kotacerdas.results.management.base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import published dimension scores (the results-table columns); final/improvement/rank are checked."
    )

    def run_import(self, file: Path, cycle: Cycle, **options: Any) -> str:
        s = import_results(file, cycle, actor=CLI)
        return (
            f"{file}: {s.regions} regions; {s.scores_changed} scores and {s.tracks_changed} tracks changed; "
            f"{s.previous_finals_derived} previous-year finals derived."
        )
