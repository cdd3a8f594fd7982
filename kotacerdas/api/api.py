"""REST API v1 (read-only results for now); OpenAPI at /api/v1/openapi.json."""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema, Swagger
from ninja.decorators import decorate_view

from kotacerdas.core.exporters import records
from kotacerdas.cycles.models import Cycle
from kotacerdas.dashboard.cache import public_cache
from kotacerdas.results.detail import region_detail
from kotacerdas.results.models import RegionResult
from kotacerdas.results.table import build_table, published_result_set, results_table

# The documentation page (/api/v1/docs) serves Swagger UI from this server's static files ("ninja" is in
# INSTALLED_APPS): government intranets are often offline, and no page may load from a CDN.
api = NinjaAPI(
    title="Kota Cerdas API",
    version="1",
    urls_namespace="api-v1",
    docs=Swagger(settings={"validatorUrl": None}),  # no call to validator.swagger.io
    docs_url="/docs",
)


# v1 names six dimension fields, those of the 2024 instrument: the published schema is a contract, so it
# stays fixed while the values come from the cycle's instrument (``results_table``). A field whose dimension
# the cycle's instrument lacks is null; a dimension v1 does not name is left out of this list and shown by
# the region endpoint, which lists the instrument's dimensions as they are.
class ResultRow(Schema):
    region_code: str
    region: str
    track: str
    baseline: str | None
    output: str | None
    outcome: str | None
    impact: str | None
    quick_wins: str | None
    collaboration: str | None
    final: str
    improvement: str | None
    rank: int
    # The rank's uncertainty from the robustness analysis (null until it has run): the median and the 5th and
    # 95th percentile of the national rank over the draws, shown as "12 (9–16)".
    rank_median: int | None = None
    rank_low: int | None = None
    rank_high: int | None = None


class CycleOut(Schema):
    year: int
    name: str
    published_revision: int | None


class NotFound(Schema):
    detail: str


class InvalidParameters(Schema):
    detail: list[dict[str, Any]]


# Every status an operation answers is in the schema (tests/fuzz: schemathesis checks it): a path
# parameter that is not of its type is 422, a cycle or region without a published result 404.
LOOKUP_ERRORS = {404: NotFound, 422: InvalidParameters}


def _cycle(year: int) -> Cycle:
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise Http404(f"no cycle {year}")
    return cycle


# Served to anonymous clients from the revision-keyed cache (dashboard/cache.py), validated once.
@decorate_view(public_cache("api.cycles"))
@api.get("/cycles", response=list[CycleOut], summary="Evaluation cycles")
def list_cycles(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for cycle in Cycle.objects.filter(practice=False):  # a practice cycle is not the programme's
        published = published_result_set(cycle)
        out.append(
            {
                "year": cycle.year,
                "name": cycle.name,
                "published_revision": published.revision if published is not None else None,
            }
        )
    return out


# Served to anonymous clients from the revision-keyed cache (dashboard/cache.py), validated once.
@decorate_view(public_cache("api.results"))
@api.get(
    "/cycles/{year}/results",
    response={200: list[ResultRow], **LOOKUP_ERRORS},
    summary="The national results table (published)",
)
def list_results(request: HttpRequest, year: int) -> list[dict[str, Any]]:
    fields = ResultRow.model_fields
    published = published_result_set(_cycle(year))
    if published is None:
        return []  # nothing published yet: the public sees no live numbers
    rows = build_table(published)
    return [
        {name: record.get(name) for name in fields} | {"rank_median": row.rank_median}
        for row, record in zip(rows, records(results_table(published, rows)), strict=True)
    ]


# Served to anonymous clients from the revision-keyed cache (dashboard/cache.py), validated once.
@decorate_view(public_cache("api.region_result"))
@api.get(
    "/cycles/{year}/results/{code}",
    response={200: dict[str, Any], **LOOKUP_ERRORS},
    summary="One region's result traced to its inputs",
)
def region_result(request: HttpRequest, year: int, code: str) -> dict[str, Any]:
    result = (
        RegionResult.objects.filter(
            result_set=published_result_set(_cycle(year)), participation__region__code=code
        )
        .select_related("participation__region", "participation__cycle")
        .first()
    )
    if result is None:
        raise Http404(f"no result for {code} in {year}")
    return region_detail(result).as_json()
