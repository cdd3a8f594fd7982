"""Public verification of issued documents, downloads for those who may see them, and the workbook."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify

from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.reports import services
from kotacerdas.reports.forms import VerifyForm
from kotacerdas.reports.models import ReportKind, ReportVersion
from kotacerdas.reports.workbook import build_workbook, render_workbook
from kotacerdas.results.table import published_result_set


def verify(request: HttpRequest) -> HttpResponse:
    """The public check: a code shows what was issued under it; an uploaded file is checked byte for byte."""
    verification = None
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is None:
            return redirect("reports:verify_code", code=services.normalise_code(form.cleaned_data["code"]))
        verification = services.verify_report(upload.read())
    return render(request, "reports/verify.html", {"form": form, "verification": verification})


def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    report = services.find_by_code(code)
    newer = None
    if report is not None:
        newer = (
            ReportVersion.objects.filter(
                cycle=report.cycle,
                participation=report.participation,
                kind=report.kind,
                version__gt=report.version,
            )
            .order_by("-version")
            .first()
        )
    return render(
        request,
        "reports/verify_code.html",
        {
            "code": code,
            "report": report,
            "newer": newer,
            "described": services.describe_report(report) if report else "",
            "may_download": report is not None and _may_download(request, report),
            "form": VerifyForm(initial={"code": code}),
        },
        status=200 if report is not None else 404,
    )


def _may_download(request: HttpRequest, report: ReportVersion) -> bool:
    """Letters go to every participant: any signed-in user may fetch them; a region's report only those
    who may see that region (Participation.visible_to)."""
    if not request.user.is_authenticated:
        return False
    if report.participation is None:
        return True
    return Participation.objects.visible_to(request.user).filter(pk=report.participation.pk).exists()


def download(request: HttpRequest, code: str) -> HttpResponse:
    report = services.find_by_code(code)
    if report is None or not _may_download(request, report):
        raise Http404
    response = HttpResponse(services.read_report(report), content_type="application/pdf")
    name = report.participation.region.table_name if report.participation else "surat"
    response["Content-Disposition"] = (
        f'attachment; filename="{report.cycle.year}-{slugify(name)}-v{report.version}.pdf"'
    )
    return response


def region_report(request: HttpRequest, year: int, region: str) -> HttpResponse:
    """The latest issued report of a region, for those who may see it."""
    participation = get_object_or_404(
        Participation.objects.visible_to(request.user), cycle__year=year, region__code=region
    )
    report = (
        ReportVersion.objects.filter(participation=participation, kind=ReportKind.REGION)
        .order_by("-version")
        .first()
    )
    if report is None:
        raise Http404
    return redirect("reports:download", code=report.code)


def workbook(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year)
    published = published_result_set(cycle)  # a public download: never live numbers
    if published is None:
        raise Http404
    data = build_workbook(published)
    response = HttpResponse(
        render_workbook(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="hasil-evaluasi-{year}.xlsx"'
    return response
