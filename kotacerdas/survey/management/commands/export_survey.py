from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import resolve_region
from kotacerdas.survey.export import export_csv


class Command(BaseCommand):
    help = (
        "Print raw survey responses in the import-survey format "
        "(response_id,region,dimension,respondent,submitted_at,question,score)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", help="one region: code or name")
        parser.add_argument(
            "--all",
            action="store_true",
            help="also responses that do not feed the results (flagged, over quota, excluded); "
            "import-survey would include them",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
            region = resolve_region(options["region"]) if options["region"] else None
        except (CycleNotFound, RegionNameError) as exc:
            raise CommandError(str(exc)) from exc
        for chunk in export_csv(cycle, region, everything=options["all"]):
            self.stdout.write(chunk, ending="")
