"""Writes of the reports app: generate (render, sign, store) documents, verify them, run batches."""

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from kotacerdas.accounts.actors import person
from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import WORKER, SystemActor
from kotacerdas.core.cache import ProcessCache
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.reports import builder, formats, render, signing
from kotacerdas.reports.models import (
    ItemStatus,
    ReportBatch,
    ReportBatchItem,
    ReportContent,
    ReportKind,
    ReportVersion,
)
from kotacerdas.results.models import RegionResult, ResultSet
from kotacerdas.results.table import current_result_set

# Crockford's base 32 without the letters that read as digits (I, L, O) or offend (U).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# A batch item claimed this long ago without finishing belongs to a worker that died; it may be reclaimed.
STALE_CLAIM = timedelta(minutes=5)


class ReportError(Exception):
    pass


def new_code(year: int) -> str:
    """A verification code such as ``KC24-7F3K-Q9XM``: 40 random bits, easy to read aloud and type."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"KC{year % 100:02d}-{chars[:4]}-{chars[4:]}"


def normalise_code(text: str) -> str:
    """What a person typed → the stored form: case, spaces and look-alike letters forgiven."""
    cleaned = "".join(text.upper().split()).replace("O", "0").replace("I", "1").replace("L", "1")
    if cleaned.startswith("KC") and "-" not in cleaned and len(cleaned) == 12:
        cleaned = f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:]}"
    # The prefix "KC" is letters; the O/I/L substitutions above never touch it.
    return cleaned


def verify_url(code: str) -> str:
    return f"{settings.PUBLIC_URL}/verifikasi/{code}/"


# The part shared by all documents of one result set (letter, addressees, national table, prose), kept per
# process: a batch builds it once, not once per region. Its key carries the result set's computation time,
# the prose's edit time and a digest of the participants' records, so an edit, a recompute or a new
# attendance record makes a new key; one cycle at a time keeps memory flat.
PARTS: ProcessCache[builder.CyclePart] = ProcessCache("reports.cycle_part", maxsize=1)


def cycle_part(cycle: Cycle, result_set: ResultSet) -> builder.CyclePart:
    content = getattr(cycle, "report_content", None)
    stamp = content.updated_at.isoformat() if content is not None else ""
    computed = result_set.computed_at.isoformat() if result_set.computed_at else ""
    # The letter's counts and lists come from the participants' records: they are part of the key too.
    records = hashlib.sha256(
        repr(
            list(
                cycle.participations.order_by("pk").values_list(
                    "pk", "track", "self_assessment", "attendance", "addressee_no", "addressee"
                )
            )
        ).encode()
    ).hexdigest()
    key = (result_set.pk, cycle.pk, f"{stamp}|{computed}|{cycle.facts}|{records}")
    return PARTS.get_or_set(key, lambda: builder.build_cycle_part(cycle, result_set))


@dataclass(frozen=True)
class _Subject:
    cycle: Cycle
    result_set: ResultSet
    kind: str
    participation: Participation | None
    title: str


def generate_report(
    participation: Participation,
    *,
    actor: User | SystemActor,
    result_set: ResultSet | None = None,
    batch: ReportBatch | None = None,
) -> ReportVersion:
    """Render, sign and store a new version of one region's report (from the latest published results)."""
    cycle = participation.cycle
    result_set = result_set or current_result_set(cycle)
    result = (
        RegionResult.objects.filter(result_set=result_set, participation=participation)
        .select_related("participation__region", "participation__cycle")
        .first()
    )
    if result is None:
        raise ReportError(
            f"{participation.region.table_name} tidak mempunyai hasil dalam hasil evaluasi {cycle.year} "
            f"(revisi {result_set.revision}); tidak ada yang dapat dilaporkan"
        )
    part = cycle_part(cycle, result_set)
    region_data = builder.build_region_part(result, part.regions_with_results)
    subject = _Subject(
        cycle,
        result_set,
        ReportKind.REGION,
        participation,
        f"Laporan Hasil Evaluasi {cycle.stage} Tahun {cycle.year} — {participation.region.table_name}",
    )
    return _issue(subject, {"cycle": part.data, "region": region_data}, actor=actor, batch=batch)


def generate_letter(cycle: Cycle, *, actor: User | SystemActor) -> ReportVersion:
    """Render, sign and store a new version of the cycle's results letter (with Lampiran I and II)."""
    result_set = current_result_set(cycle)
    part = cycle_part(cycle, result_set)
    subject = _Subject(
        cycle, result_set, ReportKind.LETTER, None, f"Surat Hasil Evaluasi {cycle.stage} Tahun {cycle.year}"
    )
    return _issue(subject, {"cycle": part.data}, actor=actor)


