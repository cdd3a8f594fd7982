from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kotacerdas.backup.archive import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `kotacerdas backup` into an empty installation (a new database, an empty "
        "media folder): every checksum is verified first, and afterwards the published results and the "
        "audit chain must equal the backup's. Then run `kotacerdas migrate` (and, on PostgreSQL with an "
        "app role, `kotacerdas create-app-role`)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("archive", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore_backup(options["archive"], say=self.stderr.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        expected, found = restored.manifest["checks"], restored.checks
        for year, digest in found["results"].items():
            mark = "same" if expected["results"].get(year) == digest else "DIFFERENT"
            self.stdout.write(f"results {year}: {digest} ({mark})")
        mark = "same" if expected["audit_chain"] == found["audit_chain"] else "DIFFERENT"
        self.stdout.write(f"audit chain: {found['audit_chain']} ({found['audit_events']} events, {mark})")
        if not restored.same:
            raise CommandError(f"the restored installation differs from the backup: {expected} != {found}")
        self.stdout.write(f"restored {options['archive']}: results, audit chain and reports as backed up")
