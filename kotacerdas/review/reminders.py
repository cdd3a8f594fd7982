"""Reminder e-mails before each deadline, for a daily cron job (`kotacerdas send-reminders`).

A reminder goes out when a window closes within ``DAYS_BEFORE`` days, to those who still have work in it:
operators whose self-assessment is not submitted, assessors whose review is not submitted, operators whose
draft scores may still be contested. Each (window, recipient, region) is reminded once per threshold; the
audit trail remembers what was sent, so running the command twice sends nothing new.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from kotacerdas.accounts.models import Role, User
from kotacerdas.audit.models import AuditEvent
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Cycle, Stage
from kotacerdas.review.models import Assignment

DAYS_BEFORE = (3, 1)


def _threshold(closes: datetime, now: datetime) -> int | None:
    """The smallest reminder threshold (in days) the remaining time is under, if the window is still open."""
    if now >= closes:
        return None
    remaining = closes - now
    hits = [days for days in DAYS_BEFORE if remaining <= timedelta(days=days)]
    return min(hits) if hits else None


def _recipients(cycle: Cycle, window: str) -> list[tuple[User, str]]:
    participations = cycle.participations.select_related("region")
    if window == "self_assessment":
        pending = participations.filter(stage__in=[Stage.NOT_STARTED, Stage.DRAFT])
        return [
            (u, p.region.code)
            for p in pending
            for u in User.objects.filter(role=Role.OPERATOR, region=p.region, is_active=True)
        ]
    if window == "interviews":
        assignments = Assignment.objects.filter(
            participation__cycle=cycle, submitted_at__isnull=True, assessor__user__is_active=True
        ).select_related("assessor__user", "participation__region")
        return [(a.assessor.user, a.participation.region.code) for a in assignments if a.assessor.user]
    pending = participations.filter(stage=Stage.SCORED)
    return [
        (u, p.region.code)
        for p in pending
        for u in User.objects.filter(role=Role.OPERATOR, region=p.region, is_active=True)
    ]


WINDOWS = ("self_assessment", "interviews", "reply")


def _labels() -> dict[str, str]:
    return {
        "self_assessment": _("penilaian mandiri"),
        "interviews": _("penilaian asesor"),
        "reply": _("sanggahan"),
    }


@dataclass(frozen=True)
class Reminder:
    """One reminder that is due: to whom, for which region and window, and when that window closes."""

    window: str
    label: str
    closes: datetime
    user: User
    region_code: str
    key: str


def due_reminders(cycle: Cycle, now: datetime | None = None) -> list[Reminder]:
    """The reminders that sending now would mail (those already sent for this threshold left out)."""
    now = now or timezone.now()
    due = []
    labels = _labels()
    for window in WINDOWS:
        _opens, closes = cycle.window(window)
        if closes is None or (threshold := _threshold(closes, now)) is None:
            continue
        for user, region_code in _recipients(cycle, window):
            key = f"{cycle.year}:{window}:{threshold}:{region_code}:{user.pk}"
            if AuditEvent.objects.filter(action="reminder.sent", object_id=key).exists():
                continue
            due.append(Reminder(window, labels[window], closes, user, region_code, key))
    return due


def next_reminder_day(cycle: Cycle, now: datetime | None = None) -> tuple[datetime, str] | None:
    """When reminders next fall due (the earliest threshold still ahead of a window that has not closed),
    with that window's label; None when no window of the cycle will close any more."""
    now = now or timezone.now()
    ahead = []
    for window in WINDOWS:
        _opens, closes = cycle.window(window)
        if closes is None or closes <= now:
            continue
        ahead += [
            (closes - timedelta(days=days), window)
            for days in DAYS_BEFORE
            if closes - timedelta(days=days) > now
        ]
    if not ahead:
        return None
    when, window = min(ahead)
    return when, _labels()[window]


def send_reminders(cycle: Cycle, *, actor: User | SystemActor, now: datetime | None = None) -> int:
    """Mail each person with work left before a window closes, once per threshold; returns how many."""
    return len(send_due_reminders(cycle, actor=actor, now=now))


def send_due_reminders(
    cycle: Cycle, *, actor: User | SystemActor, now: datetime | None = None
) -> list[Reminder]:
    """Send the reminders ``due_reminders`` lists; returns them (what was sent, to whom)."""
    sent = []
    for reminder in due_reminders(cycle, now):
        closes = date_format(timezone.localtime(reminder.closes), "j F Y H:i")
        with override(settings.LANGUAGE_CODE):
            send_mail(
                subject=_("Pengingat: jadwal %(window)s berakhir %(when)s")
                % {"window": reminder.label, "when": closes},
                message=_(
                    "Jadwal %(window)s untuk %(region)s ditutup pada %(when)s WIB. Mohon selesaikan "
                    "sebelum batas waktu di %(url)s."
                )
                % {
                    "window": reminder.label,
                    "region": reminder.region_code,
                    "when": closes,
                    "url": settings.PUBLIC_URL,
                },
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[reminder.user.email],
            )
        record_event(
            "reminder.sent",
            actor=actor,
            object_type="reminder",
            object_id=reminder.key,
            new={"to": reminder.user.email},
        )
        sent.append(reminder)
    return sent