def _next_version(subject: _Subject) -> int:
    versions = ReportVersion.objects.filter(kind=subject.kind)
    if subject.participation is not None:
        versions = versions.filter(participation=subject.participation)
    else:
        versions = versions.filter(cycle=subject.cycle, participation__isnull=True)
    return (versions.aggregate(v=Max("version"))["v"] or 0) + 1


def _issue(
    subject: _Subject, data: dict[str, Any], *, actor: User | SystemActor, batch: ReportBatch | None = None
) -> ReportVersion:
    signer = signing.load_signer()  # fails early, before any rendering, when no signer is configured
    # The version number is printed in the document; when another process issued the same number first
    # (a rare race), the document is rendered again with the next one.
    for _ in range(3):
        version = _next_version(subject)
        code = new_code(subject.cycle.year)
        issued = timezone.now().replace(microsecond=0)
        meta = {
            "title": subject.title,
            "author": subject.cycle.signatory_role or "Kota Cerdas",
            "keywords": [subject.cycle.programme, str(subject.cycle.year), code],
            "code": code,
            "verify_url": verify_url(code),
            "verify_base": f"{settings.PUBLIC_URL.split('://', 1)[-1]}/verifikasi",
            "qr_svg": render.qr_svg(verify_url(code)),
            "issued": formats.long_date(timezone.localtime(issued).date()),
            "version": str(version),
            "revision": str(subject.result_set.revision),
            "signer": _common_name(signer.subject),
        }
        pdf = render.render_pdf(
            {"kind": subject.kind, "region": data.get("region")},
            meta=meta,
            cycle=data["cycle"],
            timestamp=issued,
        )
        signed, signer, pages = signing.sign_pdf(
            pdf, reason=f"{subject.title} (versi {version}, kode {code})", location=subject.cycle.letter_place
        )
        try:
            return _store(
                subject,
                signed,
                version=version,
                code=code,
                pages=pages,
                signer=signer,
                actor=actor,
                batch=batch,
            )
        except IntegrityError:
            continue
    raise ReportError(f"nomor versi untuk {subject.title} tidak dapat ditetapkan; coba lagi")


def _common_name(subject: str) -> str:
    for part in subject.split(","):
        if part.startswith("CN="):
            return part[3:].replace("\\", "")
    return subject


def _store(
    subject: _Subject,
    signed: bytes,
    *,
    version: int,
    code: str,
    pages: int,
    signer: signing.LoadedSigner,
    actor: User | SystemActor,
    batch: ReportBatch | None,
) -> ReportVersion:
    digest = hashlib.sha256(signed).hexdigest()
    folder = subject.participation.region.code if subject.participation is not None else "surat"
    name = default_storage.save(f"reports/{subject.cycle.year}/{folder}/{digest}.pdf", ContentFile(signed))
    try:
        with transaction.atomic():
            report = ReportVersion.objects.create(
                cycle=subject.cycle,
                participation=subject.participation,
                kind=subject.kind,
                version=version,
                result_set=subject.result_set,
                code=code,
                sha256=digest,
                file=name,
                size=len(signed),
                pages=pages,
                signer_subject=signer.subject,
                signer_fingerprint=signer.fingerprint,
                created_by=person(actor),
                batch=batch,
            )
            record_event(
                "report.issued",
                actor=actor,
                object_type="report",
                object_id=code,
                new={
                    "kind": subject.kind,
                    "region": subject.participation.region.code if subject.participation else None,
                    "year": subject.cycle.year,
                    "version": version,
                    "revision": subject.result_set.revision,
                    "sha256": digest,
                },
            )
    except Exception:
        default_storage.delete(name)
        raise
    return report


def read_report(report: ReportVersion) -> bytes:
    """The stored bytes of an issued version, checked against its recorded SHA-256."""
    with default_storage.open(str(report.file.name), "rb") as handle:
        data: bytes = handle.read()
    if hashlib.sha256(data).hexdigest() != report.sha256:
        raise ReportError(f"berkas tersimpan {report.code} tidak cocok dengan SHA-256 yang tercatat")
    return data


# ---------------------------------------------------------------------------------------------------------
# Verification


