"""The evaluation team's cycle pages under /kelola/siklus/: every cycle and its state, the next cycle made
from the previous one, and one timeline per cycle (its windows against today, how many regions stand at
each stage, what the admin can do next: open the cycle, schedule interviews, record attendance, publish).

Thin views: parse → admin check (404 for others, like the other management pages) → one service, which
asks the policy again.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kotacerdas.accounts.http import AuthenticatedHttpRequest
from kotacerdas.cycles.models import Attendance, Cycle, FillingRecord, Stage
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.cycles.services import CycleLineageError, open_cycle, record_attendance
from kotacerdas.dashboard.services import start_next_cycle
from kotacerdas.results.services import latest_published, publish_results, unpublished_changes

WINDOWS = (
    ("self_assessment", gettext_lazy("Penilaian mandiri")),
    ("survey", gettext_lazy("Survei warga")),
    ("interviews", gettext_lazy("Wawancara dan penilaian asesor")),
    ("reply", gettext_lazy("Sanggahan")),
)


def _admin(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_admin:
        raise Http404


@dataclass(frozen=True)
class TimelineRow:
    label: str
    opens: date | datetime | None
    closes: date | datetime | None
    state: str  # "done", "now", "later", "unset"


def _state(opens: Any, closes: Any, now: datetime) -> str:
    if opens is None:
        return "unset"
    if closes is not None and closes <= now:
        return "done"
    return "now" if opens <= now else "later"


def timeline(cycle: Cycle, now: datetime) -> list[TimelineRow]:
    """The cycle's steps in order: the invitation (opening), each window, the publication."""
    rows = [
        TimelineRow(
            str(_("Undangan (siklus dibuka)")),
            cycle.opened_at,
            None,
            "done" if cycle.opened_at else "later",
        )
    ]
    for name, label in WINDOWS:
        opens, closes = cycle.window(name)
        shown_opens: Any = opens
        shown_closes: Any = closes
        if name == "interviews":  # whole days, as the letter gives them
            shown_opens, shown_closes = cycle.interviews_start, cycle.interviews_end
        rows.append(TimelineRow(str(label), shown_opens, shown_closes, _state(opens, closes, now)))
    published = latest_published(cycle)
    rows.append(
        TimelineRow(
            str(_("Publikasi hasil")),
            published.published_at if published else cycle.publication_planned,
            None,
            "done" if published else ("unset" if cycle.publication_planned is None else "later"),
        )
    )
    return rows


