"""Interview invitations: iCalendar (RFC 5545, made with ``icalendar``) and the e-mails that carry them.

One VEVENT per session. Its UID is made of the session's room name, which never changes, so a calendar that
received the invitation replaces it when a later one (a higher SEQUENCE) comes; times carry the TZID
Asia/Jakarta with its VTIMEZONE. The text is Indonesian (the programme's language), whatever the language
of the page it is downloaded from: the same event goes to every attendee.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event, vCalAddress, vText

from kotacerdas.accounts.models import Role
from kotacerdas.review.interviews import Attendee, attendees, slot_label
from kotacerdas.review.models import InterviewSession

CONTENT_TYPE = "text/calendar; method=REQUEST"
PRODID = "-//Kota Cerdas//Jadwal wawancara//ID"


def _organizer() -> tuple[str, str]:
    """The organiser's name and address, from ``DEFAULT_FROM_EMAIL`` ("Name <address>" or an address)."""
    sender = settings.DEFAULT_FROM_EMAIL
    if "<" in sender:
        name, _sep, rest = sender.partition("<")
        return name.strip() or "Kota Cerdas", rest.rstrip(">").strip()
    return "Kota Cerdas", sender.strip()


def uid(session: InterviewSession) -> str:
    host = urlsplit(settings.PUBLIC_URL).hostname or "kotacerdas"
    return f"{session.room}@{host}"


def summary(session: InterviewSession) -> str:
    return _("Wawancara evaluasi Kota Cerdas %(year)s: %(region)s") % {
        "year": session.participation.cycle.year,
        "region": session.participation.region.table_name,
    }


def _event(session: InterviewSession, people: list[Attendee], stamp: datetime) -> Event:
    zone = ZoneInfo(settings.TIME_ZONE)
    event = Event()
    event.add("uid", uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", summary(session))
    panel = [p.name for p in people if p.role == Role.ASSESSOR]
    event.add(
        "description",
        _("Wawancara evaluasi daring dengan panel asesor (%(panel)s). Tautan rapat: %(url)s")
        % {"panel": ", ".join(panel) or "–", "url": session.meeting_url},
    )
    event.add("location", session.meeting_url)
    event.add("url", session.meeting_url)
    event.add("status", "CONFIRMED" if session.confirmed else "TENTATIVE")
    name, address = _organizer()
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name)
    event["organizer"] = organizer
    for person in people:
        if not person.email:
            continue
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    return event


def calendar(sessions: Iterable[InterviewSession]) -> bytes:
    """One calendar (``METHOD:REQUEST``) with a VEVENT for each session."""
    stamp = datetime.now(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    cal.add("calscale", "GREGORIAN")
    with override(settings.LANGUAGE_CODE):
        for session in sessions:
            cal.add_component(_event(session, attendees(session), stamp))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def filename(session: InterviewSession) -> str:
    return f"wawancara-{session.participation.cycle.year}-{session.participation.region.code}.ics"


def invitation(session: InterviewSession, person: Attendee, ics: bytes) -> EmailMessage:
    """The e-mail inviting ``person`` to ``session``, with its calendar attached (``text/calendar``)."""
    with override(settings.LANGUAGE_CODE):
        context = {
            "name": person.name,
            "year": session.participation.cycle.year,
            "region": session.participation.region.table_name,
            "when": slot_label(session),
            "url": session.meeting_url,
            "page": f"{settings.PUBLIC_URL}/penilaian/wawancara/{session.participation.cycle.year}/",
        }
        message = EmailMessage(
            subject=_("Undangan wawancara evaluasi Kota Cerdas %(year)s: %(region)s") % context,
            body=_(
                "Yth. %(name)s,\n\nWawancara evaluasi Kota Cerdas %(year)s untuk %(region)s dijadwalkan "
                "pada %(when)s, secara daring.\n\nTautan rapat: %(url)s\n\nUndangan kalender terlampir. "
                "Jadwal Anda juga ada di %(page)s\n"
            )
            % context,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
        )
    message.attach(filename(session), ics, CONTENT_TYPE)
    return message