# The verdict's first word (``verify-report``, CONTRACT.md: "valid" and exit 0 for an untouched report).
VALID = "valid"
INVALID = "tidak valid"


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    report: ReportVersion | None = None
    signature: signing.SignatureCheck | None = None

    def describe(self) -> str:
        """One line in Indonesian: ``valid: …`` or ``tidak valid: <alasan>``."""
        if self.valid and self.report is not None:
            return f"{VALID}: {describe_report(self.report)}"
        return f"{INVALID}: {self.reason}"


def describe_report(report: ReportVersion) -> str:
    what = (
        f"laporan {report.participation.region.table_name}"
        if report.participation is not None
        else "surat hasil evaluasi"
    )
    issued = timezone.localtime(report.created_at)
    return (
        f"{what} {report.cycle.year}, versi {report.version}, kode {report.code}, "
        f"revisi hasil {report.result_set.revision}, diterbitkan {formats.long_date(issued.date())} "
        f"pukul {issued:%H.%M} WIB"
    )


def verify_report(data: bytes) -> Verification:
    """Is ``data`` an authentic, unmodified document of this platform, and which one?

    Authentic means all of: a signature by the platform's signer that is cryptographically intact, covers
    the whole file and permits no changes; and the exact file (its SHA-256) in the platform's register.
    """
    check = signing.check_signature(data)
    if not check.ok:
        return Verification(False, check.reason, signature=check)
    digest = hashlib.sha256(data).hexdigest()
    report = (
        ReportVersion.objects.select_related("cycle", "participation__region", "result_set")
        .filter(sha256=digest)
        .first()
    )
    if report is None:
        return Verification(
            False,
            "tanda tangan platform utuh, tetapi dokumen ini tidak tercatat dalam register laporan",
            signature=check,
        )
    return Verification(True, check.reason, report=report, signature=check)


def find_by_code(code: str) -> ReportVersion | None:
    return (
        ReportVersion.objects.select_related("cycle", "participation__region", "result_set")
        .filter(code=normalise_code(code))
        .first()
    )


# ---------------------------------------------------------------------------------------------------------
# Batches: every participating region's report, one background task per region


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    running: int
    failed: int

    @property
    def finished(self) -> bool:
        return self.done == self.total

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else int(100 * self.done / self.total)


def batch_progress(batch: ReportBatch) -> Progress:
    counts = batch.items.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=ItemStatus.DONE)),
        running=Count("id", filter=Q(status=ItemStatus.RUNNING)),
        failed=Count("id", filter=Q(status=ItemStatus.FAILED)),
    )
    return Progress(**counts)


def open_batch(cycle: Cycle) -> ReportBatch | None:
    """The cycle's unfinished batch on its current results, if any (the one to resume)."""
    result_set = current_result_set(cycle)
    return (
        ReportBatch.objects.filter(
            cycle=cycle, result_set=result_set, finished_at__isnull=True, abandoned=False
        )
        .order_by("-created_at", "-id")
        .first()
    )


def start_report_batch(
    cycle: Cycle, *, actor: User | SystemActor, resume: bool = True, enqueue: bool = True
) -> tuple[ReportBatch, bool]:
    """Resume the cycle's unfinished batch (``resume``) or start a new one; enqueue what is left to do.

    Returns ``(batch, resumed)``. Regions already done are not redone; items left "running" by a worker
    that died are taken up again once their claim is stale. With ``enqueue=False`` nothing is queued: the
    caller runs the items itself (``pending_items`` and ``run_batch_item``).
    """
    from kotacerdas.reports.tasks import generate_batch_item

    batch = open_batch(cycle) if resume else None
    resumed = batch is not None
    if batch is None:
        with transaction.atomic():
            ReportBatch.objects.filter(cycle=cycle, finished_at__isnull=True).update(abandoned=True)
            result_set = current_result_set(cycle)
            batch = ReportBatch.objects.create(cycle=cycle, result_set=result_set, created_by=person(actor))
            participations = RegionResult.objects.filter(result_set=result_set).values_list(
                "participation_id", flat=True
            )
            ReportBatchItem.objects.bulk_create(
                ReportBatchItem(batch=batch, participation_id=pid) for pid in participations
            )
            record_event(
                "report.batch_started",
                actor=actor,
                object_type="report_batch",
                object_id=batch.pk,
                new={"year": cycle.year, "revision": result_set.revision, "regions": len(participations)},
            )
    if resumed:
        batch.items.filter(status=ItemStatus.FAILED).update(status=ItemStatus.PENDING, error="")
    ids = pending_items(batch)
    if enqueue:
        for item_id in ids:
            generate_batch_item.enqueue(item_id)
    if not ids:
        _finish_if_done(batch)
    return batch, resumed


