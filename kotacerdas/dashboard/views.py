"""Public pages over published results: the national table and a region's traceable result."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kotacerdas.core.exporters import Rendered, render_csv, render_xlsx
from kotacerdas.cycles.models import Cycle, Track
from kotacerdas.regions.models import Province
from kotacerdas.results.detail import region_detail
from kotacerdas.results.models import RegionResult, ResultSet
from kotacerdas.results.table import (
    build_table,
    current_result_set,
    dimension_columns,
    published_result_set,
    results_table,
    results_workbook,
)

SORTABLE = {"rank", "region", "track", "final", "improvement"}


def home(request: HttpRequest) -> HttpResponse:
    cycle = Cycle.objects.filter(practice=False).order_by("-year").first()
    if cycle is None:
        return render(request, "dashboard/empty.html")
    return redirect("dashboard:national_table", year=cycle.year)


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


def national_table(request: HttpRequest, year: int) -> HttpResponse:
    cycle, result_set = _result_set(request, year)
    if result_set is None:
        return render(request, "dashboard/not_published.html", {"cycle": cycle})
    track = request.GET.get("track", "")
    province = request.GET.get("province", "")
    rows = build_table(
        result_set,
        track=track if track in Track.values else "",
        province=province if Province.objects.filter(code=province).exists() else "",
    )
    # The dimension columns are the cycle's instrument's, in its order.
    dimensions = dimension_columns(cycle)
    codes = {column.key for column in dimensions}
    sort = request.GET.get("sort", "rank")
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTABLE | codes:
        key, descending = "rank", False

    def sort_key(row: object) -> tuple[bool, object]:
        value = row.scores.get(key) if key in codes else getattr(row, key)  # type: ignore[attr-defined]
        return (value is None, value if value is not None else 0)

    rows.sort(key=sort_key, reverse=descending)
    if descending:  # keep absent values last either way
        rows.sort(key=lambda r: sort_key(r)[0])
    return render(
        request,
        "dashboard/national_table.html",
        {
            "cycle": cycle,
            "result_set": result_set,
            "rows": rows,
            "sort": key,
            "descending": descending,
            "track": track,
            "province": province,
            "tracks": Track.choices,
            "provinces": Province.objects.filter(regions__participations__cycle=cycle).distinct(),
            "dimension_columns": dimensions,
            "query": request.GET.urlencode(),
        },
    )


def _download(rendered: Rendered) -> HttpResponse:
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return response


def national_table_csv(request: HttpRequest, year: int) -> HttpResponse:
    _cycle, result_set = _published(request, year)
    return _download(render_csv(results_table(result_set)))


def national_table_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    cycle, result_set = _published(request, year)
    title = _("Hasil evaluasi %(year)s") % {"year": cycle.year}
    return _download(render_xlsx(results_workbook(result_set, title=title)))


def region_result(request: HttpRequest, year: int, code: str) -> HttpResponse:
    cycle, result_set = _published(request, year)
    result = (
        RegionResult.objects.filter(result_set=result_set, participation__region__code=code)
        .select_related("participation__region__province", "participation__cycle")
        .first()
    )
    if result is None:
        raise Http404
    return render(
        request,
        "dashboard/region_result.html",
        {"cycle": cycle, "result_set": result_set, "detail": region_detail(result), "result": result},
    )
