"""Writes of the self-assessment: answers (autosaved), evidence, the programme register, submit, return."""

import hashlib
import io
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import puremagic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.cycles.models import Participation, Stage
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.stages import move_stage
from kotacerdas.instrument.models import DimensionKind, Question
from kotacerdas.instrument.services import assessed_questions
from kotacerdas.regions.models import Region
from kotacerdas.selfassessment.models import Answer, Evidence, FormStatus, Programme, SelfAssessment


class SaveStatus(StrEnum):
    SAVED = "saved"
    REPLAYED = "replayed"  # the same save id again: nothing written
    UNCHANGED = "unchanged"  # the same content as stored: nothing written
    CONFLICT = "conflict"  # based on an older version: refused, nothing written


@dataclass(frozen=True)
class SaveOutcome:
    status: SaveStatus
    answer: Answer


class InvalidAnswer(ValueError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def save_answer(
    participation: Participation,
    question: Question,
    *,
    actor: User,
    level: int | None,
    justification: str,
    save_id: uuid.UUID,
    base_version: int,
) -> SaveOutcome:
    """Save a draft answer. Replaying ``save_id`` is harmless; a save based on an outdated ``base_version``
    is a conflict, so that two tabs never overwrite each other silently."""
    require(actor, Action.ANSWER, participation)
    if (
        question.instrument.cycle_id != participation.cycle_id
        or question.dimension.kind != DimensionKind.ASSESSED
    ):
        raise InvalidAnswer({"question": _("Pertanyaan ini tidak diisi dalam penilaian mandiri.")})
    if level is not None and not question.scale_min <= level <= question.scale_max:
        raise InvalidAnswer(
            {
                "level": _("Pilih level %(min)s–%(max)s.")
                % {"min": question.scale_min, "max": question.scale_max}
            }
        )
    justification = justification.strip()
    if len(justification) > 10_000:
        raise InvalidAnswer({"justification": _("Penjelasan terlalu panjang (maksimal 10.000 karakter).")})
    with transaction.atomic():
        answer = _locked_answer(participation, question)
        if answer.last_save_id == save_id:
            # The same id again: an identical replay is acknowledged, different content under it is not.
            same = (answer.level, answer.justification) == (level, justification)
            return SaveOutcome(SaveStatus.REPLAYED if same else SaveStatus.CONFLICT, answer)
        if (answer.level, answer.justification) == (level, justification) and answer.version > 0:
            return SaveOutcome(SaveStatus.UNCHANGED, answer)  # nothing to write, whatever the base version
        if answer.version != base_version:
            return SaveOutcome(SaveStatus.CONFLICT, answer)
        old = {"level": answer.level, "justification": answer.justification}
        answer.level, answer.justification = level, justification
        answer.version += 1
        answer.last_save_id = save_id
        answer.updated_by = actor
        answer.save(
            update_fields=["level", "justification", "version", "last_save_id", "updated_by", "updated_at"]
        )
        if participation.stage == Stage.NOT_STARTED:
            move_stage(participation, Stage.DRAFT, actor=actor)
            SelfAssessment.objects.get_or_create(participation=participation)
        record_event(
            "answer.saved",
            actor=actor,
            object_type="answer",
            object_id=answer.pk,
            old=old,
            new={"level": level, "justification": justification, "version": answer.version},
            participation=participation,
            question_number=question.number,
        )
    return SaveOutcome(SaveStatus.SAVED, answer)


def _locked_answer(participation: Participation, question: Question) -> Answer:
    """The answer row, locked for this transaction; created if missing (the unique constraint, not a
    check-then-insert, decides between concurrent creators)."""
    answer = Answer.objects.select_for_update().filter(participation=participation, question=question).first()
    if answer is not None:
        return answer
    try:
        with transaction.atomic():
            Answer.objects.create(participation=participation, question=question)
    except IntegrityError:
        pass  # another request created it first
    return Answer.objects.select_for_update().get(participation=participation, question=question)


# --- evidence ------------------------------------------------------------------------------------------

ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}


class EvidenceRejected(ValueError):
    pass


