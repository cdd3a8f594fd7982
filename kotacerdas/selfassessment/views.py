"""The operator's self-assessment: overview, one page per dimension with autosave, evidence, programmes.

Views only parse, check visibility (404) and call one service; the policy refuses out-of-window or
out-of-role writes (403 with the reason, see kotacerdas.middleware.PolicyRefusalMiddleware).
"""

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kotacerdas.accounts.http import AuthenticatedHttpRequest
from kotacerdas.cycles.access import visible_participation
from kotacerdas.cycles.models import Participation
from kotacerdas.cycles.policy import Action, may, require
from kotacerdas.instrument.models import Dimension, DimensionKind
from kotacerdas.regions.services import RegionResolver
from kotacerdas.selfassessment import services
from kotacerdas.selfassessment.forms import EvidenceForm, ProgrammeForm
from kotacerdas.selfassessment.models import Answer, Evidence, Programme, SelfAssessment

QUESTION_TAG = "question-"


def _messages_by_question(request: HttpRequest) -> tuple[list[Any], dict[int, list[Any]]]:
    """This request's messages: those about one question (tagged ``question-N``) by its number, the rest."""
    general: list[Any] = []
    by_question: dict[int, list[Any]] = {}
    for message in messages.get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t.startswith(QUESTION_TAG)), "")
        number = tag.removeprefix(QUESTION_TAG)
        if number.isdigit():
            by_question.setdefault(int(number), []).append(message)
        else:
            general.append(message)
    return general, by_question


def _dimensions(participation: Participation) -> list[Dimension]:
    return list(
        Dimension.objects.filter(instrument__cycle=participation.cycle, kind=DimensionKind.ASSESSED).order_by(
            "order"
        )
    )


