"""Interview sessions for the people in them: the list and the iCalendar downloads. An operator sees their
own region's confirmed session, an assessor those of their panels, an admin every one (drafts included);
another region's answers 404."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from kotacerdas.cycles.access import visible_participation
from kotacerdas.cycles.models import Cycle
from kotacerdas.review import invitations
from kotacerdas.review.interviews import session_row, visible_sessions

ICS = "text/calendar; charset=utf-8"


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def interviews(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year)
    sessions = visible_sessions(request.user, cycle)
    rows = [session_row(s) for s in sessions]
    return render(request, "review/interviews.html", {"cycle": cycle, "rows": rows})


@login_required
@require_GET
def interviews_ics(request: HttpRequest, year: int) -> HttpResponse:
    """Every session the user may see, as one calendar."""
    cycle = get_object_or_404(Cycle, year=year)
    return _download(invitations.calendar(visible_sessions(request.user, cycle)), f"wawancara-{year}.ics")


@login_required
@require_GET
def interview_ics(request: HttpRequest, year: int, code: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    session = get_object_or_404(
        visible_sessions(request.user, participation.cycle), participation=participation
    )
    return _download(invitations.calendar([session]), invitations.filename(session))
