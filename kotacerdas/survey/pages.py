"""The operators' and admins' survey pages under /survei/: links, QR codes, invitations, progress and
statistics, and the review of flagged responses. Every page goes through ``Participation.visible_to``
(404 for a region the user may not see); changes also need the region's operator or an admin (403)."""

from typing import Any

import qrcode
import qrcode.constants
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kotacerdas.accounts.http import AuthenticatedHttpRequest
from kotacerdas.accounts.models import Role
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.cycles.policy import Action, may, require
from kotacerdas.survey import services, wording
from kotacerdas.survey.models import (
    QUOTA,
    Review,
    SmartDimension,
    SurveyInvitation,
    SurveyLink,
    SurveyResponse,
)
from kotacerdas.survey.stats import progress, survey_stats
from kotacerdas.survey.views import link_path


def _participation(request: HttpRequest, year: int, code: str) -> Participation:
    """The region's participation if the user may see it (Participation.visible_to), else 404."""
    return get_object_or_404(
        Participation.objects.visible_to(request.user).select_related("cycle", "region__province"),
        cycle__year=year,
        region__code=code,
    )


def _may_manage(request: HttpRequest, participation: Participation) -> bool:
    return bool(may(request.user, Action.MANAGE_SURVEY, participation))


def _link(request: HttpRequest, year: int, code: str, dimension: str, *, manage: bool = True) -> SurveyLink:
    participation = _participation(request, year, code)
    if manage and not _may_manage(request, participation):
        raise PermissionDenied()
    link = get_object_or_404(SurveyLink, participation=participation, smart_dimension=dimension)
    link.participation = participation
    return link


