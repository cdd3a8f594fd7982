from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.backup.archive import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup (database, media files, report signer) to one archive with a manifest "
        "and checksums; `kotacerdas restore FILE` brings it back into an empty installation."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True, help="the archive to write (.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent}: no such folder")
        try:
            manifest = create_backup(output, say=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        checks = manifest["checks"]
        self.stdout.write(f"backup written: {output} ({len(manifest['files'])} files)")
        for year, digest in checks["results"].items():
            self.stdout.write(f"results {year}: {digest}")
        self.stdout.write(f"audit chain: {checks['audit_chain']} ({checks['audit_events']} events)")
