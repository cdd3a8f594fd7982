"""Public pages over published results: the landing page, the national table, a region's profile and its
signed report, the methodology."""

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kotacerdas.core.exporters import Rendered, render_csv, render_xlsx
from kotacerdas.cycles.models import Cycle, Track
from kotacerdas.dashboard.browse import ISLAND_GROUPS, TableQuery, display_rows, paginate, public_rows
from kotacerdas.dashboard.cache import public_cache
from kotacerdas.dashboard.landing import landing
from kotacerdas.dashboard.methodology import methodology
from kotacerdas.dashboard.opendata import datapackage, resource_csv
from kotacerdas.dashboard.profile import profile, public_report
from kotacerdas.regions.models import Province
from kotacerdas.reports.builder import ReportContentMissing
from kotacerdas.reports.services import ReportError, read_report
from kotacerdas.reports.signing import SignerNotConfigured
from kotacerdas.results.models import RegionResult, ResultSet
from kotacerdas.results.table import (
    current_result_set,
    dimension_columns,
    published_result_set,
    results_table,
    results_workbook,
)

logger = logging.getLogger(__name__)


def _latest_published() -> tuple[Cycle | None, ResultSet | None]:
    """The programme's newest cycle with a published revision (practice cycles are never listed); else the
    newest cycle, unpublished."""
    cycles = list(Cycle.objects.filter(practice=False).order_by("-year"))
    for cycle in cycles:
        published = published_result_set(cycle)
        if published is not None:
            return cycle, published
    return (cycles[0] if cycles else None), None


@public_cache("dashboard.home")
def home(request: HttpRequest) -> HttpResponse:
    """The landing page of the latest published cycle."""
    cycle, result_set = _latest_published()
    if cycle is None:
        return render(request, "dashboard/empty.html")
    if result_set is None:
        return render(request, "dashboard/not_published.html", {"cycle": cycle})
    return render(request, "dashboard/landing.html", {"cycle": cycle, "landing": landing(cycle, result_set)})


def _result_set(request: HttpRequest, year: int) -> tuple[Cycle, ResultSet | None]:
    """The published revision the public sees (None before the first publication); the live results
    only for an admin who asks (``?live=1``)."""
    cycle = get_object_or_404(Cycle, year=year)
    if request.GET.get("live") == "1" and getattr(request.user, "is_admin", False):
        return cycle, current_result_set(cycle, live=True)
    return cycle, published_result_set(cycle)


def _published(request: HttpRequest, year: int) -> tuple[Cycle, ResultSet]:
    cycle, result_set = _result_set(request, year)
    if result_set is None:
        raise Http404(_("Hasil evaluasi %(year)s belum dipublikasikan.") % {"year": year})
    return cycle, result_set


@public_cache("dashboard.national_table")
def national_table(request: HttpRequest, year: int) -> HttpResponse:
    cycle, result_set = _result_set(request, year)
    if result_set is None:
        return render(request, "dashboard/not_published.html", {"cycle": cycle})
    # The dimension columns are the cycle's instrument's, in its order.
    dimensions = dimension_columns(cycle)
    query = TableQuery.from_get(request.GET, dimension_codes={column.key for column in dimensions})
    rows = public_rows(result_set, query)
    provinces = Province.objects.filter(regions__participations__cycle=cycle).distinct().order_by("code")
    page_obj = paginate(rows, query.page)
    keys = [column.key for column in dimensions]
    return render(
        request,
        "dashboard/national_table.html",
        {
            "cycle": cycle,
            "result_set": result_set,
            "rows": rows,
            "page_obj": page_obj,
            "display_rows": display_rows(page_obj, keys, year=cycle.year, live=result_set.is_live),
            "query": query,
            "sort": query.sort,
            "descending": query.descending,
            "tracks": Track.choices,
            "provinces": provinces,
            "islands": list(ISLAND_GROUPS.items()),
            "dimension_columns": dimensions,
        },
    )


def _download(rendered: Rendered) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response


@public_cache("dashboard.national_table_csv")
def national_table_csv(request: HttpRequest, year: int) -> HttpResponse:
    _cycle, result_set = _published(request, year)
    return _download(render_csv(results_table(result_set)))


@public_cache("dashboard.national_table_xlsx")
def national_table_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    cycle, result_set = _published(request, year)
    title = _("Hasil evaluasi %(year)s") % {"year": cycle.year}
    return _download(render_xlsx(results_workbook(result_set, title=title)))


def _region_result(result_set: ResultSet, code: str) -> RegionResult:
    result = (
        RegionResult.objects.filter(result_set=result_set, participation__region__code=code)
        .select_related("participation__region__province", "participation__cycle", "result_set")
        .first()
    )
    if result is None:
        raise Http404
    return result


@public_cache("dashboard.region_result")
def region_result(request: HttpRequest, year: int, code: str) -> HttpResponse:
    cycle, result_set = _published(request, year)
    result = _region_result(result_set, code)
    return render(
        request,
        "dashboard/region_result.html",
        {"cycle": cycle, "result_set": result_set, "profile": profile(result, result_set), "result": result},
    )


def region_report(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """The region's signed report of the published revision, issued on the first download and kept."""
    cycle = get_object_or_404(Cycle, year=year)
    result_set = published_result_set(cycle)  # never a report of live numbers
    if result_set is None:
        raise Http404
    result = _region_result(result_set, code)
    try:
        report = public_report(result)
    except (ReportError, ReportContentMissing, SignerNotConfigured) as exc:
        logger.error("public report of %s %s not issued: %s", code, year, exc)
        return render(
            request, "dashboard/report_unavailable.html", {"cycle": cycle, "result": result}, status=503
        )
    response = HttpResponse(read_report(report), content_type="application/pdf")
    name = slugify(result.participation.region.table_name)
    response["Content-Disposition"] = f'attachment; filename="{year}-{name}-v{report.version}.pdf"'
    response["X-Verification-Code"] = report.code
    return response


def methodology_latest(request: HttpRequest) -> HttpResponse:
    cycle, _result_set = _latest_published()
    if cycle is None:
        raise Http404
    return redirect("dashboard:methodology", year=cycle.year)


@public_cache("dashboard.methodology_page")
def methodology_page(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, year=year, practice=False)
    # An instrument is public once the cycle is opened to the regions (frozen from then on), not while it
    # is being prepared.
    if not hasattr(cycle, "instrument") or not cycle.instrument.is_frozen:
        raise Http404
    published = published_result_set(cycle)
    return render(
        request,
        "dashboard/methodology.html",
        {"cycle": cycle, "method": methodology(cycle, published), "published": published},
    )


def _published_cycle(year: int) -> tuple[Cycle, ResultSet]:
    """A programme cycle and its latest published revision (404 before the first publication)."""
    cycle = get_object_or_404(Cycle, year=year, practice=False)
    result_set = published_result_set(cycle)
    if result_set is None:
        raise Http404(_("Hasil evaluasi %(year)s belum dipublikasikan.") % {"year": year})
    return cycle, result_set


@public_cache("dashboard.datapackage_json")
def datapackage_json(request: HttpRequest, year: int) -> JsonResponse:
    cycle, result_set = _published_cycle(year)
    return JsonResponse(
        datapackage(cycle, result_set), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )


@public_cache("dashboard.datapackage_resource")
def datapackage_resource(request: HttpRequest, year: int, name: str) -> HttpResponse:
    cycle, result_set = _published_cycle(year)
    rendered = resource_csv(cycle, result_set, name)
    if rendered is None:
        raise Http404
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'inline; filename="{name}-{year}.csv"'
    return response
