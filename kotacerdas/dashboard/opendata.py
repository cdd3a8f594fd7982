"""Open data: a cycle's latest published revision as a Frictionless Data Package (docs/open-data.md).

``datapackage(cycle, result_set)`` is the descriptor (``/data/<year>/datapackage.json``); ``resource_csv``
renders one resource (``/data/<year>/<name>.csv``). Everything comes from the published revision and the
inputs frozen with it (``RegionResult.inputs``), never from the live review or survey tables
(docs/decisions/0005); the instrument is public from the start. Each resource is a ``core.exporters.Table``
whose header is its column keys, rendered by the shared CSV renderer, and described by a Table Schema built
from the same column list, so the file and its schema cannot drift apart.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kotacerdas.core.exporters import Column, Rendered, Table, render_csv
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument.models import Dimension, Question
from kotacerdas.instrument.services import track_weights
from kotacerdas.results.models import RegionResult, ResultSet
from kotacerdas.results.table import results_table, two_decimals
from kotacerdas.survey.stats import estimate

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
ANSWERS = (1, 2, 3, 4)  # the survey's scale


@dataclass(frozen=True)
class Field:
    key: str
    type: str  # Table Schema type: string, number, integer
    description: str
    required: bool = False


def _column(f: Field) -> Column:
    return Column(f.key, text=two_decimals if f.type == "number" else None)


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str
    fields: list[Field]
    primary_key: list[str]
    rows: Callable[[ResultSet], Iterator[dict[str, Any]]]


def _results_rows(result_set: ResultSet) -> Iterator[dict[str, Any]]:
    table = results_table(result_set)
    keys = [c.key for c in table.columns]
    for values in table.values():
        yield dict(zip(keys, values, strict=True))


def _published_rows(result_set: ResultSet) -> Iterator[RegionResult]:
    return iter(
        RegionResult.objects.filter(result_set=result_set)
        .select_related("participation__region")
        .order_by("participation__region__code")
    )


def _dimension_rows(result_set: ResultSet) -> Iterator[dict[str, Any]]:
    order = dict(Dimension.objects.filter(instrument__cycle=result_set.cycle).values_list("code", "order"))
    for r in _published_rows(result_set):
        for code, entry in sorted(r.dimensions.items(), key=lambda item: order.get(item[0], 0)):
            yield {
                "region_code": r.participation.region.code,
                "dimension": code,
                "weight": Decimal(entry["weight"]),
                "score": None if entry.get("score") is None else Decimal(entry["score"]),
                "source": entry.get("source", ""),
                "questions": len(entry.get("questions", [])),
            }


def _question_rows(result_set: ResultSet) -> Iterator[dict[str, Any]]:
    for r in _published_rows(result_set):
        for code, entry in r.dimensions.items():
            for q in entry.get("questions", []):
                yield {
                    "region_code": r.participation.region.code,
                    "question": q["number"],
                    "dimension": code,
                    "score": Decimal(q["score"]),
                    "source": q["source"],
                    "n": q.get("count", 0),
                }


def _survey_rows(result_set: ResultSet) -> Iterator[dict[str, Any]]:
    smart = dict(
        Question.objects.filter(instrument__cycle=result_set.cycle).values_list("number", "smart_dimension")
    )
    for r in _published_rows(result_set):
        distribution: dict[str, dict[str, int]] = (r.inputs or {}).get("distribution", {})
        for number in sorted(distribution, key=int):
            counts = {int(k): v for k, v in distribution[number].items()}
            e = estimate(counts)
            yield {
                "region_code": r.participation.region.code,
                "question": int(number),
                "smart_dimension": smart.get(int(number), ""),
                "n": e.n,
                "mean": e.mean,
                "ci95_low": e.low,
                "ci95_high": e.high,
                **{f"answers_{k}": counts.get(k, 0) for k in ANSWERS},
            }


def _instrument_rows(result_set: ResultSet) -> Iterator[dict[str, Any]]:
    for q in (
        Question.objects.filter(instrument__cycle=result_set.cycle)
        .select_related("dimension", "indicator", "previous")
        .order_by("number")
    ):
        yield {
            "question": q.number,
            "dimension": q.dimension.code,
            "indicator": q.indicator.name,
            "sub_indicator": q.sub_indicator,
            "text": q.text,
            "smart_dimension": q.smart_dimension,
            "sub_dimension": q.sub_dimension,
            "scale_min": q.scale_min,
            "scale_max": q.scale_max,
            "previous": q.previous.number if q.previous else None,
        }


def _weight_rows(result_set: ResultSet) -> Iterator[dict[str, Any]]:
    for track, weights in track_weights(result_set.cycle.instrument).items():
        for code, weight in weights.items():
            yield {"track": track, "dimension": code, "weight": weight}


_REGION = Field("region_code", "string", "Kemendagri code of the regency or city (e.g. 51.03)", True)


def resources(cycle: Cycle) -> list[Resource]:
    """The package's resources, the results table's columns taken from the cycle's instrument."""
    dimension_fields = [
        Field(code, "number", f"{name} score (1–4); empty when absent")
        for code, name in Dimension.objects.filter(instrument__cycle=cycle)
        .order_by("order")
        .values_list("code", "name")
    ]
    return [
        Resource(
            "results",
            "National results table",
            "One row per region: dimension scores, final index, improvement and ranks (CONTRACT.md columns).",
            [
                _REGION,
                Field("region", "string", "Name as in the national table", True),
                Field("track", "string", "REGULER or KPPN IKN", True),
                *dimension_fields,
                Field("final", "number", "Final index = Σ track weight × dimension score", True),
                Field("improvement", "number", "Final minus the previous cycle's final"),
                Field("rank", "integer", "National rank by final (ties share a rank)", True),
                Field("rank_track", "integer", "Rank within the region's track"),
                Field("rank_low", "integer", "5th percentile of the national rank (robustness analysis)"),
                Field("rank_high", "integer", "95th percentile of the national rank (robustness analysis)"),
                Field("improvement_comparable", "number", "Like-for-like improvement (scoring rule 8)"),
            ],
            ["region_code"],
            _results_rows,
        ),
        Resource(
            "dimension_scores",
            "Dimension scores",
            "Per region and dimension: weight, score and where it comes from.",
            [
                _REGION,
                Field("dimension", "string", "Dimension code of the instrument", True),
                Field("weight", "number", "The dimension's weight in the region's track", True),
                Field("score", "number", "Dimension score (1–4); empty when absent (counts 0)"),
                Field("source", "string", "raw (from its questions), published (imported) or absent", True),
                Field("questions", "integer", "Questions scored for the region in this dimension", True),
            ],
            ["region_code", "dimension"],
            _dimension_rows,
        ),
        Resource(
            "question_scores",
            "Question scores",
            "Per region and question of the published revision: score, its source and number of inputs.",
            [
                _REGION,
                Field("question", "integer", "Question number in the cycle's instrument", True),
                Field("dimension", "string", "Dimension code", True),
                Field("score", "number", "Question score (0 when missing)", True),
                Field("source", "string", "agreed, raw (mean of inputs) or missing", True),
                Field("n", "integer", "Number of valid inputs (assessors' scores or survey answers)", True),
            ],
            ["region_code", "question"],
            _question_rows,
        ),
        Resource(
            "survey_aggregates",
            "Citizen survey aggregates",
            "Per region and Impact question: respondents, mean answer, 95 % t interval and answer counts "
            "(included responses frozen at publication).",
            [
                _REGION,
                Field("question", "integer", "Question number", True),
                Field("smart_dimension", "string", "Smart dimension of the question"),
                Field("n", "integer", "Respondents who answered", True),
                Field("mean", "number", "Mean answer (1–4)"),
                Field("ci95_low", "number", "Lower bound of the 95 % confidence interval of the mean"),
                Field("ci95_high", "number", "Upper bound of the 95 % confidence interval of the mean"),
                *[Field(f"answers_{k}", "integer", f"Respondents who answered {k}", True) for k in ANSWERS],
            ],
            ["region_code", "question"],
            _survey_rows,
        ),
        Resource(
            "instrument",
            "Instrument (questions)",
            "The cycle's questions with their dimension, indicator and counterpart in the previous cycle.",
            [
                Field("question", "integer", "Question number", True),
                Field("dimension", "string", "Dimension code", True),
                Field("indicator", "string", "Indicator", True),
                Field("sub_indicator", "string", "Sub-indicator"),
                Field("text", "string", "Question text", True),
                Field("smart_dimension", "string", "Smart dimension (Impact questions)"),
                Field("sub_dimension", "string", "Sub-dimension (Impact questions)"),
                Field("scale_min", "integer", "Lowest score", True),
                Field("scale_max", "integer", "Highest score", True),
                Field("previous", "integer", "Counterpart's number in the previous cycle; empty when new"),
            ],
            ["question"],
            _instrument_rows,
        ),
        Resource(
            "weights",
            "Dimension weights per track",
            "The weight of each dimension in each track (a track's weights add up to 1).",
            [
                Field("track", "string", "Track", True),
                Field("dimension", "string", "Dimension code", True),
                Field("weight", "number", "Weight", True),
            ],
            ["track", "dimension"],
            _weight_rows,
        ),
    ]


