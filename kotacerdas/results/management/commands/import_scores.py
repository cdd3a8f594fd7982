from pathlib import Path
from typing import Any

from kotacerdas.cycles.models import Cycle
from kotacerdas.results.imports import import_assessor_scores
from kotacerdas.results.management.base import ImportCommand


class Command(ImportCommand):
    help = "Import raw assessor scores: region,assessor,institution,question,score,note."

    def run_import(self, file: Path, cycle: Cycle, **options: Any) -> str:
        s = import_assessor_scores(file, cycle)
        return f"{file}: {s.rows} scores; {s.created} added, {s.changed} changed, {s.unchanged} unchanged."
