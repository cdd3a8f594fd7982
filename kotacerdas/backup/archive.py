"""Backup and restore of a whole installation: database, media files and the report signer.

An archive is a gzipped tar holding ``database/`` (an SQLite copy made with SQLite's online backup API,
or a ``pg_dump`` custom-format dump), ``media/`` (evidence files, issued reports), ``signer/`` (the report
signer's PKCS#12 file, and for the demo signer its CA and password file) and ``manifest.json``: what the
archive holds, the SHA-256 of every member, the applied migrations, and *checks* computed in the same
database snapshot as the dump:

- ``results``: per cycle, the SHA-256 of its latest published results table as CSV (``kotacerdas results
  --year Y --format csv``);
- ``audit_chain``: ``kotacerdas.audit.services.audit_chain_digest()``, a hash chained over every event;
- the number of audit events and of issued reports.

``restore`` verifies every checksum before it writes anything, refuses an installation that is not empty,
and after restoring recomputes the checks and fails unless they equal the manifest's.

Consistency: the checks and the dump see one snapshot (PostgreSQL: ``pg_export_snapshot()`` shared
with ``pg_dump --snapshot``; SQLite: the online backup API's one-step copy, with the checks equal before
and after it). Media files are written once and never changed, and a file is stored before the row that
names it commits, so files copied after the snapshot are a superset of what it names.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kotacerdas.audit.models import AuditEvent
from kotacerdas.audit.services import audit_chain_digest
from kotacerdas.core.exporters import render_csv
from kotacerdas.cycles.models import Cycle
from kotacerdas.reports.models import ReportVersion
from kotacerdas.reports.signing import DEMO_CA, DEMO_P12, DEMO_PASSWORD
from kotacerdas.results.services import latest_published
from kotacerdas.results.table import build_table, results_table

FORMAT = "kotacerdas-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}
SIGNER_P12 = "signer/signer.p12"

Say = Callable[[str], None]


class BackupError(Exception):
    """A problem for the person at the terminal (the message says what to do)."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def installation_checks() -> dict[str, Any]:
    """What a restore must reproduce exactly (see the module's docstring)."""
    results = {}
    for cycle in Cycle.objects.order_by("year"):
        result_set = latest_published(cycle)
        if result_set is not None:
            table = render_csv(results_table(result_set, build_table(result_set)))
            results[str(cycle.year)] = _sha256(table.content)
    return {
        "results": results,
        "audit_chain": audit_chain_digest(),
        "audit_events": AuditEvent.objects.count(),
        "reports": ReportVersion.objects.count(),
    }


def _connection() -> BaseDatabaseWrapper:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in DATABASE_MEMBER:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
    return connection


