"""The restore drill: back up the demo (with a signed report and audit events), restore into a new
database and media folder in another process, and find the same published results, the same audit chain
and a report that verifies. Runs on the suite's database: SQLite or PostgreSQL (CI runs both)."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kotacerdas.audit.services import audit_chain_digest, record_event
from kotacerdas.backup.archive import MANIFEST
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.reports.demo import load_report_content
from kotacerdas.reports.services import generate_report
from kotacerdas.reports.signing import DEMO_PASSWORD, create_demo_signer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def source(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """This installation's media and demo signer in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "source" / "media"
    settings.REPORT_DEMO_SIGNER_DIR = tmp_path / "source" / "signer"
    settings.REPORT_SIGNER_P12 = ""
    create_demo_signer(settings.REPORT_DEMO_SIGNER_DIR)
    return tmp_path / "source"


@pytest.fixture
def empty_database() -> Iterator[str]:
    """The DATABASE_URL of a new, empty database of the suite's kind (dropped afterwards)."""
    if connection.vendor == "sqlite":
        path = Path(settings.BASE_DIR) / "var" / f"restore-drill-{uuid.uuid4().hex[:8]}.sqlite3"
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    params = connection.settings_dict
    name = f"kc_restore_drill_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = {"host": params["HOST"], "port": params["PORT"] or 5432, "user": params["USER"]}
    if params.get("PASSWORD"):
        admin["password"] = params["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    yield f"postgres://{params['USER']}{password}@{params['HOST']}:{admin['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _kotacerdas(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOTACERDAS_", "DATABASE_"))}
    env |= environment
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _results_csv() -> bytes:
    out = io.StringIO()
    call_command("results", "--year", "2024", "--format", "csv", stdout=out)
    return out.getvalue().encode()


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_installation_with_the_same_results_audit_and_reports(
    source: Path, empty_database: str, tmp_path: Path
) -> None:
    load_report_content(settings.DATA_DIR / "demo" / "2024" / "report_content.yaml")
    badung = Participation.objects.select_related("region", "cycle").get(
        cycle__year=2024, region__code="51.03"
    )
    report = generate_report(badung, actor=CLI)
    record_event("drill.marker", actor=CLI, reason="before the backup")
    results, chain = _results_csv(), audit_chain_digest()

    archive = tmp_path / "kotacerdas.tar.gz"
    out = io.StringIO()
    call_command("backup", "-o", str(archive), stdout=out, stderr=io.StringIO())
    assert f"audit chain: {chain}" in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
    assert manifest["checks"]["results"]["2024"] == hashlib.sha256(results).hexdigest()
    assert f"media/{report.file.name}" in manifest["files"]

    # Another installation: a new database, an empty media folder, the signer at a configured path.
    target = tmp_path / "target"
    environment = {
        "DATABASE_URL": empty_database,
        "KOTACERDAS_MEDIA_DIR": str(target / "media"),
        "KOTACERDAS_SIGNER_P12": str(target / "signer" / "signer.p12"),
        "KOTACERDAS_SIGNER_PASSWORD": (source / "signer" / DEMO_PASSWORD).read_text().strip(),
    }
    restored = _kotacerdas(environment, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert f"audit chain: {chain}" in restored.stdout and "DIFFERENT" not in restored.stdout

    after = _kotacerdas(environment, "results", "--year", "2024", "--format", "csv")
    assert after.returncode == 0, after.stderr
    assert hashlib.sha256(after.stdout.encode()).hexdigest() == hashlib.sha256(results).hexdigest()
    restored_report = target / "media" / report.file.name
    verified = _kotacerdas(environment, "verify-report", str(restored_report))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{restored_report}: valid: " in verified.stdout

    if connection.vendor == "postgresql":  # the append-only trigger came back with the tables
        with (
            psycopg.connect(empty_database) as restored_db,
            pytest.raises(psycopg.Error, match="append-only"),
        ):
            restored_db.execute("UPDATE audit_auditevent SET reason = 'rewritten'")

    # A second restore finds the installation no longer empty and changes nothing.
    again = _kotacerdas(environment, "restore", str(archive))
    assert again.returncode != 0 and "restore needs an empty installation" in again.stderr


def test_a_damaged_archive_is_refused_before_anything_is_written(
    source: Path, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    archive = _archive(
        tmp_path / "damaged.tar.gz",
        {"database/db.sqlite3": b"not what the manifest says"},
        database={"vendor": "sqlite", "member": "database/db.sqlite3"},
        files={"database/db.sqlite3": {"sha256": "0" * 64, "size": 26}},
    )
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(archive))
    assert not (tmp_path / "empty-media").exists()


def _archive(path: Path, members: dict[str, bytes], **manifest: object) -> Path:
    """A hand-made archive: ``members`` plus a manifest listing them (correct checksums unless given)."""
    listed = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in members.items()
    }
    head = {"format": "kotacerdas-backup", "version": 1, "signer": "none", "checks": {}, "files": listed}
    with tarfile.open(path, "w:gz") as tar:
        for name, data in {**members, MANIFEST: json.dumps(head | manifest).encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.django_db
def test_restore_refuses_an_installation_that_is_not_empty(source: Path, tmp_path: Path) -> None:
    # The suite's own database is migrated and holds the demo: not empty.
    archive = _archive(
        tmp_path / "b.tar.gz",
        {"database/x": b"x"},
        database={"vendor": connection.vendor, "member": "database/x"},
    )
    with pytest.raises(CommandError, match="restore needs an empty installation, but the database"):
        call_command("restore", str(archive))
    assert not Path(settings.MEDIA_ROOT).exists()


@pytest.mark.django_db
def test_a_backup_does_not_run_inside_another_transaction(source: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="transaction of its own"):
        call_command("backup", "-o", str(tmp_path / "b.tar.gz"))
    assert not (tmp_path / "b.tar.gz").exists()


def test_a_restore_that_fails_leaves_nothing_behind(tmp_path: Path) -> None:
    """An archive whose checksums hold but whose database is unusable: the restore fails with a clear
    message and removes the files it had written, so the installation stays empty for another try."""
    archive = _archive(
        tmp_path / "bad-db.tar.gz",
        {"database/db.sqlite3": b"this is not an SQLite database" * 200, "media/reports/2024/x.pdf": b"%PDF"},
        database={"vendor": "sqlite", "member": "database/db.sqlite3"},
    )
    target = tmp_path / "target"
    environment = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'target.sqlite3'}",
        "KOTACERDAS_MEDIA_DIR": str(target / "media"),
    }
    failed = _kotacerdas(environment, "restore", str(archive))
    assert failed.returncode != 0
    assert "1 file(s) restored" in failed.stderr  # the media file was written before the database failed
    assert "the archive's database cannot be restored" in failed.stderr
    assert not (target / "media").exists() or not any((target / "media").iterdir())