def _schema(resource: Resource) -> dict[str, Any]:
    return {
        "fields": [
            {
                "name": f.key,
                "type": f.type,
                "description": f.description,
                **({"constraints": {"required": True}} if f.required else {}),
            }
            for f in resource.fields
        ],
        "primaryKey": resource.primary_key,
        "missingValues": [""],
    }


def datapackage(cycle: Cycle, result_set: ResultSet) -> dict[str, Any]:
    """The Data Package descriptor of a published revision; resource paths are relative to it."""
    instrument = cycle.instrument
    return {
        "name": f"kota-cerdas-{cycle.year}",
        "title": f"Kota Cerdas {cycle.year}: {cycle.name}",
        "description": (
            f"Published results of the {cycle.year} smart-city evaluation (revision {result_set.revision}), "
            f"with their frozen inputs and the instrument version {instrument.version} "
            f"(content SHA-256 {instrument.content_hash})."
        ),
        "version": f"{cycle.year}.{result_set.revision}",
        "created": result_set.published_at.isoformat() if result_set.published_at else None,
        "licenses": [LICENCE],
        "keywords": ["smart city", "kota cerdas", "Indonesia", str(cycle.year)],
        "resources": [
            {
                "name": r.name,
                "title": r.title,
                "description": r.description,
                "path": f"{r.name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "licenses": [LICENCE],
                "schema": _schema(r),
            }
            for r in resources(cycle)
        ],
    }


def resource_csv(cycle: Cycle, result_set: ResultSet, name: str) -> Rendered | None:
    """One resource as CSV (None for an unknown name)."""
    for r in resources(cycle):
        if r.name == name:
            table = Table(
                name=name, columns=[_column(f) for f in r.fields], rows=r.rows(result_set), header="key"
            )
            return render_csv(table)
    return None
