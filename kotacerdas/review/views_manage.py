"""The evaluation team's pages: progress of every region and assessor, panels, returns, invitations, a
question's full history and the interview schedule. Admins only (others get 404, as for anything they may
not see)."""

import csv
import io
from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kotacerdas.accounts.http import AuthenticatedHttpRequest
from kotacerdas.accounts.models import Role, User
from kotacerdas.accounts.services import AccountError, invite_user
from kotacerdas.audit.models import AuditEvent
from kotacerdas.cycles.models import Cycle, FillingRecord, Participation, Stage
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.regions.models import Region
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import RegionResolver
from kotacerdas.review import services
from kotacerdas.review.forms import (
    AssignForm,
    BulkAssignForm,
    InviteForm,
    ReturnForm,
    ScheduleForm,
    UnavailabilityForm,
)
from kotacerdas.review.history import describe
from kotacerdas.review.interviews import scheduled_participations, session_row
from kotacerdas.review.models import Assessor, Assignment, InterviewSession, Unavailability
from kotacerdas.selfassessment.models import Answer
from kotacerdas.selfassessment.services import return_self_assessment

# The programme's usual panel: about five assessors per region (the seed's Badung had five).
PANEL_SIZE = 5


def admin_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request.user, "is_admin", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@admin_only
@require_GET
def progress(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year)
    participations = (
        Participation.objects.filter(cycle=cycle)
        .select_related("region")
        .annotate(
            answered=Count("answers", filter=Q(answers__level__isnull=False), distinct=True),
            panel=Count("assignments", distinct=True),
            submitted_reviews=Count(
                "assignments", filter=Q(assignments__submitted_at__isnull=False), distinct=True
            ),
            open_replies=Count("replies", filter=Q(replies__status="open"), distinct=True),
        )
        .order_by("region__code")
    )
    stage_filter = request.GET.get("stage", "")
    rows = [p for p in participations if not stage_filter or p.stage == stage_filter]
    workload = (
        Assessor.objects.filter(assignments__participation__cycle=cycle)
        .annotate(
            regions=Count("assignments", distinct=True),
            done=Count("assignments", filter=Q(assignments__submitted_at__isnull=False), distinct=True),
        )
        .order_by("-regions", "name")
    )
    return render(
        request,
        "review/manage/progress.html",
        {
            "cycle": cycle,
            "rows": rows,
            "stages": Stage.choices,
            "stage_filter": stage_filter,
            "counts": Counter(p.stage for p in participations),
            "panel_size": PANEL_SIZE,
            "workload": workload,
            "not_filled": [p for p in participations if p.self_assessment != FillingRecord.FILLED],
            "reminders": _reminder_preview(cycle),
            "questions": cycle.instrument.questions.filter(dimension__kind="assessed").count()
            if hasattr(cycle, "instrument")
            else 0,
        },
    )


def _reminder_preview(cycle: Cycle) -> dict[str, Any]:
    """Who the reminder button would mail now (region, window, closing time), or when it next would."""
    from kotacerdas.review.reminders import due_reminders, next_reminder_day

    due = due_reminders(cycle)
    names = dict(Region.objects.filter(code__in={r.region_code for r in due}).values_list("code", "name"))
    return {
        "due": [{"reminder": r, "region": names.get(r.region_code, r.region_code)} for r in due],
        "next": None if due else next_reminder_day(cycle),
    }


