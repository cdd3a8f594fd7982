import contextlib
import csv
import os
import subprocess
import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.text import slugify

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.reports import services
from kotacerdas.reports.builder import ReportContentMissing
from kotacerdas.reports.models import ReportBatch, ReportVersion
from kotacerdas.reports.signing import SignerNotConfigured, load_signer
from kotacerdas.results.table import current_result_set

POLL_SECONDS = 0.25
# A worker's private memory is read at most this often: /proc/<pid>/smaps_rollup walks every mapping of the
# process (~6 ms of CPU time a reading for a report worker, beside the workers on the same cores).
PRIVATE_MEMORY_SECONDS = 1.0


def memory_mb(pid: int) -> tuple[float, float] | None:
    """A live process's peak resident memory (Linux ``VmHWM``) and its private memory now (what it does
    not share with other processes: the shared libraries' code, ~110 MB of a report worker's resident
    memory, is counted in each process's RSS but held once), in MB; None where they cannot be read."""
    peak = peak_mb(pid)
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            private = sum(int(line.split()[1]) for line in rollup if line.startswith("Private_"))
    except (OSError, ValueError, IndexError):
        return None
    return None if peak is None else (peak, private / 1024)


def peak_mb(pid: int) -> float | None:
    """A live process's peak resident memory (Linux ``VmHWM``) in MB (a cheap reading); None if unreadable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def file_name(report: ReportVersion) -> str:
    assert report.participation is not None
    region = report.participation.region
    return f"{region.code}-{slugify(region.table_name)}.pdf"


class ProgressBar:
    """A one-line bar on a terminal; a line per tenth of the work otherwise (logs, CI)."""

    def __init__(self, stream: Any, total: int, label: str) -> None:
        self.stream, self.total, self.label = stream, total, label
        self.started = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_tenth = -1

    def update(self, done: int, failed: int = 0) -> None:
        elapsed = time.monotonic() - self.started
        fraction = done / self.total if self.total else 1.0
        if self.tty:
            width = 30
            filled = int(width * fraction)
            remaining = (
                f"  ~{_clock(elapsed / done * (self.total - done))} lagi" if 0 < done < self.total else ""
            )
            failures = f"  {failed} gagal" if failed else ""
            line = (
                f"\r{self.label} [{'█' * filled}{'░' * (width - filled)}] {done}/{self.total} "
                f"{fraction:4.0%}  {_clock(elapsed)}{remaining}{failures}"
            )
            self.stream.write(line.ljust(100))
            self.stream.flush()
        elif int(fraction * 10) > self.last_tenth:
            self.last_tenth = int(fraction * 10)
            self.stream.write(f"{self.label}: {done}/{self.total} ({fraction:.0%}) {_clock(elapsed)}\n")

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class Command(CycleCommand):
    help = (
        "Generate every participating region's signed report as background tasks and write them to a "
        "directory, with a progress bar. An interrupted run resumes where it stopped."
    )
    user_errors = (*CycleCommand.user_errors, SignerNotConfigured, ReportContentMissing)

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("-o", "--output", type=Path, required=True, help="folder untuk berkas PDF")
        parser.add_argument(
            "--workers",
            type=int,
            default=2,
            help="jumlah proses pekerja (bawaan 2); 0 menjalankan tugas di proses ini",
        )
        parser.add_argument(
            "--restart", action="store_true", help="mulai batch baru walaupun masih ada yang belum selesai"
        )

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        load_signer()  # fail before queuing anything when no signer is configured
        services.cycle_part(cycle, current_result_set(cycle))
        workers: int = options["workers"]
        if workers < 0:
            raise CommandError("--workers harus 0 atau lebih")
        output: Path = options["output"]
        output.mkdir(parents=True, exist_ok=True)
        batch, resumed = services.start_report_batch(
            cycle, resume=not options["restart"], enqueue=workers > 0, actor=CLI
        )
        progress = services.batch_progress(batch)
        if resumed:
            self.stdout.write(
                f"Melanjutkan batch #{batch.pk}: {progress.done} dari {progress.total} laporan sudah selesai."
            )
        else:
            self.stdout.write(
                f"Batch #{batch.pk}: {progress.total} laporan, revisi hasil {batch.result_set.revision}."
            )
        written: set[int] = set()
        self.worker_memory: list[tuple[float, float]] = []
        bar = ProgressBar(self.stderr._out, progress.total, f"Laporan {cycle.year}")
        bar.update(progress.done, progress.failed)
        started = time.monotonic()
        if workers == 0:
            self._run_here(batch, bar, output, written)
        else:
            self._run_workers(batch, workers, bar, output, written)
        bar.close()
        if self.worker_memory:
            self.stdout.write(
                "Memori per pekerja (puncak RSS / puncak privat): "
                + ", ".join(f"{rss:.0f} / {private:.0f} MB" for rss, private in self.worker_memory)
            )
        self._export(batch, output, written)
        progress = services.batch_progress(batch)
        self._write_index(batch, output)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{progress.done} dari {progress.total} laporan di {output} ({elapsed:.1f} s); "
            f"daftar: {output / 'index.csv'}"
        )
        if not progress.finished:
            failed = batch.items.exclude(error="").select_related("participation__region")
            for item in failed:
                self.stderr.write(f"{item.participation.region.table_name}: {item.error}")
            raise CommandError(
                f"{progress.total - progress.done} laporan belum selesai; "
                "jalankan perintah yang sama untuk melanjutkan"
            )

    def _run_here(self, batch: ReportBatch, bar: ProgressBar, output: Path, written: set[int]) -> None:
        for item_id in services.pending_items(batch):
            # A failure is recorded on its item, and the summary at the end lists it.
            with contextlib.suppress(Exception):
                services.run_batch_item(item_id)
            progress = services.batch_progress(batch)
            self._export(batch, output, written)
            bar.update(progress.done, progress.failed)

    def _run_workers(
        self, batch: ReportBatch, workers: int, bar: ProgressBar, output: Path, written: set[int]
    ) -> None:
        command = [
            sys.executable,
            "-m",
            "kotacerdas",
            "db_worker",
            "--queue-name",
            "reports",
            "--batch",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--no-reload",
            "--verbosity",
            "0",
            # No system checks in the workers: `kotacerdas reports` runs them (on the same code and
            # settings) when started from the command line. In each worker they would import every URL
            # configuration and so every view, with the libraries other apps need (scipy, ortools,
            # pandas): ~1.7 s of CPU time and ~120 MB more per worker, measured.
            "--skip-checks",
        ]
        processes = [
            subprocess.Popen([*command, "--worker-id", f"reports-{batch.pk}-{i}"], env=os.environ.copy())
            for i in range(workers)
        ]
        peaks: dict[int, tuple[float, float]] = {}
        private_read = 0.0
        try:
            while True:
                # Read while a worker lives: the peak RSS only grows (read at every poll, cheap), the private
                # memory's largest reading (once a second).
                read_private = time.monotonic() - private_read >= PRIVATE_MEMORY_SECONDS
                if read_private:
                    private_read = time.monotonic()
                for process in processes:
                    before = peaks.get(process.pid, (0.0, 0.0))
                    if read_private:
                        memory = memory_mb(process.pid)
                        if memory is not None:
                            peaks[process.pid] = (memory[0], max(before[1], memory[1]))
                    else:
                        peak = peak_mb(process.pid)
                        if peak is not None:
                            peaks[process.pid] = (peak, before[1])
                progress = services.batch_progress(batch)
                self._export(batch, output, written)
                bar.update(progress.done, progress.failed)
                if progress.finished or all(p.poll() is not None for p in processes):
                    break
                time.sleep(POLL_SECONDS)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                process.wait()
        self.worker_memory = [peaks[p.pid] for p in processes if p.pid in peaks]

    def _export(self, batch: ReportBatch, output: Path, written: set[int]) -> None:
        # Only the reports not written yet: this runs a few times a second beside the workers.
        for report in services.batch_reports(batch, exclude=written):
            (output / file_name(report)).write_bytes(services.read_report(report))
            written.add(report.pk)

    def _write_index(self, batch: ReportBatch, output: Path) -> None:
        with (output / "index.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["region_code", "region", "file", "version", "code", "sha256", "pages"])
            for report in services.batch_reports(batch):
                assert report.participation is not None
                region = report.participation.region
                writer.writerow(
                    [
                        region.code,
                        region.table_name,
                        file_name(report),
                        report.version,
                        report.code,
                        report.sha256,
                        report.pages,
                    ]
                )
