import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from kotacerdas.core.exporters import records, render_csv
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.regions.services import resolve_region
from kotacerdas.results.detail import region_detail
from kotacerdas.results.models import RegionResult
from kotacerdas.results.services import unpublished_changes
from kotacerdas.results.table import build_table, current_result_set, results_table


class Command(CycleCommand):
    help = "Print a cycle's results table (the latest published revision, or --live)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--region", help="one region (code or name); with json, adds question-level detail"
        )
        parser.add_argument("--live", action="store_true", help="the live (unpublished) results")

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        result_set = current_result_set(cycle, live=options["live"])
        rows = build_table(result_set)
        if options["region"]:
            region = resolve_region(options["region"])
            rows = [r for r in rows if r.region_code == region.code]
            if not rows:
                raise CommandError(f"{region.name} ({region.code}) has no result in {cycle.year}")
        if not options["live"] and (changed := unpublished_changes(cycle)):
            self.stderr.write(
                f"note: revision {result_set.revision} is published; the live results differ for "
                f"{len(changed)} region(s) ({', '.join(changed[:5])}{'…' if len(changed) > 5 else ''}); "
                "see --live"
            )
        if options["format"] == "csv":
            self.stdout.write(render_csv(results_table(result_set, rows)).content.decode(), ending="")
        elif options["region"]:
            result = RegionResult.objects.select_related("participation__region", "participation__cycle").get(
                result_set=result_set, participation__region__code=rows[0].region_code
            )
            self.stdout.write(json.dumps(region_detail(result).as_json(), ensure_ascii=False, indent=2))
        else:
            table = results_table(result_set, rows)
            self.stdout.write(json.dumps(list(records(table)), ensure_ascii=False, indent=2))
