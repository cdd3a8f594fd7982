from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.regions.services import resolve_region
from kotacerdas.reports import services
from kotacerdas.reports.builder import ReportContentMissing
from kotacerdas.reports.signing import SignerNotConfigured


class Command(CycleCommand):
    help = "Generate, sign and store a new version of one region's report, and write it to a file."
    user_errors = (*CycleCommand.user_errors, services.ReportError, ReportContentMissing, SignerNotConfigured)

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--region", required=True, help="kode Kemendagri atau nama, mis. 51.03 atau 'KAB. BADUNG'"
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help="berkas PDF yang ditulis")

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        region = resolve_region(options["region"])
        participation = cycle.participations.filter(region=region).select_related("region", "cycle").first()
        if participation is None:
            raise CommandError(f"{region.name} ({region.code}) bukan peserta evaluasi {cycle.year}")
        report = services.generate_report(participation, actor=CLI)
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(services.read_report(report))
        self.stdout.write(
            f"{output}: {services.describe_report(report)}; {report.pages} halaman, "
            f"{report.size / 1024:,.0f} KB, sha256 {report.sha256}"
        )