def _pg_environment(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes through the environment."""
    args = ["--dbname", str(settings_dict["NAME"])]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    environment = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)"
        ) from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def _snapshot_database(directory: Path) -> tuple[Path, dict[str, Any]]:
    """Dump the database and compute the checks in one snapshot."""
    connection = _connection()
    if connection.in_atomic_block:
        raise BackupError("a backup runs in a transaction of its own, not inside another one")
    target = directory / Path(DATABASE_MEMBER[connection.vendor]).name
    if connection.vendor == "postgresql":
        with transaction.atomic():
            cursor = connection.cursor()
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            checks = installation_checks()
            args, environment = _pg_environment(connection.settings_dict)
            _run(
                [
                    *("pg_dump", "--format=custom", "--no-owner", "--no-privileges"),
                    *(f"--snapshot={snapshot}", "--file", str(target), *args),
                ],
                environment,
            )
        return target, checks
    # SQLite's online backup API copies a consistent image in one step (a read lock for the copy's
    # duration); the checks are taken before and after it, and the copy is kept only when they agree.
    connection.ensure_connection()
    for _attempt in range(3):
        checks = installation_checks()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        if installation_checks() == checks:
            break
    else:
        raise BackupError("the database kept changing during three attempts; try again in a quieter moment")
    return target, checks


def _signer_files() -> dict[str, Path]:
    """The report signer's files, by their name in the archive."""
    configured = str(getattr(settings, "REPORT_SIGNER_P12", "") or "")
    if configured:
        return {SIGNER_P12: Path(configured)}
    directory = Path(settings.REPORT_DEMO_SIGNER_DIR)
    files = {f"signer/demo/{name}": directory / name for name in (DEMO_P12, DEMO_PASSWORD, DEMO_CA)}
    return {member: path for member, path in files.items() if path.exists()}


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield f"media/{path.relative_to(root).as_posix()}", path


def _applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def create_backup(output: Path, *, say: Say = lambda _: None) -> dict[str, Any]:
    """Write a backup archive to ``output`` (atomically: a half-written archive is never left under that
    name) and return its manifest."""
    output = output.resolve()
    with tempfile.TemporaryDirectory(prefix="kotacerdas-backup-") as work:
        dump, checks = _snapshot_database(Path(work))
        vendor = _connection().vendor
        say(f"database ({vendor}) copied: {dump.stat().st_size} bytes")
        members: dict[str, Path] = {DATABASE_MEMBER[vendor]: dump}
        media = dict(_media_files())
        members |= media
        signer = _signer_files()
        members |= signer
        say(f"{len(media)} media file(s), {len(signer)} signer file(s)")
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": vendor, "member": DATABASE_MEMBER[vendor]},
            "migrations": _applied_migrations(),
            "signer": "configured" if SIGNER_P12 in signer else ("demo" if signer else "none"),
            "checks": checks,
            "files": {},
        }
        partial = output.with_name(f".{output.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                for member, path in members.items():
                    data = path.read_bytes()
                    manifest["files"][member] = {"sha256": _sha256(data), "size": len(data)}
                    _add(archive, member, data)
                _add(archive, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- restore ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    checks: dict[str, Any]

    @property
    def same(self) -> bool:
        return bool(self.checks == self.manifest["checks"])


def read_archive(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and members of an archive, each member checked against the manifest's SHA-256."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            members: dict[str, bytes] = {}
            for info in archive.getmembers():
                if not info.isfile() or info.name.startswith("/") or ".." in Path(info.name).parts:
                    raise BackupError(f"{path}: unexpected member {info.name!r}; not a Kota Cerdas backup")
                handle = archive.extractfile(info)
                assert handle is not None  # a regular file
                members[info.name] = handle.read()
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"{path}: not a readable backup archive ({exc})") from exc
    try:
        manifest = json.loads(members.pop(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(f"{path}: no valid {MANIFEST}; not a Kota Cerdas backup") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{path}: format {manifest.get('format')!r} v{manifest.get('version')} unknown")
    listed = manifest["files"]
    if set(listed) != set(members):
        raise BackupError(f"{path}: the members differ from the manifest's list (damaged archive)")
    for name, data in members.items():
        if _sha256(data) != listed[name]["sha256"]:
            raise BackupError(f"{path}: {name} does not match its checksum (damaged archive)")
    return manifest, members


def _signer_targets(manifest: dict[str, Any]) -> dict[str, Path]:
    """Where this installation keeps its signer: a configured PKCS#12 path takes the archive's signer
    (its password comes from KOTACERDAS_SIGNER_PASSWORD, never from a backup); otherwise the demo folder."""
    configured = str(getattr(settings, "REPORT_SIGNER_P12", "") or "")
    source = SIGNER_P12 if manifest["signer"] == "configured" else f"signer/demo/{DEMO_P12}"
    if configured:
        return {source: Path(configured)}
    directory = Path(settings.REPORT_DEMO_SIGNER_DIR)
    if manifest["signer"] == "configured":
        raise BackupError(
            "the backup's signer was configured by KOTACERDAS_SIGNER_P12: set KOTACERDAS_SIGNER_P12 (where "
            "to put it) and KOTACERDAS_SIGNER_PASSWORD before restoring"
        )
    return {f"signer/demo/{name}": directory / name for name in (DEMO_P12, DEMO_PASSWORD, DEMO_CA)}


def _refuse_unless_empty(
    manifest: dict[str, Any], signer: dict[str, Path], members: dict[str, bytes]
) -> None:
    connection = _connection()
    if connection.vendor != manifest["database"]["vendor"]:
        vendor = manifest["database"]["vendor"]
        raise BackupError(
            f"this backup is of a {vendor} database; this installation uses {connection.vendor} "
            f"(set DATABASE_URL to a new, empty {vendor} database)"
        )
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"restore needs an empty installation, but the database already has {len(tables)} table(s); "
            "create a new database (PostgreSQL: createdb; SQLite: a new file) and point DATABASE_URL at it"
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(f"restore needs an empty installation, but the media folder {media} is not empty")
    for member, path in signer.items():
        if member in members and path.exists() and path.read_bytes() != members[member]:
            raise BackupError(f"restore would replace another signer at {path}; move it away first")


def restore_backup(path: Path, *, say: Say = lambda _: None) -> Restored:
    """Restore an archive into this (empty) installation and recompute its checks."""
    manifest, members = read_archive(path)
    signer = _signer_targets(manifest)
    _refuse_unless_empty(manifest, signer, members)
    written: list[Path] = []
    media_root = Path(settings.MEDIA_ROOT)
    try:
        for member, data in members.items():
            if member.startswith("media/"):
                target = media_root / member.removeprefix("media/")
            elif member in signer:
                target = signer[member]
                if target.exists():
                    continue  # the same signer already (checked above)
            else:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            if member.startswith("signer/"):
                target.chmod(0o600)
            written.append(target)
        say(f"{len(written)} file(s) restored")
        _restore_database(manifest, members[manifest["database"]["member"]])
    except BaseException:
        _remove(written, media_root)
        raise
    say(f"database ({manifest['database']['vendor']}) restored")
    return Restored(manifest, installation_checks())


def _remove(written: list[Path], media_root: Path) -> None:
    """Undo a failed restore's files, and the folders it made for them, so that it can be run again."""
    for target in written:
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != media_root and folder.is_relative_to(media_root) and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def _restore_database(manifest: dict[str, Any], data: bytes) -> None:
    connection = _connection()
    with tempfile.TemporaryDirectory(prefix="kotacerdas-restore-") as work:
        dump = Path(work) / "database"
        dump.write_bytes(data)
        if connection.vendor == "postgresql":
            args, environment = _pg_environment(connection.settings_dict)
            _run(
                [
                    *("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"),
                    *("--single-transaction", *args, str(dump)),
                ],
                environment,
            )
        else:
            connection.ensure_connection()
            source = sqlite3.connect(dump)
            try:
                source.backup(connection.connection)
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"the archive's database cannot be restored: {exc}") from exc
            finally:
                source.close()
    connection.close()  # the next query sees the restored schema from a fresh connection
