"""Reading a public submission's JSON body (CONTRACT.md, "Web") into checked values.

Every problem is reported under the name of its field (``answers.53``, ``started_at``) so that a client,
a paper-entry tool or the form itself can point at it; the view answers 422 with them.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from kotacerdas.survey.quality import normalise_contact

MAX_CONTACT = 200
# A client clock may be off; a start further in the future than this is refused as nonsense.
CLOCK_SLACK = timedelta(days=1)


class InvalidSubmission(Exception):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Submission:
    submission_id: str
    answers: dict[int, int]  # question number -> score
    started_at: datetime
    completed_at: datetime | None
    contact_hash: str
    consent: bool

    @property
    def duration_ms(self) -> int | None:
        """Time spent on the form by the client's own clock when it says when it finished (immune to a
        phone whose clock is off), else None: the service then measures against its own clock."""
        if self.completed_at is None:
            return None
        return int((self.completed_at - self.started_at).total_seconds() * 1000)


def parse_submission_id(body: Any) -> str:
    if not isinstance(body, dict):
        raise InvalidSubmission({"body": _("harus berupa objek JSON")})
    raw = body.get("submission_id")
    try:
        if isinstance(raw, str):
            return str(uuid.UUID(raw))
    except ValueError:
        pass
    raise InvalidSubmission({"submission_id": _("wajib diisi: UUID yang dibuat klien")})


def parse_submission(
    body: dict[str, Any], scales: Mapping[int, tuple[int, int]], now: datetime
) -> Submission:
    """Check ``body`` against the link's questions (number -> (min, max)); raise InvalidSubmission."""
    problems: dict[str, str] = {}
    submission_id = ""
    try:
        submission_id = parse_submission_id(body)
    except InvalidSubmission as exc:
        problems.update(exc.fields)
    answers = _answers(body.get("answers"), scales, problems)
    started_at = _moment(body, "started_at", problems, required=True)
    completed_at = _moment(body, "completed_at", problems, required=False)
    if started_at is not None and started_at > now + CLOCK_SLACK:
        problems["started_at"] = _("terletak di masa depan")
    if started_at is not None and completed_at is not None and completed_at < started_at:
        problems["completed_at"] = _("lebih awal dari started_at")
    consent = body.get("consent", True)
    if not isinstance(consent, bool):
        problems["consent"] = _("harus true atau false")
    contact = body.get("contact") or ""
    if not isinstance(contact, str) or len(contact) > MAX_CONTACT:
        problems["contact"] = _("teks paling banyak %(n)s karakter") % {"n": MAX_CONTACT}
    if problems:
        raise InvalidSubmission(problems)
    assert started_at is not None
    normalised = normalise_contact(contact) if consent else ""
    return Submission(
        submission_id=submission_id,
        answers=answers,
        started_at=started_at,
        completed_at=completed_at,
        contact_hash=keyed_hash("contact", normalised) if normalised else "",
        consent=bool(consent and normalised),
    )


def _answers(raw: Any, scales: Mapping[int, tuple[int, int]], problems: dict[str, str]) -> dict[int, int]:
    if not isinstance(raw, dict):
        problems["answers"] = _("wajib diisi: objek nomor pertanyaan → nilai")
        return {}
    answers: dict[int, int] = {}
    for key, value in raw.items():
        # ASCII digits only: str.isdigit() is true for "²" or "٣", which int() refuses or reads otherwise.
        number = int(key) if isinstance(key, str) and key.isascii() and key.isdigit() else None
        if number is None or number not in scales:
            problems[f"answers.{key}"] = _("bukan pertanyaan survei tautan ini")
            continue
        low, high = scales[number]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            problems[f"answers.{key}"] = _("harus bilangan bulat %(low)s–%(high)s") % {
                "low": low,
                "high": high,
            }
            continue
        answers[number] = value
    for number in scales:
        if str(number) not in raw:
            problems[f"answers.{number}"] = _("wajib diisi")
    return answers


def _moment(body: dict[str, Any], name: str, problems: dict[str, str], *, required: bool) -> datetime | None:
    raw = body.get(name)
    if raw is None or raw == "":
        if required:
            problems[name] = _("wajib diisi: waktu ISO 8601 dengan zona waktu")
        return None
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        problems[name] = _("harus waktu ISO 8601 dengan zona waktu, mis. 2024-11-01T09:30:00+07:00")
        return None
    return moment


def keyed_hash(purpose: str, value: str) -> str:
    """An HMAC of ``value`` keyed by the secret key: a phone number cannot be recovered by trying all
    numbers without the key, unlike a plain salted hash stored next to its salt."""
    return salted_hmac(f"kotacerdas.survey.{purpose}", value, algorithm="sha256").hexdigest()
