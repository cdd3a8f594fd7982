from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import resolve_region
from kotacerdas.reports import services
from kotacerdas.reports.builder import ReportContentMissing
from kotacerdas.reports.signing import SignerNotConfigured


class Command(BaseCommand):
    help = "Generate, sign and store a new version of one region's report, and write it to a file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--region", required=True, help="Kemendagri code or name, e.g. 51.03 or 'KAB. BADUNG'"
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
            region = resolve_region(options["region"])
        except (CycleNotFound, RegionNameError) as exc:
            raise CommandError(str(exc)) from exc
        participation = cycle.participations.filter(region=region).select_related("region", "cycle").first()
        if participation is None:
            raise CommandError(f"{region.name} ({region.code}) does not take part in {cycle.year}")
        try:
            report = services.generate_report(participation)
        except (services.ReportError, ReportContentMissing, SignerNotConfigured) as exc:
            raise CommandError(str(exc)) from exc
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(services.read_report(report))
        self.stdout.write(
            f"{output}: {services.describe_report(report)}; {report.pages} halaman, "
            f"{report.size / 1024:,.0f} KB, sha256 {report.sha256}"
        )