def max_evidence_bytes() -> int:
    return int(getattr(settings, "KOTACERDAS_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def sniff_content_type(data: bytes) -> str:
    """The file's type from its bytes (names and declared types are not trusted); raises when not allowed."""
    try:
        detected = puremagic.from_string(data, mime=True)
    except puremagic.PureError:
        detected = ""
    if detected == "image/jpg":
        detected = "image/jpeg"
    if detected not in ALLOWED_TYPES:
        raise EvidenceRejected(
            _(
                "Jenis berkas tidak diizinkan: unggah PDF, gambar (PNG/JPEG) atau dokumen "
                "perkantoran (DOCX, XLSX, PPTX, ODT, ODS)."
            )
        )
    suffix = ALLOWED_TYPES[detected]
    if suffix in OOXML_PARTS:
        # An office file is a zip: check it really holds the parts its type says.
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            raise EvidenceRejected(_("Berkas dokumen rusak.")) from None
        if "[Content_Types].xml" not in names or not any(n.startswith(OOXML_PARTS[suffix]) for n in names):
            raise EvidenceRejected(_("Berkas dokumen rusak."))
    return detected


def clean_original_name(name: str) -> str:
    if "/" in name or "\\" in name or name.startswith(".") or ".." in name or "\x00" in name:
        raise EvidenceRejected(_("Nama berkas tidak boleh memuat folder atau karakter khusus."))
    return name[:200]


def upload_evidence(
    participation: Participation,
    question: Question,
    upload: UploadedFile[bytes],
    *,
    actor: User,
    action: Action = Action.ANSWER,
) -> Evidence:
    """Store an evidence file after checking its name, size and content (by its bytes). ``action`` is what
    the upload serves: an answer (self-assessment window) or a reply (right-of-reply window)."""
    require(actor, action, participation)
    if (
        question.instrument.cycle_id != participation.cycle_id
        or question.dimension.kind != DimensionKind.ASSESSED
    ):
        raise EvidenceRejected(_("Pertanyaan ini tidak diisi dalam penilaian mandiri."))
    name = clean_original_name(upload.name or "")
    if upload.size is None or upload.size > max_evidence_bytes():
        raise EvidenceRejected(
            _("Berkas terlalu besar (maksimal %(mb)s MB).") % {"mb": max_evidence_bytes() // (1024 * 1024)}
        )
    data = upload.read()
    if len(data) > max_evidence_bytes():
        raise EvidenceRejected(_("Berkas terlalu besar."))
    content_type = sniff_content_type(data)
    sha256 = hashlib.sha256(data).hexdigest()
    if action == Action.ANSWER:
        # The same bytes twice for one question (another name, or a double click) add nothing: say so.
        same = Evidence.objects.filter(
            participation=participation, question=question, sha256=sha256, removed_at__isnull=True
        ).first()
        if same is not None:
            raise EvidenceRejected(
                _("Berkas ini (isi yang sama) sudah diunggah untuk pertanyaan %(n)s sebagai “%(name)s”.")
                % {"n": question.number, "name": same.original_name}
            )
    upload.seek(0)
    evidence = Evidence(
        participation=participation,
        question=question,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=sha256,
        uploaded_by=actor,
    )
    # The stored file's suffix is that of the type its bytes have, never the uploaded name's (a polyglot
    # named x.html is stored as .pdf); the uploaded name is kept only as data.
    evidence.file.save(f"bukti{ALLOWED_TYPES[content_type]}", upload, save=False)
    with transaction.atomic():
        evidence.save()
        record_event(
            "evidence.uploaded",
            actor=actor,
            object_type="evidence",
            object_id=evidence.pk,
            new={"name": name, "sha256": evidence.sha256, "size": evidence.size},
            participation=participation,
            question_number=question.number,
        )
    return evidence


def remove_evidence(evidence: Evidence, *, actor: User) -> None:
    require(actor, Action.ANSWER, evidence.participation)
    with transaction.atomic():
        evidence.removed_at = timezone.now()
        evidence.save(update_fields=["removed_at"])
        record_event(
            "evidence.removed",
            actor=actor,
            object_type="evidence",
            object_id=evidence.pk,
            old={"name": evidence.original_name},
            participation=evidence.participation,
            question_number=evidence.question.number,
        )


# --- submit and return ---------------------------------------------------------------------------------


def incomplete_questions(participation: Participation) -> list[int]:
    complete = {a.question_id for a in Answer.objects.filter(participation=participation) if a.is_complete}
    return [q.number for q in assessed_questions(participation.cycle) if q.pk not in complete]


class Incomplete(ValueError):
    def __init__(self, numbers: list[int]):
        self.numbers = numbers
        super().__init__(
            _("Belum lengkap: pertanyaan %(numbers)s belum dijawab dengan level dan penjelasan.")
            % {"numbers": ", ".join(map(str, numbers))}
        )


@transaction.atomic
def submit_self_assessment(participation: Participation, *, actor: User) -> SelfAssessment:
    """Lock the region's answers once every question has a level and a justification."""
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    require(actor, Action.SUBMIT_SELF_ASSESSMENT, participation)
    missing = incomplete_questions(participation)
    if missing:
        raise Incomplete(missing)
    form, _created = SelfAssessment.objects.get_or_create(participation=participation)
    form.status, form.submitted_at, form.submitted_by = FormStatus.SUBMITTED, timezone.now(), actor
    form.save(update_fields=["status", "submitted_at", "submitted_by"])
    # The move records the region as having filled the self-assessment, and audits itself.
    move_stage(participation, Stage.SUBMITTED, actor=actor)
    return form


@transaction.atomic
def return_self_assessment(participation: Participation, reason: str, *, actor: User) -> SelfAssessment:
    """The admin sends a submitted self-assessment back to the region, with a reason, for changes."""
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    require(actor, Action.RETURN_SELF_ASSESSMENT, participation)
    if not reason.strip():
        raise ValueError(_("Alasan pengembalian wajib diisi."))
    form = SelfAssessment.objects.get(participation=participation)
    form.status, form.returned_reason = FormStatus.RETURNED, reason.strip()
    form.save(update_fields=["status", "returned_reason"])
    move_stage(participation, Stage.DRAFT, actor=actor, reason=reason.strip())
    return form


# --- programme register ----------------------------------------------------------------------------------


def save_programme(
    participation: Participation, programme: Programme, partner_regions: Iterable[Region], *, actor: User
) -> Programme:
    """Create or update a programme of the region's register (``programme`` is an unsaved or changed
    instance whose fields a form has validated)."""
    require(actor, Action.ANSWER, participation)
    if programme.participation_id != participation.pk:
        raise ValueError("programme of another region")
    with transaction.atomic():
        created = programme.pk is None
        programme.save()
        programme.partner_regions.set(partner_regions)
        record_event(
            "programme.created" if created else "programme.changed",
            actor=actor,
            object_type="programme",
            object_id=programme.pk,
            new={
                "name": programme.name,
                "smart_dimension": programme.smart_dimension,
                "kind": programme.kind,
                "status": programme.status,
            },
            participation=participation,
        )
    return programme


def delete_programme(programme: Programme, *, actor: User) -> None:
    require(actor, Action.ANSWER, programme.participation)
    with transaction.atomic():
        record_event(
            "programme.deleted",
            actor=actor,
            object_type="programme",
            object_id=programme.pk,
            old={"name": programme.name},
            participation=programme.participation,
        )
        programme.delete()
