"""The interview schedule's reads and wording: the day's slots, who a session invites, the sessions a user may
see, and why no schedule could be made, in the user's language. The writes (building, confirming, declaring
unavailable days, recording invitations) are in ``services.py``; the model is ``scheduling.py``."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import Role, User
from kotacerdas.cycles.models import Cycle, Participation, Stage
from kotacerdas.review.models import InterviewSession
from kotacerdas.review.scheduling import Reason, ReasonKind

# The regions interviewed: their self-assessment is submitted (the interview checks it) and their evaluation
# is not final (a final one takes no new panel member).
SCHEDULED_STAGES = (Stage.SUBMITTED, Stage.UNDER_REVIEW, Stage.SCORED, Stage.REPLIED)
# With ``include_unsubmitted`` (a practice run, or a schedule drawn up before the self-assessment closes):
# every participation that is not final.
PRACTICE_STAGES = (*SCHEDULED_STAGES, Stage.NOT_STARTED, Stage.DRAFT)


@dataclass(frozen=True, slots=True)
class SlotPlan:
    """The day's interview slots, local time (Asia/Jakarta): their starts, all of one length."""

    starts: tuple[time, ...] = (time(8, 0), time(10, 0), time(13, 0), time(15, 0))
    minutes: int = 120

    def __post_init__(self) -> None:
        if not self.starts or self.minutes < 1:
            raise ValueError(_("Minimal satu sesi per hari, masing-masing minimal satu menit."))
        ends = [datetime.combine(date.min, t) + timedelta(minutes=self.minutes) for t in self.starts]
        for start, previous_end in zip(self.starts[1:], ends, strict=False):
            if datetime.combine(date.min, start) < previous_end:
                raise ValueError(
                    _("Sesi pukul %(time)s tumpang tindih dengan sesi sebelumnya.")
                    % {"time": start.strftime("%H:%M")}
                )
        if ends[-1] > datetime.combine(date.min, time.max):
            raise ValueError(_("Sesi terakhir melewati tengah malam."))

    @classmethod
    def parse(cls, starts: str, minutes: int) -> "SlotPlan":
        """From ``"08:00,10:00,13:00,15:00"`` and the sessions' length in minutes."""
        try:
            parsed = tuple(time.fromisoformat(part.strip()) for part in starts.split(",") if part.strip())
        except ValueError as exc:
            raise ValueError(
                _("Jam mulai sesi harus berbentuk JJ:MM, dipisahkan koma (%(text)s).") % {"text": starts}
            ) from exc
        return cls(parsed, minutes)

    def text(self) -> str:
        return ",".join(t.strftime("%H:%M") for t in self.starts)

    def bounds(self, day: date, slot: int) -> tuple[datetime, datetime]:
        starts = datetime.combine(day, self.starts[slot], ZoneInfo(settings.TIME_ZONE))
        return starts, starts + timedelta(minutes=self.minutes)

    def slot_of(self, starts_at: datetime, ends_at: datetime) -> int | None:
        """The slot a session kept from an earlier plan overlaps most (None when it overlaps none)."""
        local = starts_at.astimezone(ZoneInfo(settings.TIME_ZONE))
        best, overlap = None, timedelta(0)
        for slot in range(len(self.starts)):
            start, end = self.bounds(local.date(), slot)
            shared = min(end, ends_at) - max(start, starts_at)
            if shared > overlap:
                best, overlap = slot, shared
        return best


def scheduled_participations(cycle: Cycle, *, include_unsubmitted: bool = False) -> QuerySet[Participation]:
    stages = PRACTICE_STAGES if include_unsubmitted else SCHEDULED_STAGES
    return cycle.participations.filter(stage__in=stages).select_related("region", "cycle")


def visible_sessions(user: Any, cycle: Cycle) -> QuerySet[InterviewSession]:
    """The sessions ``user`` may see: every one for an admin; the confirmed sessions of the regions they
    may see (``Participation.objects.visible_to``) for anyone else. A draft schedule may still change, so
    it stays with the admins."""
    sessions = InterviewSession.objects.filter(
        participation__in=Participation.objects.visible_to(user).filter(cycle=cycle)
    )
    if not getattr(user, "is_admin", False):
        sessions = sessions.filter(confirmed_at__isnull=False)
    return sessions.select_related("participation__region", "participation__cycle").prefetch_related(
        "participation__assignments__assessor__user"
    )


