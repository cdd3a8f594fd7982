"""Reminder e-mails before each deadline, for a daily cron job (`kotacerdas send-reminders`).

A reminder goes out when a window closes within ``DAYS_BEFORE`` days, to those who still have work in it:
operators whose self-assessment is not submitted, assessors whose review is not submitted, operators whose
draft scores may still be contested. Each (window, recipient, region) is reminded once per threshold; the
audit trail remembers what was sent, so running the command twice sends nothing new.
"""

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


def send_reminders(cycle: Cycle, *, actor: User | SystemActor, now: datetime | None = None) -> int:
    """Mail each person with work left before a window closes, once per threshold; returns how many."""
    now = now or timezone.now()
    sent = 0
    for window, label in (
        ("self_assessment", _("penilaian mandiri")),
        ("interviews", _("penilaian asesor")),
        ("reply", _("sanggahan")),
    ):
        _opens, closes = cycle.window(window)
        if closes is None or (threshold := _threshold(closes, now)) is None:
            continue
        for user, region_code in _recipients(cycle, window):
            key = f"{cycle.year}:{window}:{threshold}:{region_code}:{user.pk}"
            if AuditEvent.objects.filter(action="reminder.sent", object_id=key).exists():
                continue
            with override(settings.LANGUAGE_CODE):
                send_mail(
                    subject=_("Pengingat: jadwal %(window)s berakhir %(when)s")
                    % {"window": label, "when": date_format(timezone.localtime(closes), "j F Y H:i")},
                    message=_(
                        "Jadwal %(window)s untuk %(region)s ditutup pada %(when)s WIB. Mohon selesaikan "
                        "sebelum batas waktu di %(url)s."
                    )
                    % {
                        "window": label,
                        "region": region_code,
                        "when": date_format(timezone.localtime(closes), "j F Y H:i"),
                        "url": settings.PUBLIC_URL,
                    },
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[user.email],
                )
            record_event(
                "reminder.sent", actor=actor, object_type="reminder", object_id=key, new={"to": user.email}
            )
            sent += 1
    return sent
