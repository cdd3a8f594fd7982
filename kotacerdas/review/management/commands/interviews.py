import csv
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kotacerdas.accounts.models import Role, User
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.regions.services import resolve_region
from kotacerdas.review import invitations
from kotacerdas.review.interviews import attendees
from kotacerdas.review.models import InterviewSession

COLUMNS = [
    "region_code",
    "region",
    "date",
    "starts_at",
    "ends_at",
    "confirmed",
    "meeting_url",
    "assessors",
    "assessor_emails",
]


class Command(CycleCommand):
    help = "Print the cycle's interview schedule (CSV, or an iCalendar file of every session)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--format", choices=["csv", "ics"], default="csv")
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--region", help="one region (code or name)")
        who.add_argument("--assessor", help="one assessor's sessions (e-mail)")

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        sessions = self._sessions(cycle, options["region"], options["assessor"])
        if options["format"] == "ics":
            self.stdout.write(invitations.calendar(sessions).decode(), ending="")
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for session in sessions:
            panel = [p for p in attendees(session) if p.role == Role.ASSESSOR]
            writer.writerow(
                [
                    session.participation.region.code,
                    session.participation.region.table_name,
                    session.day.isoformat(),
                    timezone.localtime(session.starts_at).isoformat(),
                    timezone.localtime(session.ends_at).isoformat(),
                    "yes" if session.confirmed else "no",
                    session.meeting_url,
                    "; ".join(p.name for p in panel),
                    "; ".join(p.email for p in panel),
                ]
            )

    def _sessions(self, cycle: Cycle, region: str | None, assessor: str | None) -> QuerySet[InterviewSession]:
        sessions = (
            InterviewSession.objects.filter(participation__cycle=cycle)
            .select_related("participation__region", "participation__cycle")
            .prefetch_related("participation__assignments__assessor__user")
        )
        if region:
            sessions = sessions.filter(participation__region=resolve_region(region))
        if assessor:
            if not User.objects.filter(email__iexact=assessor, role=Role.ASSESSOR).exists():
                raise CommandError(_("Tidak ada akun asesor %(email)s.") % {"email": assessor})
            sessions = sessions.filter(participation__assignments__assessor__user__email__iexact=assessor)
        return sessions
