from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.imports import import_survey
from kotacerdas.results.management.base import ImportCommand
from kotacerdas.survey.models import Channel


class Command(ImportCommand):
    help = "Import raw survey responses: response_id,region,dimension,respondent,submitted_at,question,score."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--paper", action="store_true", help="mark the responses as paper questionnaires")

    def run_import(self, file: Path, cycle: Cycle, **options: Any) -> str:
        s = import_survey(
            file, cycle, channel=Channel.PAPER if options["paper"] else Channel.IMPORT, actor=CLI
        )
        return (
            f"{file}: {s.responses} responses ({s.answers} answers); "
            f"{s.created} added, {s.unchanged} already stored."
        )
