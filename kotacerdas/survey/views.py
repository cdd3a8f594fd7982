"""The public survey form and its JSON endpoint.

Public: ``/s/<signed token>/`` (one per region and smart dimension) and ``/s/u/<signed token>/`` (a
single-use invitation). GET shows the form; POST takes the JSON body of CONTRACT.md ("Web") and answers
201, 200, 409, 410, 422 or 429. The token is the only credential: no session, cookie or CSRF token.
A browser without JavaScript posts the same form as ordinary form fields and gets a page back.
"""

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kotacerdas.core.cache import ProcessCache
from kotacerdas.survey import ratelimit, services, wording
from kotacerdas.survey.models import (
    SmartDimension,
    SurveyInvitation,
    SurveyLink,
    SurveyResponse,
)
from kotacerdas.survey.submission import InvalidSubmission, keyed_hash, parse_submission, parse_submission_id
from kotacerdas.survey.tokens import sign, unsign

MAX_BODY = 16_384
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
_STATUS = {
    services.Outcome.STORED: 201,
    services.Outcome.REPLAY: 200,
    services.Outcome.CONFLICT: 409,
    services.Outcome.CLOSED: 410,
}


# --- public ------------------------------------------------------------------------------------------


LINK_TTL = 5.0
# Public links by token for the form, a few seconds (the form shows the link's programme, which may change).
LINKS: ProcessCache[SurveyLink] = ProcessCache("survey.links", maxsize=4096, ttl=LINK_TTL)
# Public links by token for submissions, kept: what a submission takes from the copy does not change (the
# link's region, dimension and token, its cycle and instrument). What may change is read again where it
# decides: whether the link and its cycle's survey window are open, under the link's row lock when the
# response is stored (and afresh before a refusal); the instrument there too (a replaced one: StaleLink,
# the copy is dropped and the link looked up again); the quota by its UPDATE.
INTAKE_LINKS: ProcessCache[SurveyLink] = ProcessCache("survey.intake_links", maxsize=16_384)


def _fetch_link(token: str) -> SurveyLink:
    return get_object_or_404(
        SurveyLink.objects.select_related(*services.LINK_RELATED).only(*services.LINK_COLUMNS), token=token
    )


def _keep_cycle_links(link: SurveyLink) -> None:
    """Keep ``link`` and every other link of its cycle: a process that just started would otherwise look up
    each of the cycle's hundreds of links once; one query spares all those lookups."""
    INTAKE_LINKS.set(link.token, link)
    others = SurveyLink.objects.filter(participation__cycle_id=link.participation.cycle_id)
    if len(INTAKE_LINKS) + others.count() > INTAKE_LINKS.maxsize // 2:
        return
    for other in others.select_related(*services.LINK_RELATED).only(*services.LINK_COLUMNS):
        if INTAKE_LINKS.get(other.token) is None:
            INTAKE_LINKS.set(other.token, other)


def _target(
    signed: str, invitation: bool, *, intake: bool = False
) -> tuple[SurveyLink, SurveyInvitation | None]:
    token = unsign(signed)
    if token is None:
        raise Http404
    if intake and not invitation:
        cached = INTAKE_LINKS.get(token)
        if cached is None:
            cached = _fetch_link(token)
            _keep_cycle_links(cached)
        elif not cached.is_open():  # a closed copy may be stale: the link may have been reopened
            cached = INTAKE_LINKS.set(token, _fetch_link(token))
        return cached, None
    if invitation:
        found = get_object_or_404(
            SurveyInvitation.objects.select_related(*(f"link__{r}" for r in services.LINK_RELATED)),
            token=token,
        )
        return found.link, found
    cached = LINKS.get(token)
    if cached is not None:
        return cached, None
    return LINKS.set(token, _fetch_link(token)), None


@csrf_exempt
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, signed: str) -> HttpResponse:
    return _respond(request, signed, invitation=False)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def respond_invitation(request: HttpRequest, signed: str) -> HttpResponse:
    return _respond(request, signed, invitation=True)


