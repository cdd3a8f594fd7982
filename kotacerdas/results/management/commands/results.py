import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import resolve_region
from kotacerdas.results.detail import region_detail
from kotacerdas.results.models import RegionResult
from kotacerdas.results.services import unpublished_changes
from kotacerdas.results.table import build_table, current_result_set, render_csv, row_json


class Command(BaseCommand):
    help = "Print a cycle's results table (the latest published revision, or --live)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--region", help="one region (code or name); with json, adds question-level detail"
        )
        parser.add_argument("--live", action="store_true", help="the live (unpublished) results")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
        except CycleNotFound as exc:
            raise CommandError(str(exc)) from exc
        result_set = current_result_set(cycle, live=options["live"])
        rows = build_table(result_set)
        if options["region"]:
            try:
                region = resolve_region(options["region"])
            except RegionNameError as exc:
                raise CommandError(str(exc)) from exc
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
            self.stdout.write(render_csv(rows), ending="")
        elif options["region"]:
            result = RegionResult.objects.select_related("participation__region", "participation__cycle").get(
                result_set=result_set, participation__region__code=rows[0].region_code
            )
            self.stdout.write(json.dumps(region_detail(result).as_json(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(json.dumps([row_json(r) for r in rows], ensure_ascii=False, indent=2))
