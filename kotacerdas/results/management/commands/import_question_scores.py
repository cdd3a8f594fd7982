from pathlib import Path
from typing import Any

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.imports import import_question_scores
from kotacerdas.results.management.base import ImportCommand


class Command(ImportCommand):
    help = "Import agreed question scores: region,question,score."

    def run_import(self, file: Path, cycle: Cycle, **options: Any) -> str:
        s = import_question_scores(file, cycle, actor=CLI)
        return f"{file}: {s.rows} scores; {s.created} added, {s.changed} changed, {s.unchanged} unchanged."
