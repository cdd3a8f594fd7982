from argparse import ArgumentParser
from typing import Any

from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.regions.services import resolve_region
from kotacerdas.survey.export import export_csv


class Command(CycleCommand):
    help = (
        "Print raw survey responses in the import-survey format "
        "(response_id,region,dimension,respondent,submitted_at,question,score)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--region", help="one region: code or name")
        parser.add_argument(
            "--all",
            action="store_true",
            help="also responses that do not feed the results (flagged, over quota, excluded); "
            "import-survey would include them",
        )

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        region = resolve_region(options["region"]) if options["region"] else None
        for chunk in export_csv(cycle, region, everything=options["all"]):
            self.stdout.write(chunk, ending="")