def _respond(request: HttpRequest, signed: str, *, invitation: bool, again: bool = False) -> HttpResponse:
    link, invite = _target(signed, invitation, intake=request.method == "POST")
    questions = services.survey_questions(link)
    # JSON is the contract; an HTML form (no JavaScript) posts form fields and gets a page back.
    is_json = request.method == "POST" and request.content_type not in FORM_TYPES
    if request.method == "GET":
        return _form(request, link, invite, questions)
    if len(request.body) > MAX_BODY:
        return _reply(
            is_json, request, link, 422, {"error": "invalid", "fields": {"body": _("terlalu besar")}}
        )
    try:
        body = json.loads(request.body) if is_json else _form_body(request, questions)
    except (ValueError, RecursionError):  # RecursionError: a body nested deeper than the parser goes
        return _reply(is_json, request, link, 422, {"error": "invalid", "fields": {"body": _("bukan JSON")}})

    try:
        submission_id = parse_submission_id(body)
    except InvalidSubmission as exc:
        return _reply(is_json, request, link, 422, {"error": "invalid", "fields": exc.fields})
    now = timezone.now()
    scales = {q.number: (q.scale_min, q.scale_max) for q in questions}
    try:
        submission = parse_submission(body, scales, now)
        problems = None
    except InvalidSubmission as exc:
        submission, problems = None, exc.fields

    def refused(status: int, reply: dict[str, Any]) -> HttpResponse:
        # A stored submission is acknowledged whatever else holds now: its first try may have been stored
        # just before the link closed or the client hit its limit, and the client must learn it arrived.
        digest = services.digest_of(link, submission, invite) if submission else None
        replay = services.find_replay(submission_id, digest)
        if replay is not None:
            return _outcome(is_json, request, link, replay, submission_id)
        if status != 410 and invite is None and not _fetch_link(link.token).is_open(now):
            # The kept copy said open; the link has been closed since: closed comes first, as ever.
            return refused(410, {"error": "closed", "submission_id": submission_id})
        return _reply(is_json, request, link, status, reply)

    if not link.is_open(now) or (
        invite is not None and SurveyResponse.objects.filter(invitation=invite).exists()
    ):
        return refused(410, {"error": "closed", "submission_id": submission_id})
    client = request.META.get("REMOTE_ADDR", "")
    client_hash = keyed_hash("client", f"{client}\n{request.META.get('HTTP_USER_AGENT', '')}")
    notes: dict[str, Any] = {}
    first, then = f"c:{keyed_hash('ip', client)[:16]}:{link.pk}", f"l:{link.pk}"
    rates = ratelimit.windows(first, settings.SURVEY_RATE_LIMIT, then, settings.SURVEY_LINK_RATE_LIMIT)
    try:
        # The rate counters and the response in one transaction: one commit (one flush of the database's
        # log) per submission. A refusal commits its counts too. A valid submission's hits are counted
        # with the link's lock (``submit_response``); an invalid one's here, before it is refused.
        with transaction.atomic():
            if problems is not None or submission is None or rates is None:
                wait = ratelimit.hit_both(
                    first, settings.SURVEY_RATE_LIMIT, then, settings.SURVEY_LINK_RATE_LIMIT
                )
                if wait is not None:
                    return _limited(refused(429, {"error": "rate_limited", "retry_after": wait}), wait)
                if problems is not None or submission is None:
                    return refused(422, {"error": "invalid", "fields": problems or {}})
            else:
                ratelimit.prune_now_and_then()
            outcome = services.submit_response(
                link,
                submission,
                questions=questions,
                invitation=invite,
                client_hash=client_hash,
                notes=notes,
                rates=rates,
            )
    except services.StaleLink:
        INTAKE_LINKS.clear()  # the instrument was replaced: every kept link of its cycle is stale
        if again:
            raise
        return _respond(request, signed, invitation=invitation, again=True)
    if outcome == services.Outcome.LIMITED:
        wait = notes["retry_after"]
        limited = {"error": "rate_limited", "retry_after": wait}
        return _limited(_reply(is_json, request, link, 429, limited), wait)
    if notes.get("changed"):
        services.recompute_soon(link.participation)
    # A second answer from the same device is stored (the review decides), and its sender is told so.
    repeat = outcome == services.Outcome.STORED and (
        notes["repeat"]
        if notes.get("repeat") is not None
        else SurveyResponse.objects.filter(link=link, client_hash=client_hash)
        .exclude(response_id=submission_id)
        .exists()
    )
    return _outcome(is_json, request, link, outcome, submission_id, repeat=repeat)


def _limited(reply: HttpResponse, wait: int) -> HttpResponse:
    if reply.status_code == 429:
        reply["Retry-After"] = str(wait)
    return reply


