"""``import-results``: published dimension scores per region (the national table of a cycle)."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.core.tables import ImportRejected, Problem, file_digest, parse_decimal, parse_int, read_table
from kotacerdas.cycles.models import Cycle, Participation, Track
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.signals import inputs_changed
from kotacerdas.instrument.import_context import ImportContext
from kotacerdas.instrument.models import Dimension
from kotacerdas.instrument.services import track_weights
from kotacerdas.results.models import PublishedScore, RegionResult
from kotacerdas.results.services import PublishedRow, live_result_set, store_published_results

CHECKED = ("final", "improvement", "rank")


@dataclass(frozen=True)
class _Planned:
    line: int
    participation: Participation
    track: str
    scores: dict[str, Decimal | None]
    stated: dict[str, Decimal | None]


@dataclass(frozen=True)
class ResultsImportSummary:
    regions: int
    scores_changed: int
    tracks_changed: int
    previous_finals_derived: int


def import_results(path: Path, cycle: Cycle, *, actor: User | SystemActor) -> ResultsImportSummary:
    """Store the file's published dimension scores and tracks, recompute, and check any stated final,
    improvement and rank against the engine. All or nothing: any problem rejects the whole file.

    When a row states final and improvement and the platform knows no final of that region for the previous
    year, the previous final is derived as final − improvement and stored marked as derived; when it knows
    one, the stated improvement is checked against it like any other number.
    """
    require(actor, Action.IMPORT_RESULTS, cycle)
    dimensions = {d.code: d for d in Dimension.objects.filter(instrument__cycle=cycle)}
    if not dimensions:
        raise ImportRejected(path, [Problem(0, "", "", f"the {cycle.year} cycle has no instrument loaded")])
    rows = read_table(
        path,
        required={"track"},
        optional={"region", "region_code", *dimensions, *CHECKED},
    )
    if rows and not ({"region", "region_code"} & set(rows[0].values)):
        raise ImportRejected(path, [Problem(1, "header", "", "needs a region_code or a region column")])
    context = ImportContext(cycle)
    weights = track_weights(cycle.instrument)
    scale_max = cycle.instrument.scale_max
    problems: list[Problem] = []
    planned: list[_Planned] = []
    seen: dict[int, int] = {}
    for row in rows:
        participation = context.participation(row, problems)
        track = row.get("track").upper()
        if track not in Track.values:
            problems.append(
                Problem(row.line, "track", row.get("track"), f"expected {' or '.join(Track.values)}")
            )
            continue
        scores: dict[str, Decimal | None] = {}
        for code in dimensions:
            if code not in row.values:
                continue
            text = row.get(code)
            try:
                value = parse_decimal(text)
            except ValueError as exc:
                problems.append(Problem(row.line, code, text, str(exc)))
                continue
            if value is not None and not (0 <= value <= scale_max):
                problems.append(Problem(row.line, code, text, f"outside the scale 0–{scale_max}"))
            elif value is not None and code not in weights.get(track, {}):
                problems.append(Problem(row.line, code, text, f"the {track} track has no {code} dimension"))
            scores[code] = value
        stated: dict[str, Decimal | None] = {}
        for name in CHECKED:
            text = row.get(name)
            try:
                if name == "rank":
                    number = parse_int(text)
                    stated[name] = None if number is None else Decimal(number)
                else:
                    stated[name] = parse_decimal(text)
            except ValueError as exc:
                problems.append(Problem(row.line, name, text, str(exc)))
        if participation is None:
            continue
        if participation.pk in seen:
            problems.append(
                Problem(
                    row.line,
                    "region",
                    participation.region.name,
                    f"already given on line {seen[participation.pk]}",
                )
            )
            continue
        seen[participation.pk] = row.line
        planned.append(_Planned(row.line, participation, track, scores, stated))
    if problems:
        raise ImportRejected(path, problems)

    with transaction.atomic():
        counts = store_published_results(
            cycle,
            [
                PublishedRow(
                    plan.participation,
                    Track(plan.track),
                    {dimensions[code]: value for code, value in plan.scores.items()},
                    plan.stated.get("final"),
                    plan.stated.get("improvement"),
                )
                for plan in planned
            ],
            actor=actor,
        )
        summary = ResultsImportSummary(len(planned), *counts)
        region_ids = [p.participation.region_id for p in planned]
        computed = RegionResult.objects.filter(
            result_set=live_result_set(cycle), participation__region_id__in=region_ids
        ).count()
        changed = summary.scores_changed or summary.tracks_changed or summary.previous_finals_derived
        if changed or computed < len(planned):
            inputs_changed.send(sender=PublishedScore, cycle=cycle, region_ids=region_ids)
        mismatches = _check_stated(cycle, planned)
        if mismatches:
            raise ImportRejected(path, mismatches)
        if changed:
            record_event(
                "import.results",
                actor=actor,
                object_type="cycle",
                object_id=cycle.year,
                new={"file": path.name, "sha256": file_digest(path), **summary.__dict__},
            )
    return summary


def _check_stated(cycle: Cycle, planned: list[_Planned]) -> list[Problem]:
    computed = {
        r.participation_id: r
        for r in RegionResult.objects.filter(
            result_set=live_result_set(cycle), participation_id__in=[p.participation.pk for p in planned]
        )
    }
    problems = []
    for plan in planned:
        result = computed.get(plan.participation.pk)
        engine = {
            "final": result.final if result else None,
            "improvement": result.improvement if result else None,
            "rank": Decimal(result.rank) if result else None,
        }
        for name, stated in plan.stated.items():
            if stated is None:
                continue
            if engine[name] is None:
                problems.append(
                    Problem(plan.line, name, str(stated), "the engine has no value to compare with")
                )
            elif engine[name] != stated:
                problems.append(Problem(plan.line, name, str(stated), f"the engine computes {engine[name]}"))
    return problems
