"""The assessor's review (blind scoring, findings, submission), the panel's consensus, and the right of
reply seen from both sides. Thin views: parse → visibility (404) → one service (policy: 403)."""

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kotacerdas.accounts.http import AuthenticatedHttpRequest
from kotacerdas.cycles.access import visible_participation
from kotacerdas.cycles.models import Participation, Stage
from kotacerdas.cycles.policy import Action, may, require
from kotacerdas.instrument.models import Dimension, DimensionKind
from kotacerdas.review import services
from kotacerdas.review.agreement import assignment_for, panel_agreement
from kotacerdas.review.forms import AgreedScoreForm, FindingsForm, ReplyForm, RespondForm
from kotacerdas.review.interviews import interview_years
from kotacerdas.review.models import AssessorScore, FindingKind, Reply
from kotacerdas.selfassessment.models import Answer, Evidence
from kotacerdas.selfassessment.services import EvidenceRejected, upload_evidence


def _own_assignment(request: HttpRequest, participation: Participation) -> Any:
    assignment = assignment_for(request.user, participation)
    if assignment is None:
        raise Http404  # admins and operators use their own pages; this one is the assessor's
    return assignment


@login_required
@require_GET
def my_reviews(request: HttpRequest) -> HttpResponse:
    assignments = (
        request.user.assessor.assignments.select_related("participation__region", "participation__cycle")
        if hasattr(request.user, "assessor")
        else []
    )
    return render(
        request,
        "review/my_reviews.html",
        {"assignments": assignments, "interview_years": interview_years(request.user)},
    )


@login_required
@require_GET
def region_review(request: HttpRequest, year: int, code: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    assignment = _own_assignment(request, participation)
    dimensions = Dimension.objects.filter(instrument__cycle=participation.cycle, kind=DimensionKind.ASSESSED)
    scored = set(assignment.scores.filter(score__isnull=False).values_list("question__number", flat=True))
    rows = [
        {"dimension": d, "total": d.questions.count(), "done": d.questions.filter(number__in=scored).count()}
        for d in dimensions
    ]
    findings = {
        kind: "\n".join(assignment.findings.filter(kind=kind).values_list("text", flat=True))
        for kind in FindingKind.values
    }
    form = FindingsForm(
        initial={
            "strengths": findings["strength"],
            "weaknesses": findings["weakness"],
            "recommendations": findings["recommendation"],
        }
    )
    return render(
        request,
        "review/region_review.html",
        {
            "participation": participation,
            "assignment": assignment,
            "rows": rows,
            "findings_form": form,
            "can_score": may(request.user, Action.SCORE, participation),
            "agreement": panel_agreement(participation, submitted_only=True)
            if assignment.submitted_at
            else None,
        },
    )


@login_required
@require_GET
def dimension_review(request: HttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    assignment = _own_assignment(request, participation)
    dim = get_object_or_404(
        Dimension, instrument__cycle=participation.cycle, code=dimension, kind=DimensionKind.ASSESSED
    )
    own = {s.question_id: s for s in assignment.scores.all()}
    answers = {a.question_id: a for a in Answer.objects.filter(participation=participation)}
    evidence: dict[int, list[Evidence]] = {}
    for e in Evidence.objects.filter(participation=participation, removed_at__isnull=True):
        evidence.setdefault(e.question_id, []).append(e)
    # Blind scoring: the others' scores appear only once this assessor's own review is submitted.
    others: dict[int, list[AssessorScore]] = {}
    if assignment.submitted_at is not None:
        for s in (
            AssessorScore.objects.filter(assignment__participation=participation)
            .exclude(assignment=assignment)
            .select_related("assignment__assessor")
        ):
            others.setdefault(s.question_id, []).append(s)
    items = [
        {
            "question": q,
            "own": own.get(q.pk),
            "answer": answers.get(q.pk),
            "evidence": evidence.get(q.pk, []),
            "others": others.get(q.pk, []),
        }
        for q in dim.questions.select_related("indicator").order_by("number")
    ]
    return render(
        request,
        "review/dimension_review.html",
        {
            "participation": participation,
            "assignment": assignment,
            "dimension": dim,
            "items": items,
            "dimensions": Dimension.objects.filter(
                instrument__cycle=participation.cycle, kind=DimensionKind.ASSESSED
            ),
            "can_score": may(request.user, Action.SCORE, participation),
            "blind": assignment.submitted_at is None,
            "scale": range(1, 5),
        },
    )


class _InvalidBody(Exception):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(fields)
        self.fields = fields


def _score_body(raw: bytes, low: int, high: int) -> tuple[int | None, str]:
    """The score and note of an autosave body: ``score`` a JSON integer within the scale or null (clear),
    ``note`` text. Nothing is coerced: ``"4"``, ``4.0``, ``4.5`` and ``true`` are refused, not stored as 4
    or 1."""
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, RecursionError):
        raise _InvalidBody({"body": _("bukan JSON")}) from None
    if not isinstance(body, dict):
        raise _InvalidBody({"body": _("harus berupa objek JSON")})
    fields: dict[str, str] = {}
    score = body.get("score")
    # bool is a subclass of int in Python: ``true`` would otherwise pass as 1.
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high
    ):
        fields["score"] = _("harus bilangan bulat %(low)s–%(high)s atau null") % {"low": low, "high": high}
    note = body.get("note")
    if note is not None and not isinstance(note, str):
        fields["note"] = _("harus teks")
    if fields:
        raise _InvalidBody(fields)
    return score, note or ""