def _outcome(
    is_json: bool,
    request: HttpRequest,
    link: SurveyLink,
    outcome: services.Outcome,
    submission_id: str,
    *,
    repeat: bool = False,
) -> HttpResponse:
    body: dict[str, Any] = {"status": str(outcome), "submission_id": submission_id}
    if repeat:
        body["repeat"] = True
    if outcome == services.Outcome.CONFLICT:
        body = {
            "error": "conflict",
            "submission_id": submission_id,
            "detail": "this submission_id was used for different answers",
        }
    elif outcome == services.Outcome.CLOSED:
        body = {"error": "closed", "submission_id": submission_id}
    return _reply(is_json, request, link, _STATUS[outcome], body)


def _reply(
    is_json: bool, request: HttpRequest, link: SurveyLink, status: int, body: dict[str, Any]
) -> HttpResponse:
    if is_json:
        return JsonResponse(body, status=status)
    return render(request, "survey/reply.html", {"link": link, "status": status, "body": body}, status=status)


def _form_body(request: HttpRequest, questions: list[Any]) -> dict[str, Any]:
    """A form posted without JavaScript, in the shape of the JSON body."""
    answers = {
        str(q.number): int(v) if (v := request.POST.get(f"q{q.number}", "")).isdigit() else v
        for q in questions
        if request.POST.get(f"q{q.number}") is not None
    }
    return {
        "submission_id": request.POST.get("submission_id", ""),
        "answers": answers,
        "started_at": request.POST.get("started_at", ""),
        "contact": request.POST.get("contact", ""),
        "consent": request.POST.get("consent") == "on",
    }


def _form(
    request: HttpRequest, link: SurveyLink, invite: SurveyInvitation | None, questions: list[Any]
) -> HttpResponse:
    used = invite is not None and SurveyResponse.objects.filter(invitation=invite).exists()
    open_now = link.is_open() and not used
    language = request.GET.get("lang")
    if language in {code for code, _name in settings.LANGUAGES}:
        # The public form switches language by a link: no cookie, session or CSRF token for citizens.
        translation.activate(language)
        request.LANGUAGE_CODE = language
    groups: list[dict[str, Any]] = []
    for index, q in enumerate(questions, start=1):
        title = wording.sub_dimension(q.sub_dimension or q.sub_indicator)
        if not groups or groups[-1]["title"] != title:
            groups.append({"title": title, "questions": []})
        groups[-1]["questions"].append(
            {"number": q.number, "index": index, "text": wording.statement(q.text)}
        )
    context = {
        "link": link,
        "region": link.participation.region,
        "dimension": SmartDimension(link.smart_dimension).label,
        "topic": wording.DIMENSION_TOPIC.get(link.smart_dimension, ""),
        "groups": groups,
        "scale": list(wording.SCALE.items()),
        "open": open_now,
        "used": used,
        # For browsers without JavaScript; the script makes its own id and start time.
        "submission_id": uuid.uuid4(),
        "started_at": timezone.now().isoformat(),
        "count": len(questions),
        "messages": {
            "sending": _("Mengirim jawaban…"),
            "offline": _(
                "Belum terkirim: tidak ada koneksi. Jawaban Anda aman tersimpan di perangkat ini dan akan "
                "dikirim otomatis saat koneksi kembali. Jangan hapus data browser."
            ),
            "retrying": _("Server belum menjawab; mencoba lagi otomatis…"),
            "done": _("Terima kasih! Jawaban Anda sudah diterima."),
            "already": _(
                "Jawaban Anda sudah kami terima sebelumnya, jadi tidak perlu dikirim lagi. Terima kasih!"
            ),
            "repeat": _(
                "Terima kasih! Jawaban ini diterima. Dari perangkat ini sudah ada jawaban sebelumnya, jadi "
                "jawaban ini ditinjau petugas sebelum dihitung: satu orang cukup menjawab sekali."
            ),
            "missing": _("Masih ada pernyataan yang belum dijawab."),
            "closed": _("Survei ini sudah ditutup; jawaban tidak dapat disimpan."),
            "conflict": _(
                "Jawaban dari formulir ini sudah kami terima sebelumnya dengan isian lain; jawaban pertama "
                "itulah yang disimpan. Terima kasih, Anda tidak perlu mengirim lagi."
            ),
            "invalid": _("Jawaban ditolak server. Periksa kembali isian Anda."),
            "pending": _("Mengirim jawaban yang tersimpan dari kunjungan sebelumnya…"),
        },
    }
    return render(request, "survey/form.html", context, status=200 if open_now else 410)


def link_path(link: SurveyLink, invitation: SurveyInvitation | None = None) -> str:
    if invitation is not None:
        return reverse("survey_public:respond_invitation", args=[sign(invitation.token)])
    return reverse("survey_public:respond", args=[sign(link.token)])