def interview_years(user: Any) -> list[int]:
    """The cycles in which ``user`` has an interview session to see, newest first."""
    sessions = InterviewSession.objects.filter(participation__in=Participation.objects.visible_to(user))
    if not getattr(user, "is_admin", False):
        sessions = sessions.filter(confirmed_at__isnull=False)
    years = sessions.values_list("participation__cycle__year", flat=True).distinct()
    return sorted(set(years), reverse=True)


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    email: str  # empty for an assessor without an account (a historic name): invited by no one
    role: str  # "assessor" or "operator"


def attendees(session: InterviewSession) -> list[Attendee]:
    """Who a session invites: the panel's assessors in their order, then the region's active operators."""
    people = [
        Attendee(str(a.assessor.name), a.assessor.user.email if a.assessor.user else "", Role.ASSESSOR)
        for a in sorted(session.participation.assignments.all(), key=lambda a: (a.position, a.pk))
        if a.assessor.user is None or a.assessor.user.is_active
    ]
    operators = User.objects.filter(
        role=Role.OPERATOR, region_id=session.participation.region_id, is_active=True
    ).order_by("email")
    people += [Attendee(u.get_full_name() or u.email, u.email, Role.OPERATOR) for u in operators]
    return people


def session_row(session: InterviewSession) -> dict[str, Any]:
    """What a page shows of a session: the session, its time in words, its panel's names."""
    assignments = sorted(session.participation.assignments.all(), key=lambda a: (a.position, a.pk))
    panel = [str(a.assessor.name) for a in assignments]
    return {"session": session, "when": slot_label(session), "panel": panel}


def slot_label(session: InterviewSession) -> str:
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return f"{date_format(start, 'l, j F Y')} {start:%H.%M}–{end:%H.%M} WIB"


_MESSAGES: Mapping[ReasonKind, Callable[[], str]] = {
    ReasonKind.NO_DAYS: lambda: _("Jadwal wawancara siklus ini tidak memuat satu pun hari kerja."),
    ReasonKind.REGION_NO_DAY: lambda: _(
        "%(region)s: tidak ada hari yang bisa dipakai (hari berhalangan daerah atau asesor panelnya, atau "
        "terlalu sedikit asesor yang bebas)."
    ),
    ReasonKind.TOO_FEW_ASSESSORS: lambda: _(
        "%(region)s: hanya %(count)s asesor yang boleh ditambahkan ke panel, perlu %(limit)s (konflik "
        "kepentingan atau sudah di panel)."
    ),
    ReasonKind.CONFIRMED_OUTSIDE: lambda: _(
        "%(region)s: sesi yang sudah dikonfirmasi (%(day)s) berada di luar hari atau sesi jadwal ini."
    ),
    ReasonKind.CONFIRMED_UNAVAILABLE: lambda: _(
        "%(region)s: sesi yang sudah dikonfirmasi jatuh pada %(day)s, hari berhalangan %(who)s."
    ),
    ReasonKind.CONFIRMED_DOUBLE_BOOKED: lambda: _(
        "%(region)s: sesi yang sudah dikonfirmasi pada %(day)s bentrok dengan sesi lain %(who)s."
    ),
    ReasonKind.CONFIRMED_OVER_CAP: lambda: _(
        "%(who)s: %(count)s sesi terkonfirmasi pada %(day)s, melebihi batas %(limit)s per hari."
    ),
    ReasonKind.CAPACITY: lambda: _(
        "Kursi panel yang harus diisi (%(count)s) melebihi yang dapat diduduki para asesor dalam hari "
        "bebas mereka dan batas harian (%(limit)s)."
    ),
    ReasonKind.NO_SOLUTION: lambda: _(
        "Tidak ada jadwal yang memenuhi semua syarat sekaligus: tambah asesor, hari, sesi per hari atau "
        "batas harian, atau kurangi hari berhalangan."
    ),
    ReasonKind.TIMEOUT: lambda: _(
        "Tidak ditemukan jadwal dalam %(limit)s detik: coba lagi dengan batas waktu lebih panjang."
    ),
}


def describe(reason: Reason, names: Mapping[str, str]) -> str:
    """The reason in the user's language; ``names`` gives the region's and the assessor's display names."""
    return _MESSAGES[reason.kind]() % {
        "region": names.get(reason.region, reason.region),
        "who": names.get(reason.assessor, reason.assessor) if reason.assessor else _("daerah ini"),
        "day": date_format(reason.day, "j F Y") if reason.day else "",
        "count": reason.count,
        "limit": reason.limit,
    }