@admin_only
def region(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    participation = get_object_or_404(
        Participation.objects.select_related("cycle", "region"), cycle__year=year, region__code=code
    )
    assign_form = AssignForm(request.POST if request.POST.get("action") == "assign" else None)
    return_form = ReturnForm(request.POST if request.POST.get("action") == "return" else None)
    if request.method == "POST":
        try:
            if assign_form.is_bound and assign_form.is_valid():
                _assign(participation, assign_form.cleaned_data["email"], actor=request.user)
                messages.success(request, _("Asesor ditugaskan."))
                return redirect("manage:region", year=year, code=code)
            if return_form.is_bound and return_form.is_valid():
                return_self_assessment(participation, return_form.cleaned_data["reason"], actor=request.user)
                messages.success(request, _("Penilaian mandiri dikembalikan ke daerah."))
                return redirect("manage:region", year=year, code=code)
        except (services.ConflictOfInterestError, ValueError) as exc:
            messages.error(request, str(exc))
        except NotAllowed as exc:
            messages.error(request, exc.decision.reason)
    answers = {
        a.question.number: a
        for a in Answer.objects.filter(participation=participation).select_related("question")
    }
    return render(
        request,
        "review/manage/region.html",
        {
            "participation": participation,
            "assign_form": assign_form,
            "return_form": return_form,
            "assignments": participation.assignments.select_related("assessor").order_by("position"),
            "questions": participation.cycle.instrument.questions.order_by("number"),
            "answers": answers,
            "interview": InterviewSession.objects.filter(participation=participation).first(),
        },
    )


def _assign(participation: Participation, email: str, *, actor: User) -> Assignment:
    user = User.objects.filter(email__iexact=email, role=Role.ASSESSOR, is_active=True).first()
    if user is None:
        raise ValueError(_("Tidak ada akun asesor aktif dengan e-mail %(email)s.") % {"email": email})
    assignment, _created = services.assign_assessor(
        participation, services.ensure_assessor_profile(user), actor=actor
    )
    return assignment


@admin_only
def bulk_assign(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """Assign from a CSV (``region,assessor_email``): every row is checked first; all or nothing."""
    cycle = get_object_or_404(Cycle, year=year)
    form = BulkAssignForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(_("Berkas bukan teks UTF-8."))
            text = ""
        reader = csv.DictReader(io.StringIO(text))
        resolver = RegionResolver()
        planned = []
        if text and set(reader.fieldnames or []) != {"region", "assessor_email"}:
            problems.append(_("Baris 1: kolom harus region,assessor_email."))
        else:
            for row in reader:
                line = reader.line_num
                try:
                    participation = cycle.participations.get(region=resolver.resolve(row["region"]))
                except RegionNameError as exc:
                    problems.append(f"{_('Baris')} {line}: region={row['region']!r}: {exc}")
                    continue
                except Participation.DoesNotExist:
                    problems.append(
                        f"{_('Baris')} {line}: region={row['region']!r}: {_('tidak ikut siklus ini')}"
                    )
                    continue
                planned.append((line, participation, row["assessor_email"].strip()))
        if not problems:
            try:
                with transaction.atomic():
                    for line, participation, email in planned:
                        try:
                            _assign(participation, email, actor=request.user)
                        except (ValueError, NotAllowed) as exc:
                            reason = exc.decision.reason if isinstance(exc, NotAllowed) else str(exc)
                            problems.append(f"{_('Baris')} {line}: assessor_email={email!r}: {reason}")
                    if problems:
                        raise _Rollback
            except _Rollback:
                pass
        if not problems:
            messages.success(request, _("%(n)s penugasan diproses.") % {"n": len(planned)})
            return redirect("manage:progress", year=year)
    return render(
        request, "review/manage/bulk_assign.html", {"cycle": cycle, "form": form, "problems": problems}
    )


class _Rollback(Exception):
    pass


@admin_only
@require_GET
def question_history(request: HttpRequest, year: int, code: str, number: int) -> HttpResponse:
    participation = get_object_or_404(
        Participation.objects.select_related("cycle", "region"), cycle__year=year, region__code=code
    )
    question = get_object_or_404(participation.cycle.instrument.questions, number=number)
    events = (
        AuditEvent.objects.filter(cycle_year=year, region_code=code, question_number=number)
        .select_related("actor")
        .order_by("at", "id")
    )
    return render(
        request,
        "review/manage/question_history.html",
        {"participation": participation, "question": question, "entries": [describe(e) for e in events]},
    )


@admin_only
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    link = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            region = RegionResolver().resolve(data["region"]) if data["region"] else None
            link = invite_user(
                data["email"],
                data["role"],
                base_url=settings.PUBLIC_URL,
                region=region,
                institution=data["institution"],
                name=data["name"],
                actor=request.user,
            )
            if data["role"] == Role.ASSESSOR:
                services.ensure_assessor_profile(User.objects.get(email__iexact=data["email"]))
            messages.success(request, _("Undangan terkirim ke %(email)s.") % {"email": data["email"]})
        except (RegionNameError, AccountError) as exc:
            form.add_error(None, str(exc))
    return render(request, "review/manage/invite.html", {"form": form, "link": link})


@admin_only
@require_POST
def remind(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    from kotacerdas.review.reminders import send_due_reminders

    sent = send_due_reminders(get_object_or_404(Cycle, year=year), actor=request.user)
    if sent:
        names = dict(
            Region.objects.filter(code__in={r.region_code for r in sent}).values_list("code", "name")
        )
        recipients = "; ".join(
            f"{r.user.email} ({names.get(r.region_code, r.region_code)}, {r.label})" for r in sent
        )
        messages.success(
            request,
            _("%(n)s pengingat terkirim, kepada: %(recipients)s.")
            % {"n": len(sent), "recipients": recipients},
        )
    else:
        messages.info(request, _("Tidak ada pengingat yang jatuh tempo: tidak ada yang dikirim."))
    return redirect("manage:progress", year=year)


# --- the interview schedule -------------------------------------------------------------------------------


@admin_only
@require_GET
def interviews(request: HttpRequest, year: int) -> HttpResponse:
    """The cycle's interview schedule: build it, confirm it, and the declared unavailable days."""
    cycle = get_object_or_404(Cycle, year=year)
    sessions = list(
        InterviewSession.objects.filter(participation__cycle=cycle)
        .select_related("participation__region", "participation__cycle")
        .prefetch_related("participation__assignments__assessor__user")
    )
    loads: Counter[str] = Counter()
    for session in sessions:
        for assignment in session.participation.assignments.all():
            loads[str(assignment.assessor)] += 1
    scheduled = {s.participation_id for s in sessions}
    waiting = [p for p in scheduled_participations(cycle) if p.pk not in scheduled]
    unavailable = Unavailability.objects.select_related("assessor", "region")
    if cycle.interviews_start and cycle.interviews_end:
        unavailable = unavailable.filter(day__range=(cycle.interviews_start, cycle.interviews_end))
    return render(
        request,
        "review/manage/interviews.html",
        {
            "cycle": cycle,
            "rows": [session_row(s) for s in sessions],
            "confirmed": sum(1 for s in sessions if s.confirmed),
            "waiting": waiting,
            "loads": sorted(loads.items(), key=lambda item: (-item[1], item[0])),
            "unavailable": unavailable,
            "schedule_form": ScheduleForm(),
            "unavailability_form": UnavailabilityForm(),
        },
    )


def _form_errors(request: HttpRequest, form: Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def _refusal(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, NotAllowed):
        messages.error(request, exc.decision.reason)
    elif isinstance(exc, services.InterviewScheduleError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))


@admin_only
@require_POST
def schedule_interviews(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("manage:interviews", year=year)
    data = form.cleaned_data
    options = services.ScheduleOptions(
        panel_size=data["panel_size"],
        daily_cap=data["daily_cap"],
        slots=data["plan"],
        include_unsubmitted=data["include_unsubmitted"],
    )
    try:
        outcome = services.schedule_interviews(cycle, actor=request.user, options=options)
    except (services.InterviewScheduleError, NotAllowed) as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request,
            _(
                "Jadwal disusun: %(sessions)s sesi (%(created)s baru, %(moved)s dipindah, %(kept)s "
                "terkonfirmasi tetap); %(assigned)s asesor ditambahkan ke panel."
            )
            % {
                "sessions": outcome.sessions,
                "created": outcome.created,
                "moved": outcome.moved,
                "kept": outcome.kept,
                "assigned": outcome.assigned,
            },
        )
    return redirect("manage:interviews", year=year)


@admin_only
@require_POST
def confirm_interviews(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year)
    regions = request.POST.getlist("region") or None
    if request.POST.get("confirm") != "yes":
        # Confirming fixes the sessions and mails every panel and region: only once the admin said so.
        messages.error(request, _("Centang konfirmasi dahulu: belum ada sesi yang dikonfirmasi."))
        return redirect("manage:interviews", year=year)
    try:
        confirmed, sent = services.confirm_interviews(cycle, actor=request.user, regions=regions)
    except NotAllowed as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request,
            _("%(confirmed)s sesi dikonfirmasi; %(sent)s undangan terkirim.")
            % {"confirmed": confirmed, "sent": sent},
        )
    return redirect("manage:interviews", year=year)


@admin_only
@require_POST
def unconfirm_interview(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    session = get_object_or_404(
        InterviewSession.objects.select_related("participation__cycle", "participation__region"),
        participation__cycle__year=year,
        participation__region__code=code,
    )
    try:
        services.unconfirm_interview(session, actor=request.user)
    except NotAllowed as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request, _("Konfirmasi sesi dibatalkan: penyusunan berikutnya dapat memindahkannya.")
        )
    return redirect("manage:interviews", year=year)


@admin_only
@require_POST
def add_unavailability(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year)
    form = UnavailabilityForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("manage:interviews", year=year)
    data = form.cleaned_data
    try:
        if data["kind"] == "assessor":
            user = User.objects.filter(email__iexact=data["who"], role=Role.ASSESSOR).first()
            if user is None:
                raise ValueError(_("Tidak ada akun asesor dengan e-mail %(email)s.") % {"email": data["who"]})
            who: dict[str, Any] = {"assessor": services.ensure_assessor_profile(user)}
        else:
            who = {"region": RegionResolver().resolve(data["who"])}
        services.declare_unavailability(cycle, data["day"], data["reason"], actor=request.user, **who)
    except (services.InterviewScheduleError, NotAllowed, RegionNameError, ValueError) as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Hari berhalangan dicatat."))
    return redirect("manage:interviews", year=year)


@admin_only
@require_POST
def withdraw_unavailability(request: AuthenticatedHttpRequest, year: int, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year)
    entry = get_object_or_404(Unavailability, pk=pk)
    try:
        services.withdraw_unavailability(entry, cycle, actor=request.user)
    except NotAllowed as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Hari berhalangan dihapus."))
    return redirect("manage:interviews", year=year)