def _link(name: str, *args: Any) -> str:
    """A URL of another app's page, or "" while that page does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def cycle_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    rows = []
    for cycle in Cycle.objects.select_related("previous").annotate(regions=Count("participations")):
        published = latest_published(cycle)
        if published is not None:
            state = _("Dipublikasikan (revisi %(revision)s)") % {"revision": published.revision}
        elif cycle.is_open:
            state = _("Berjalan")
        else:
            state = _("Dalam persiapan")
        rows.append({"cycle": cycle, "state": state})
    latest = Cycle.objects.order_by("-year").first()
    return render(
        request,
        "dashboard/manage/cycles.html",
        {
            "rows": rows,
            "next_year": latest.year + 1 if latest else timezone.localdate().year,
            "latest": latest,
        },
    )


@login_required
@require_POST
def new_cycle(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    try:
        year, source_year = int(request.POST.get("year", "")), int(request.POST.get("source", ""))
    except ValueError:
        messages.error(request, _("Isi tahun siklus baru dan tahun siklus asalnya."))
        return redirect("cycles_admin:list")
    source = get_object_or_404(Cycle, year=source_year)
    try:
        cycle, _added, _summary = start_next_cycle(source, year, actor=request.user)
    except (CycleLineageError, ValueError) as exc:
        messages.error(request, str(exc))
        return redirect("cycles_admin:list")
    messages.success(
        request,
        _(
            "Siklus %(year)s dibuat dari %(source)s: %(n)s daerah peserta, instrumen disalin. "
            "Siklus dalam persiapan."
        )
        % {"year": cycle.year, "source": source.year, "n": cycle.participations.count()},
    )
    return redirect("cycles_admin:timeline", year=cycle.year)


@login_required
@require_GET
def cycle_timeline(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    _admin(request)
    cycle = get_object_or_404(Cycle.objects.select_related("previous", "opened_by"), year=year)
    counts = dict(cycle.participations.values_list("stage").annotate(n=Count("id")))
    stages = [(label, counts.get(value, 0)) for value, label in Stage.choices]
    published = latest_published(cycle)
    live_differs = (
        bool(unpublished_changes(cycle))
        if published
        else cycle.result_sets.filter(status="live", region_results__isnull=False).exists()
    )
    records = dict(cycle.participations.values_list("attendance").annotate(n=Count("id")))
    return render(
        request,
        "dashboard/manage/timeline.html",
        {
            "cycle": cycle,
            "rows": timeline(cycle, timezone.now()),
            "stages": stages,
            "published": published,
            "live_differs": live_differs,
            "attended": records.get(Attendance.ATTENDED, 0),
            "absent": records.get(Attendance.ABSENT, 0),
            "unrecorded": records.get(Attendance.UNKNOWN, 0),
            "progress_url": _link("manage:progress", cycle.year),
            "interviews_url": _link("manage:interviews", cycle.year),
        },
    )


@login_required
@require_POST
def open_view(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    _admin(request)
    cycle = get_object_or_404(Cycle, year=year)
    if not hasattr(cycle, "instrument"):
        messages.error(request, _("Siklus ini belum memiliki instrumen: impor atau salin dulu."))
    elif open_cycle(cycle, actor=request.user):
        messages.success(request, _("Siklus %(year)s dibuka untuk daerah.") % {"year": year})
    return redirect("cycles_admin:timeline", year=year)


@login_required
@require_POST
def publish_view(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    _admin(request)
    cycle = get_object_or_404(Cycle, year=year)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Tulis alasan publikasi (misalnya nomor surat hasil)."))
        return redirect("cycles_admin:timeline", year=year)
    if request.POST.get("confirm") != "yes":
        # A revision, once published, is public and frozen: only after the admin confirmed it.
        messages.error(request, _("Centang konfirmasi dahulu: hasil belum diterbitkan."))
        return redirect("cycles_admin:timeline", year=year)
    published = publish_results(cycle, actor=request.user, reason=reason)
    messages.success(
        request, _("Hasil dipublikasikan sebagai revisi %(revision)s.") % {"revision": published.revision}
    )
    return redirect("cycles_admin:timeline", year=year)


@login_required
def attendance(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """Per region: filled the self-assessment? attended the interview? (the letter's counts come from it)."""
    _admin(request)
    cycle = get_object_or_404(Cycle, year=year)
    participations = cycle.participations.select_related("cycle", "region").order_by("region__code")
    if request.method == "POST":
        changed = 0
        try:
            for participation in participations:
                filled = request.POST.get(f"filled-{participation.pk}")
                attended = request.POST.get(f"attendance-{participation.pk}")
                if filled is None or attended is None:
                    continue
                if filled not in FillingRecord.values or attended not in Attendance.values:
                    messages.error(
                        request,
                        _("Pilihan tidak dikenal untuk %(region)s.")
                        % {"region": participation.region.table_name},
                    )
                    return redirect("cycles_admin:attendance", year=year)
                changed += record_attendance(
                    participation,
                    filled=FillingRecord(filled),
                    attendance=Attendance(attended),
                    actor=request.user,
                )
        except NotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("cycles_admin:attendance", year=year)
        messages.success(request, _("%(n)s catatan daerah diubah.") % {"n": changed})
        return redirect("cycles_admin:attendance", year=year)
    return render(
        request,
        "dashboard/manage/attendance.html",
        {
            "cycle": cycle,
            "participations": participations,
            "filling": FillingRecord.choices,
            "attendance": Attendance.choices,
        },
    )