@login_required
@require_POST
def save_score(request: AuthenticatedHttpRequest, year: int, code: str, number: int) -> JsonResponse:
    participation = visible_participation(request.user, year, code)
    assignment = _own_assignment(request, participation)
    question = get_object_or_404(
        participation.cycle.instrument.questions.select_related("dimension", "instrument"), number=number
    )
    try:
        score, note = _score_body(request.body, question.scale_min, question.scale_max)
    except _InvalidBody as exc:
        return JsonResponse({"error": "invalid", "fields": exc.fields}, status=422)
    try:
        row = services.record_score(assignment, question, score, note, actor=request.user)
    except services.InvalidScore as exc:
        return JsonResponse({"error": "invalid", "fields": {"score": str(exc)}}, status=422)
    return JsonResponse({"status": "saved", "score": row.score, "note": row.note, "version": 0})


@login_required
@require_POST
def save_findings(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    assignment = _own_assignment(request, participation)
    if _save_findings(request, assignment):
        messages.success(request, _("Temuan tersimpan."))
    return redirect("review:region", year=year, code=code)


def _save_findings(request: AuthenticatedHttpRequest, assignment: Any) -> bool:
    """Store the findings the form sent (if it sent them); False when there were none to store."""
    form = FindingsForm(request.POST)
    if not any(field in request.POST for field in form.fields) or not form.is_valid():
        return False
    for field, kind in (
        ("strengths", FindingKind.STRENGTH),
        ("weaknesses", FindingKind.WEAKNESS),
        ("recommendations", FindingKind.RECOMMENDATION),
    ):
        services.record_findings(assignment, kind, form.cleaned_data[field].splitlines(), actor=request.user)
    return True


@login_required
@require_POST
def submit_review(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    assignment = _own_assignment(request, participation)
    # The findings typed above the submit button travel with it: saved first, so that a refusal (no
    # confirmation, an unscored question) loses none of them.
    require(request.user, Action.SUBMIT_REVIEW, assignment.participation)  # a refusal is a 403, as before
    with transaction.atomic():
        saved = _save_findings(request, assignment)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Centang konfirmasi dahulu: penilaian belum dikirim."))
        if saved:
            messages.info(request, _("Temuan tersimpan."))
        return redirect("review:region", year=year, code=code)
    try:
        services.submit_review(assignment, actor=request.user)
        messages.success(request, _("Penilaian terkirim. Skor Anda kini masuk ke hasil daerah ini."))
    except (services.IncompleteReview, services.InvalidScore) as exc:
        messages.error(request, str(exc))
    return redirect("review:region", year=year, code=code)


@login_required
def consensus(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    """Questions whose scores spread by 2 or more, the panel's agreement, and agreed scores."""
    participation = visible_participation(request.user, year, code)
    if not (getattr(request.user, "is_admin", False) or assignment_for(request.user, participation)):
        raise Http404
    assignment = assignment_for(request.user, participation)
    if assignment is not None and assignment.submitted_at is None:
        messages.info(request, _("Kirim penilaian Anda dahulu; skor asesor lain tampil setelahnya."))
        return redirect("review:region", year=year, code=code)
    form = AgreedScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        question = get_object_or_404(
            participation.cycle.instrument.questions, number=form.cleaned_data["number"]
        )
        try:
            services.record_agreed_score(
                participation,
                question,
                form.cleaned_data["score"],
                form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(request, _("Skor kesepakatan tersimpan."))
            return redirect("review:consensus", year=year, code=code)
        except services.InvalidScore as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "review/consensus.html",
        {
            "participation": participation,
            "agreement": panel_agreement(participation, submitted_only=True),
            "form": form,
            "can_agree": may(request.user, Action.AGREE, participation),
        },
    )


@login_required
def replies(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    """The right of reply: the operator sees the draft question scores and contests; the panel answers."""
    participation = visible_participation(request.user, year, code)
    if participation.stage not in (Stage.SCORED, Stage.REPLIED, Stage.FINAL):
        messages.info(request, _("Skor sementara tampil setelah semua asesor mengirim penilaian."))
        return render(request, "review/replies.html", {"participation": participation, "not_yet": True})
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        question = get_object_or_404(
            participation.cycle.instrument.questions.select_related("dimension", "instrument"),
            number=form.cleaned_data["number"],
        )
        try:
            evidence = (
                upload_evidence_for_reply(request, participation, question, form.cleaned_data["file"])
                if form.cleaned_data.get("file")
                else None
            )
            services.contest_score(
                participation,
                question,
                form.cleaned_data["argument"],
                evidence,
                current_score=_draft_scores(participation).get(question.number),
                actor=request.user,
            )
            messages.success(request, _("Sanggahan terkirim."))
            return redirect("review:replies", year=year, code=code)
        except (services.InvalidScore, EvidenceRejected) as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "review/replies.html",
        {
            "participation": participation,
            "scores": sorted(_draft_scores(participation).items()),
            "form": form,
            "replies": participation.replies.select_related("question", "evidence"),
            "can_contest": may(request.user, Action.CONTEST, participation),
            "can_respond": may(request.user, Action.RESPOND, participation),
            "respond_form": RespondForm(),
        },
    )


def upload_evidence_for_reply(
    request: AuthenticatedHttpRequest, participation: Participation, question: Any, file: Any
) -> Any:
    return upload_evidence(participation, question, file, action=Action.CONTEST, actor=request.user)


def _draft_scores(participation: Participation) -> dict[int, Decimal]:
    """The question scores as they stand (agreed, else the mean of submitted assessors' scores)."""
    from collections import defaultdict

    from kotacerdas.review.models import AgreedScore
    from kotacerdas.scoring import round_half_up

    values: dict[int, list[int]] = defaultdict(list)
    for number, score in AssessorScore.objects.filter(
        assignment__participation=participation, assignment__submitted_at__isnull=False, score__isnull=False
    ).values_list("question__number", "score"):
        values[number].append(score)  # type: ignore[arg-type]
    scores = {n: round_half_up(Decimal(sum(v)) / len(v)) for n, v in values.items()}
    scores.update(
        AgreedScore.objects.filter(participation=participation).values_list("question__number", "score")
    )
    return scores


@login_required
@require_POST
def respond(request: AuthenticatedHttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    participation = visible_participation(request.user, year, code)
    reply = get_object_or_404(Reply, pk=pk, participation=participation)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.respond_to_reply(
                reply, form.cleaned_data["response"], form.cleaned_data.get("new_score"), actor=request.user
            )
            messages.success(request, _("Jawaban tersimpan."))
        except services.InvalidScore as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Jawaban wajib diisi."))
    return redirect("review:replies", year=year, code=code)