def pending_items(batch: ReportBatch) -> list[int]:
    """Items still to do: pending or failed, or claimed by a worker that has not finished in time."""
    stale = timezone.now() - STALE_CLAIM
    todo = batch.items.filter(
        Q(status__in=[ItemStatus.PENDING, ItemStatus.FAILED])
        | Q(status=ItemStatus.RUNNING, started_at__lt=stale)
    )
    return list(todo.order_by("participation__region__code").values_list("pk", flat=True))


def run_batch_item(item_id: int) -> str:
    """The background task's body: claim one region's item, generate its report, record the outcome."""
    now = timezone.now()
    claimable = Q(status__in=[ItemStatus.PENDING, ItemStatus.FAILED]) | Q(
        status=ItemStatus.RUNNING, started_at__lt=now - STALE_CLAIM
    )
    claimed = ReportBatchItem.objects.filter(claimable, pk=item_id, batch__abandoned=False).update(
        status=ItemStatus.RUNNING, started_at=now
    )
    if not claimed:
        return "skipped"  # done already, or another worker has it
    item = ReportBatchItem.objects.select_related(
        "batch__cycle", "batch__result_set", "participation__region"
    ).get(pk=item_id)
    ReportBatchItem.objects.filter(pk=item_id).update(attempts=item.attempts + 1)
    participation = item.participation
    participation.cycle = item.batch.cycle
    try:
        report = generate_report(
            participation, result_set=item.batch.result_set, batch=item.batch, actor=WORKER
        )
    except Exception as exc:
        ReportBatchItem.objects.filter(pk=item_id).update(
            status=ItemStatus.FAILED, error=f"{type(exc).__name__}: {exc}"
        )
        raise
    ReportBatchItem.objects.filter(pk=item_id).update(status=ItemStatus.DONE, report=report, error="")
    _finish_if_done(item.batch)
    return report.code


def _finish_if_done(batch: ReportBatch) -> None:
    if not batch.items.exclude(status=ItemStatus.DONE).exists():
        ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=True).update(finished_at=timezone.now())


def batch_reports(batch: ReportBatch, *, exclude: Collection[int] = ()) -> list[ReportVersion]:
    """The reports a batch has produced so far, in region order; without those whose id is in ``exclude``."""
    reports = ReportVersion.objects.filter(batch_item__batch=batch)
    if exclude:
        reports = reports.exclude(pk__in=list(exclude))
    return list(reports.select_related("participation__region").order_by("participation__region__code"))


def latest_report(participation: Participation) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(participation=participation, kind=ReportKind.REGION)
        .order_by("-version")
        .first()
    )


@transaction.atomic
def copy_report_content(source: Cycle, target: Cycle, *, actor: User | SystemActor) -> bool:
    """The next cycle starts with the previous cycle's report prose (an admin edits it for the new year);
    an existing text of ``target`` is kept. Returns whether it was copied; audited."""
    original = ReportContent.objects.filter(cycle=source).first()
    if original is None or ReportContent.objects.filter(cycle=target).exists():
        return False
    fields = {
        f.name: getattr(original, f.name)
        for f in ReportContent._meta.concrete_fields
        if f.name not in {"id", "cycle", "updated_at", "created_at"}
    }
    copy = ReportContent.objects.create(cycle=target, **fields)
    record_event(
        "report_content.copied",
        actor=actor,
        object_type="report_content",
        object_id=copy.pk,
        new={"from": source.year, "to": target.year},
    )
    return True


@transaction.atomic
def save_report_content(
    content: ReportContent, *, changed: list[str], actor: User | SystemActor
) -> ReportContent:
    """Save a cycle's report prose and signatory as edited in the admin; audited with the old and new
    values of the changed fields (the next documents print them; issued ones keep what they printed)."""
    before = ReportContent.objects.filter(pk=content.pk).first() if content.pk else None
    content.save()
    record_event(
        "report_content.changed" if before is not None else "report_content.created",
        actor=actor,
        object_type="report_content",
        object_id=content.pk,
        old={name: _audit_value(getattr(before, name)) for name in changed} if before else None,
        new={"year": content.cycle.year, **{name: _audit_value(getattr(content, name)) for name in changed}},
    )
    return content


def _audit_value(value: object) -> object:
    return value if isinstance(value, str | int | dict | list) or value is None else str(value)