@login_required
@require_GET
def overview(request: HttpRequest, year: int, code: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    answers = {a.question_id: a for a in Answer.objects.filter(participation=participation)}
    rows = []
    for dimension in _dimensions(participation):
        questions = list(dimension.questions.all())
        done = sum(1 for q in questions if q.pk in answers and answers[q.pk].is_complete)
        rows.append({"dimension": dimension, "total": len(questions), "done": done})
    return render(
        request,
        "selfassessment/overview.html",
        {
            "participation": participation,
            "rows": rows,
            "form_state": SelfAssessment.objects.filter(participation=participation).first(),
            "can_edit": may(request.user, Action.ANSWER, participation),
            "can_submit": may(request.user, Action.SUBMIT_SELF_ASSESSMENT, participation),
            "missing": services.incomplete_questions(participation),
            "programme_count": participation.programmes.count(),
        },
    )


@login_required
@require_GET
def dimension_page(request: HttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    dim = get_object_or_404(
        Dimension, instrument__cycle=participation.cycle, code=dimension, kind=DimensionKind.ASSESSED
    )
    answers = {a.question_id: a for a in Answer.objects.filter(participation=participation)}
    evidence: dict[int, list[Evidence]] = {}
    for e in Evidence.objects.filter(participation=participation, removed_at__isnull=True):
        evidence.setdefault(e.question_id, []).append(e)
    items: list[dict[str, Any]] = [
        {
            "question": q,
            "answer": answers.get(q.pk),
            "evidence": evidence.get(q.pk, []),
            "levels": [
                (level, q.levels.get(str(level), "")) for level in range(q.scale_min, q.scale_max + 1)
            ],
        }
        for q in dim.questions.select_related("indicator").order_by("number")
    ]
    dimensions = _dimensions(participation)
    general, by_question = _messages_by_question(request)
    for item in items:
        item["messages"] = by_question.pop(item["question"].number, [])
    general += [message for rest in by_question.values() for message in rest]
    return render(
        request,
        "selfassessment/dimension.html",
        {
            "participation": participation,
            "dimension": dim,
            "items": items,
            "dimensions": dimensions,
            "can_edit": may(request.user, Action.ANSWER, participation),
            "evidence_form": EvidenceForm(),
            "general_messages": general,
        },
    )


def _question(participation: Participation, number: int) -> Any:
    question = (
        participation.cycle.instrument.questions.filter(number=number)
        .select_related("dimension", "instrument")
        .first()
    )
    if question is None:
        raise Http404
    return question


@login_required
@require_POST
def save_answer(request: AuthenticatedHttpRequest, year: int, code: str, number: int) -> JsonResponse:
    participation = visible_participation(request.user, year, code)
    question = _question(participation, number)
    try:
        body = json.loads(request.body or b"{}")
        save_id = uuid.UUID(str(body["save_id"]))
        base_version = int(body["base_version"])
        level = None if body.get("level") in (None, "") else int(body["level"])
        justification = str(body.get("justification", ""))
    except (ValueError, KeyError, TypeError):
        return JsonResponse(
            {
                "error": "invalid",
                "fields": {
                    "body": _(
                        "Diharapkan JSON: save_id (UUID), base_version (angka), level dan justification."
                    )
                },
            },
            status=422,
        )
    try:
        outcome = services.save_answer(
            participation,
            question,
            level=level,
            justification=justification,
            save_id=save_id,
            base_version=base_version,
            actor=request.user,
        )
    except services.InvalidAnswer as exc:
        return JsonResponse({"error": "invalid", "fields": exc.errors}, status=422)
    answer = outcome.answer
    payload = {
        "status": outcome.status,
        "version": answer.version,
        "level": answer.level,
        "justification": answer.justification,
    }
    return JsonResponse(payload, status=409 if outcome.status == services.SaveStatus.CONFLICT else 200)


@login_required
@require_POST
def upload_evidence(request: AuthenticatedHttpRequest, year: int, code: str, number: int) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    question = _question(participation, number)
    form = EvidenceForm(request.POST, request.FILES)
    # The outcome is shown next to its question (the tag names it), where the operator is looking.
    at_question = f"{QUESTION_TAG}{number}"
    if not form.is_valid():
        messages.error(request, _("Pilih berkas untuk diunggah."), extra_tags=at_question)
    else:
        try:
            services.upload_evidence(participation, question, form.cleaned_data["file"], actor=request.user)
            messages.success(
                request, _("Bukti untuk pertanyaan %(n)s tersimpan.") % {"n": number}, extra_tags=at_question
            )
        except services.EvidenceRejected as exc:
            messages.error(request, str(exc), extra_tags=at_question)
    return redirect(f"{participation_url(participation, question.dimension.code)}#q{number}")


@login_required
@require_POST
def remove_evidence(request: AuthenticatedHttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    evidence = get_object_or_404(Evidence, pk=pk, participation=participation, removed_at__isnull=True)
    services.remove_evidence(evidence, actor=request.user)
    messages.success(request, _("Bukti dihapus."))
    return redirect(
        f"{participation_url(participation, evidence.question.dimension.code)}#q{evidence.question.number}"
    )


@login_required
@require_GET
def download_evidence(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(
        Evidence.objects.filter(participation__in=Participation.objects.visible_to(request.user)), pk=pk
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    require(request.user, Action.SUBMIT_SELF_ASSESSMENT, participation)  # a refusal is a 403, as before
    if request.POST.get("confirm") != "yes":
        # Submitting locks the region's work: it happens only after the operator confirmed it.
        messages.error(request, _("Centang konfirmasi dahulu: penilaian mandiri belum dikirim."))
        return redirect("selfassessment:overview", year=year, code=code)
    try:
        services.submit_self_assessment(participation, actor=request.user)
        messages.success(request, _("Penilaian mandiri terkirim dan terkunci. Terima kasih."))
    except services.Incomplete as exc:
        messages.error(request, str(exc))
    return redirect("selfassessment:overview", year=year, code=code)


def participation_url(participation: Participation, dimension: str | None = None) -> str:
    from django.urls import reverse

    if dimension:
        return reverse(
            "selfassessment:dimension", args=[participation.cycle.year, participation.region.code, dimension]
        )
    return reverse("selfassessment:overview", args=[participation.cycle.year, participation.region.code])


# --- programme register ----------------------------------------------------------------------------------


@login_required
def programmes(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    form = ProgrammeForm(
        request.POST or None, resolver=RegionResolver(), instance=Programme(participation=participation)
    )
    if request.method == "POST" and form.is_valid():
        services.save_programme(
            participation, form.save(commit=False), form.cleaned_data["partners"], actor=request.user
        )
        messages.success(request, _("Program tersimpan."))
        return redirect("selfassessment:programmes", year=year, code=code)
    return render(
        request,
        "selfassessment/programmes.html",
        {
            "participation": participation,
            "form": form,
            "programmes": participation.programmes.prefetch_related("partner_regions"),
            "can_edit": may(request.user, Action.ANSWER, participation),
        },
    )


@login_required
def programme_edit(request: AuthenticatedHttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    programme = get_object_or_404(Programme, pk=pk, participation=participation)
    form = ProgrammeForm(request.POST or None, resolver=RegionResolver(), instance=programme)
    if request.method == "POST" and form.is_valid():
        services.save_programme(
            participation, form.save(commit=False), form.cleaned_data["partners"], actor=request.user
        )
        messages.success(request, _("Program diperbarui."))
        return redirect("selfassessment:programmes", year=year, code=code)
    return render(
        request,
        "selfassessment/programme_form.html",
        {
            "participation": participation,
            "form": form,
            "programme": programme,
            "can_edit": may(request.user, Action.ANSWER, participation),
        },
    )


@login_required
@require_POST
def programme_delete(request: AuthenticatedHttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    programme = get_object_or_404(Programme, pk=pk, participation=participation)
    services.delete_programme(programme, actor=request.user)
    messages.success(request, _("Program dihapus."))
    return redirect("selfassessment:programmes", year=year, code=code)
