from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.reports import services


class Command(BaseCommand):
    help = (
        "Check that a PDF is an authentic, unmodified document of this platform: prints 'valid: …' and "
        "exits 0, or 'invalid: <reason>' and exits 1."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read ({exc.strerror})") from exc
        verification = services.verify_report(data)
        if not verification.valid:
            raise CommandError(f"{path}: {verification.describe()}", returncode=1)
        self.stdout.write(f"{path}: {verification.describe()}")
        self.stdout.write(f"sha256 {verification.report.sha256 if verification.report else ''}")
