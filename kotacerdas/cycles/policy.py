"""The one place that decides whether a user may change something of a region's evaluation *now*.

Every write path (views, API, admin actions, services) asks `may(user, action, participation)`. The answer
depends on the user's role and region, the user's assignment to the region, the stage of the region's
evaluation and the cycle's windows. What a user may *see* is decided by `Participation.objects.visible_to`.

The policy reads related rows through relation names (``participation.assignments``) rather than importing
the apps that define them, so that this low layer imports nothing above it.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotacerdas.cycles.models import Participation, Stage


class Action(StrEnum):
    ANSWER = "answer"  # operator: answers, evidence, programme register
    SUBMIT_SELF_ASSESSMENT = "submit_self_assessment"
    RETURN_SELF_ASSESSMENT = "return_self_assessment"  # admin
    SCORE = "score"  # assessor: own scores, notes and findings
    SUBMIT_REVIEW = "submit_review"
    AGREE = "agree"  # panel or admin: an agreed question score
    CONTEST = "contest"  # operator: right of reply
    RESPOND = "respond"  # panel or admin: answer a reply, perhaps change a score
    ASSIGN = "assign"  # admin: panel membership


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def _deny(reason: Any) -> Decision:
    return Decision(False, str(reason))


def _assignment(user: Any, participation: Participation) -> Any:
    return participation.assignments.filter(assessor__user=user).first()


def _in_window(participation: Participation, name: str, now: datetime) -> Decision:
    cycle = participation.cycle
    if cycle.window_is_open(name, now):
        return ALLOW
    opens, closes = cycle.window(name)
    label = {
        "self_assessment": _("penilaian mandiri"),
        "interviews": _("penilaian asesor"),
        "reply": _("sanggahan"),
    }[name]
    if opens is None or closes is None:
        return _deny(_("Jadwal %(window)s belum ditetapkan.") % {"window": label})
    if now < opens:
        return _deny(_("Jadwal %(window)s belum dibuka.") % {"window": label})
    return _deny(_("Jadwal %(window)s sudah ditutup.") % {"window": label})


def may(user: Any, action: Action, participation: Participation, *, now: datetime | None = None) -> Decision:
    """Whether ``user`` may do ``action`` on ``participation`` at ``now`` (default: the current time)."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _deny(_("Silakan masuk terlebih dahulu."))
    stage = participation.stage
    is_admin = bool(user.is_admin)
    is_operator = user.role == "operator" and user.region_id == participation.region_id
    assignment = _assignment(user, participation) if user.role == "assessor" else None

    if action in (Action.ANSWER, Action.SUBMIT_SELF_ASSESSMENT):
        if not is_operator:
            return _deny(_("Hanya operator daerah ini yang dapat mengisi penilaian mandiri."))
        if stage not in (Stage.NOT_STARTED, Stage.DRAFT):
            return _deny(_("Penilaian mandiri sudah dikirim dan terkunci."))
        return _in_window(participation, "self_assessment", now)

    if action == Action.RETURN_SELF_ASSESSMENT:
        if not is_admin:
            return _deny(_("Hanya admin yang dapat mengembalikan penilaian mandiri."))
        if stage != Stage.SUBMITTED:
            return _deny(
                _("Hanya penilaian mandiri yang sudah dikirim dan belum dinilai yang dapat dikembalikan.")
            )
        return ALLOW

    if action in (Action.SCORE, Action.SUBMIT_REVIEW):
        if assignment is None:
            return _deny(_("Anda tidak ditugaskan menilai daerah ini."))
        if assignment.submitted_at is not None:
            return _deny(_("Penilaian Anda untuk daerah ini sudah dikirim."))
        if stage not in (Stage.SUBMITTED, Stage.UNDER_REVIEW):
            return _deny(_("Daerah ini belum mengirim penilaian mandiri."))
        return _in_window(participation, "interviews", now)

    if action == Action.AGREE:
        if not (is_admin or assignment is not None):
            return _deny(
                _("Hanya panel asesor daerah ini atau admin yang dapat menetapkan skor kesepakatan.")
            )
        if stage not in (Stage.UNDER_REVIEW, Stage.SCORED, Stage.REPLIED):
            return _deny(_("Belum ada skor asesor untuk disepakati."))
        interviews = _in_window(participation, "interviews", now)
        return interviews if interviews else _in_window(participation, "reply", now)

    if action == Action.CONTEST:
        if not is_operator:
            return _deny(_("Hanya operator daerah ini yang dapat mengajukan sanggahan."))
        if stage not in (Stage.SCORED, Stage.REPLIED):
            return _deny(_("Sanggahan hanya dapat diajukan setelah penilaian selesai."))
        return _in_window(participation, "reply", now)

    if action == Action.RESPOND:
        if not (is_admin or assignment is not None):
            return _deny(_("Hanya panel asesor daerah ini atau admin yang dapat menjawab sanggahan."))
        if stage != Stage.REPLIED:
            return _deny(_("Tidak ada sanggahan untuk dijawab."))
        return _in_window(participation, "reply", now)

    if action == Action.ASSIGN:
        if not is_admin:
            return _deny(_("Hanya admin yang dapat menugaskan asesor."))
        if stage == Stage.FINAL:
            return _deny(_("Evaluasi daerah ini sudah final."))
        return ALLOW

    raise ValueError(f"unknown action {action!r}")


class NotAllowed(Exception):
    """Raised by services when the policy refuses; views turn it into 403 with the reason."""

    def __init__(self, decision: Decision):
        self.decision = decision
        super().__init__(decision.reason)


def require(user: Any, action: Action, participation: Participation, *, now: datetime | None = None) -> None:
    decision = may(user, action, participation, now=now)
    if not decision:
        raise NotAllowed(decision)
