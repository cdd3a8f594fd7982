import logging
import sys
import warnings
from argparse import ArgumentParser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from kotacerdas.reports import services

# The libraries that read and validate the file: their warnings and log lines about a damaged or altered
# file are not the verdict, which the command states itself in one line.
QUIET_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "asn1crypto")


@contextmanager
def _quiet() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _unreadable(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "berkas tidak ditemukan"
    if isinstance(exc, IsADirectoryError):
        return "bukan berkas, melainkan folder"
    if isinstance(exc, PermissionError):
        return "tidak ada izin untuk membaca berkas"
    return "berkas tidak dapat dibaca"


class Command(BaseCommand):
    help = (
        "Memeriksa apakah sebuah PDF adalah dokumen asli dan utuh dari platform ini: mencetak "
        "'valid: …' dan keluar dengan kode 0, atau 'tidak valid: <alasan>' dan kode 1."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="berkas PDF yang diperiksa")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._invalid(path, _unreadable(exc))
        with _quiet():
            verification = services.verify_report(data)
        if not verification.valid:
            self._invalid(path, verification.reason)
        self.stdout.write(f"{path}: {verification.describe()}")
        self.stdout.write(f"sha256 {verification.report.sha256 if verification.report else ''}")

    def _invalid(self, path: Path, reason: str) -> None:
        """The verdict on stdout and exit status 1: no traceback, no "CommandError" prefix."""
        self.stdout.write(f"{path}: {services.INVALID}: {reason}")
        sys.exit(1)