def public_url(request: HttpRequest, link: SurveyLink, invitation: SurveyInvitation | None = None) -> str:
    return request.build_absolute_uri(link_path(link, invitation))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    cycle = Cycle.objects.order_by("-year").first()
    if cycle is None:
        raise Http404
    visible = Participation.objects.visible_to(user).filter(cycle=cycle).select_related("region")
    if user.role == Role.OPERATOR and user.region_id:
        return redirect("survey:region", year=cycle.year, code=user.region.code)
    rows = []
    for participation in visible.order_by("region__code"):
        rows.append({"participation": participation})
    counts = dict(
        SurveyResponse.objects.filter(participation__in=visible, included=True)
        .values_list("participation_id")
        .annotate(n=Count("id"))
    )
    pending = dict(
        SurveyResponse.objects.filter(participation__in=visible, review=Review.PENDING)
        .values_list("participation_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        pid = row["participation"].pk
        row["included"], row["pending"] = counts.get(pid, 0), pending.get(pid, 0)
    return render(request, "survey/index.html", {"cycle": cycle, "rows": rows, "target": QUOTA * 6})


@login_required
def region(request: HttpRequest, year: int, code: str) -> HttpResponse:
    participation = _participation(request, year, code)
    links = {link.smart_dimension: link for link in participation.survey_links.all()}
    counts = progress(participation)
    stats = survey_stats(participation)
    cards = []
    for d in stats.dimensions:
        link = links.get(d.code)
        cards.append(
            {
                "code": d.code,
                "name": SmartDimension(d.code).label,
                "topic": wording.DIMENSION_TOPIC[d.code],
                "link": link,
                "url": public_url(request, link) if link else "",
                "progress": counts[d.code],
                "quota": link.quota if link else QUOTA,
                "percent": min(100, round(100 * counts[d.code].included / (link.quota if link else QUOTA))),
                "stats": d,
                "suggestions": programme_suggestions(participation, d.code),
            }
        )
    return render(
        request,
        "survey/region.html",
        {
            "participation": participation,
            "cycle": participation.cycle,
            "region": participation.region,
            "cards": cards,
            "impact": stats.impact,
            "can_manage": _may_manage(request, participation),
            "has_links": bool(links),
        },
    )


def programme_suggestions(participation: Participation, dimension: str) -> list[str]:
    """Names from the region's programme register, when the self-assessment app keeps one.

    Read through the app registry rather than imported: the register is the self-assessment's, and the
    survey only offers its names as suggestions (the operator may type any programme).
    """
    from django.apps import apps

    try:
        model = apps.get_model("selfassessment", "Programme")
    except LookupError:
        return []
    return list(
        model.objects.filter(participation=participation, smart_dimension=dimension).values_list(
            "name", flat=True
        )
    )


def _manage(view: Any) -> Any:
    """A change: logged in, POST, and (checked by ``_link``) the region's operator or an admin."""
    return login_required(require_POST(view))


@_manage
def create_links(request: AuthenticatedHttpRequest, year: int, code: str) -> HttpResponse:
    participation = _participation(request, year, code)
    if not _may_manage(request, participation):
        raise PermissionDenied()
    services.ensure_links(participation, actor=request.user)
    return redirect("survey:region", year=year, code=code)


@_manage
def save_programme(request: AuthenticatedHttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    link = _link(request, year, code, dimension)
    services.set_programme(link, request.POST.get("programme", "")[:200], actor=request.user)
    return redirect(reverse("survey:region", args=[year, code]) + f"#{dimension}")


@_manage
def close(request: AuthenticatedHttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    link = _link(request, year, code, dimension)
    require(request.user, Action.MANAGE_SURVEY, link.participation)  # a refusal is a 403, as before
    if request.POST.get("confirm") != "yes":
        # Closing turns citizens away: only once the person confirmed it.
        messages.error(request, _("Centang konfirmasi dahulu: tautan belum ditutup."))
    else:
        services.close_link(link, actor=request.user)
    return redirect(reverse("survey:region", args=[year, code]) + f"#{dimension}")


@_manage
def reopen(request: AuthenticatedHttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    link = _link(request, year, code, dimension)
    services.reopen_link(link, actor=request.user)  # admins only: the policy refuses others (403)
    return redirect(reverse("survey:region", args=[year, code]) + f"#{dimension}")


@_manage
def invite(request: AuthenticatedHttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    link = _link(request, year, code, dimension)
    try:
        count = max(1, min(100, int(request.POST.get("count", "10"))))
    except ValueError:
        count = 10
    services.create_invitations(link, count, actor=request.user)
    return redirect("survey:invitations", year=year, code=code, dimension=dimension)


@login_required
def invitations(request: HttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    """The single-use links: only for those who hand them out (the region's operator, an admin). An
    assessor on the panel sees the region's survey progress but must not answer as a "citizen"."""
    link = _link(request, year, code, dimension)
    used = set(SurveyResponse.objects.filter(invitation__link=link).values_list("invitation_id", flat=True))
    rows = [
        {
            "label": i.label,
            "url": public_url(request, link, i),
            "used": i.pk in used,
            "qr": _qr_svg(public_url(request, link, i), scale=3),
        }
        for i in link.invitations.all()
    ]
    return render(
        request,
        "survey/invitations.html",
        {"link": link, "rows": rows, "dimension": SmartDimension(link.smart_dimension).label},
    )


@login_required
def poster(request: HttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    link = _link(request, year, code, dimension, manage=False)
    url = public_url(request, link)
    return render(
        request,
        "survey/poster.html",
        {
            "link": link,
            "url": url,
            "qr": _qr_svg(url, scale=8),
            "region": link.participation.region,
            "dimension": SmartDimension(link.smart_dimension).label,
            "topic": wording.DIMENSION_TOPIC[link.smart_dimension],
        },
    )


@login_required
def qr(request: HttpRequest, year: int, code: str, dimension: str) -> HttpResponse:
    link = _link(request, year, code, dimension, manage=False)
    response = HttpResponse(_qr_svg(public_url(request, link), scale=10), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="survei-{code}-{dimension}.svg"'
    return response


def _qr_svg(url: str, *, scale: int) -> str:
    """The QR code of ``url`` as inline SVG (no image library needed). Error correction level M survives
    a crumpled or smudged print."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=scale,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(url)
    code.make(fit=True)
    svg = str(code.make_image().to_string(encoding="unicode"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="QR: {url}" ', 1)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """Admins: flagged and over-quota responses, included or excluded with a reason."""
    cycle = get_object_or_404(Cycle, year=year)
    if not may(request.user, Action.REVIEW_SURVEY, cycle):
        raise Http404  # like another region's pages: nothing to see here
    responses = SurveyResponse.objects.filter(participation__cycle=cycle)
    message = ""
    if request.method == "POST":
        ids = request.POST.getlist("response")
        decision = request.POST.get("decision")
        reason = request.POST.get("reason", "").strip()
        if decision not in {"include", "exclude"} or not ids or not reason:
            message = _("Pilih tanggapan, keputusan dan tulis alasannya.")
        else:
            n = services.review_responses(
                cycle,
                responses.filter(response_id__in=ids),
                include=decision == "include",
                reason=reason,
                actor=request.user,
            )
            return redirect(reverse("survey:review", args=[year]) + f"?done={n}&{request.GET.urlencode()}")
    show = request.GET.get("show", "pending")
    region_code = request.GET.get("region", "")
    listed = (
        responses.filter(review=Review.PENDING)
        if show == "pending"
        else responses.filter(Q(review__in=[Review.INCLUDED, Review.EXCLUDED]))
    )
    if region_code:
        listed = listed.filter(participation__region__code=region_code)
    listed = listed.select_related("participation__region").order_by(
        "participation__region__code", "smart_dimension", "id"
    )
    return render(
        request,
        "survey/review.html",
        {
            "cycle": cycle,
            "responses": listed[:500],
            "total": listed.count(),
            "show": show,
            "region": region_code,
            "message": message,
            "done": request.GET.get("done"),
            "select_all": request.GET.get("pilih") == "semua",
        },
    )
