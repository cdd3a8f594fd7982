"""Loading an instrument from its YAML file into the versioned models of a cycle."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Cycle, Track
from kotacerdas.instrument.models import (
    Dimension,
    DimensionKind,
    Indicator,
    Instrument,
    Question,
    TrackWeight,
)


class InstrumentError(Exception):
    """The instrument file is invalid; ``problems`` lists each with its place in the file."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{self.path}: {p}" for p in problems))


class _LinedDict(dict[str, Any]):
    line: int = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping, for error messages."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> _LinedDict:  # type: ignore[override]
        mapping = _LinedDict({str(k): v for k, v in super().construct_mapping(node, deep=deep).items()})
        mapping.line = node.start_mark.line + 1
        return mapping


def _line(obj: object) -> str:
    return f"line {obj.line}" if isinstance(obj, _LinedDict) else "line ?"


@dataclass(frozen=True)
class InstrumentSummary:
    instrument: Instrument
    created: bool


def read_instrument_file(path: Path) -> tuple[dict[str, Any], str]:
    raw = path.read_bytes()
    try:
        document = yaml.load(raw, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        raise InstrumentError(path, [f"not valid YAML: {exc}"]) from exc
    if not isinstance(document, dict):
        raise InstrumentError(path, ["line 1: expected a mapping at the top level"])
    return document, hashlib.sha256(raw).hexdigest()


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool | float):
        # Floats are refused: weights must be exact ("0.10" as a string or 0.1 written as text).
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def validate_instrument(document: dict[str, Any]) -> list[str]:
    """Every problem of an instrument document, each with its line; empty when it is valid."""
    problems: list[str] = []
    dimensions = document.get("dimensions") or []
    if not isinstance(dimensions, list) or not dimensions:
        return ["dimensions: expected a non-empty list"]
    codes: list[str] = []
    for dim in dimensions:
        code = dim.get("code")
        if not code:
            problems.append(f"{_line(dim)}: dimension without a code")
            continue
        if code in codes:
            problems.append(f"{_line(dim)}: dimension code {code!r} appears twice")
        codes.append(code)
        if dim.get("kind") not in DimensionKind.values:
            problems.append(
                f"{_line(dim)}: dimension {code}: kind {dim.get('kind')!r} is not one of "
                f"{', '.join(DimensionKind.values)}"
            )

    weighted: set[str] = set()
    tracks = document.get("tracks") or []
    seen_tracks: set[str] = set()
    for track in tracks:
        tcode = track.get("code")
        if tcode not in Track.values:
            problems.append(f"{_line(track)}: track {tcode!r} is not one of {', '.join(Track.values)}")
            continue
        if tcode in seen_tracks:
            problems.append(f"{_line(track)}: track {tcode} appears twice")
        seen_tracks.add(tcode)
        weights = track.get("weights") or {}
        total = Decimal(0)
        for dcode, raw in weights.items():
            weight = _decimal(raw)
            if dcode not in codes:
                problems.append(f"{_line(track)}: track {tcode}: weight for unknown dimension {dcode!r}")
            elif weight is None or weight <= 0:
                problems.append(
                    f"{_line(track)}: track {tcode}: dimension {dcode} has no weight "
                    f'(got {raw!r}; write it as a decimal string such as "0.10")'
                )
            else:
                total += weight
                weighted.add(dcode)
        if total != 1:
            problems.append(f"{_line(track)}: track {tcode}: weights sum to {total}, not exactly 1")
    if not seen_tracks:
        problems.append("tracks: expected at least one track with weights")
    for dim in dimensions:
        if dim.get("code") and dim["code"] not in weighted:
            problems.append(f"{_line(dim)}: dimension {dim['code']} has no weight in any track")

    scale = document.get("scale") or {}
    if not (
        isinstance(scale.get("min"), int)
        and isinstance(scale.get("max"), int)
        and scale["min"] < scale["max"]
    ):
        problems.append(f"{_line(scale)}: scale: expected integers min < max")

    numbers: list[int] = []
    for dim in dimensions:
        for indicator in dim.get("indicators") or []:
            if not indicator.get("name"):
                problems.append(f"{_line(indicator)}: indicator without a name")
            if dim.get("kind") == DimensionKind.SURVEY and not indicator.get("smart_dimension"):
                problems.append(
                    f"{_line(indicator)}: survey indicator {indicator.get('name')!r} needs smart_dimension"
                )
            for question in indicator.get("questions") or []:
                number = question.get("number")
                if not isinstance(number, int) or number < 1:
                    problems.append(
                        f"{_line(question)}: question number {number!r} is not a positive integer"
                    )
                    continue
                if number in numbers:
                    problems.append(f"{_line(question)}: question {number} appears twice")
                numbers.append(number)
                if not str(question.get("text") or "").strip():
                    problems.append(f"{_line(question)}: question {number} has no text")
    if numbers and sorted(numbers) != list(range(1, len(numbers) + 1)):
        missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
        problems.append(f"questions: numbering is not 1..{len(numbers)} without gaps (missing {missing})")
    return problems


@transaction.atomic
def load_instrument(cycle: Cycle, path: Path, *, actor: User | SystemActor) -> InstrumentSummary:
    """Load ``path`` as ``cycle``'s instrument; loading the same file again changes nothing.

    Refused when the file is invalid, when its year is not the cycle's, and when a different instrument is
    already in place and frozen (the cycle's self-assessment window has opened) or has inputs.
    """
    document, digest = read_instrument_file(path)
    problems = validate_instrument(document)
    if document.get("year") != cycle.year:
        problems.insert(0, f"year: {document.get('year')!r} is not the cycle's year {cycle.year}")
    if problems:
        raise InstrumentError(path, problems)

    existing = Instrument.objects.filter(cycle=cycle).first()
    if existing is not None:
        if existing.source_sha256 == digest:
            return InstrumentSummary(existing, created=False)
        if existing.is_frozen:
            raise InstrumentError(
                path,
                [
                    f"the {cycle.year} instrument is frozen: the self-assessment window "
                    "has opened, so its questions can no longer change"
                ],
            )
        # Every score, answer and reply protects its question (on_delete=PROTECT): the database, not a list
        # of other apps' relations kept here, decides whether the instrument is still unused.
        try:
            with transaction.atomic():
                existing.delete()
        except (ProtectedError, RestrictedError):
            raise InstrumentError(
                path, ["the current instrument already has scores or answers; it cannot be replaced"]
            ) from None

    instrument = Instrument.objects.create(
        cycle=cycle,
        version=str(document.get("version") or cycle.year),
        scale_min=document["scale"]["min"],
        scale_max=document["scale"]["max"],
        source_sha256=digest,
    )
    previous = Instrument.objects.filter(cycle__year=cycle.year - 1).first()
    previous_questions = {q.number: q for q in previous.questions.all()} if previous else {}
    dimensions: dict[str, Dimension] = {}
    for order, dim in enumerate(document["dimensions"], start=1):
        dimension = Dimension.objects.create(
            instrument=instrument,
            code=dim["code"],
            name=dim.get("name") or dim["code"],
            name_id=dim.get("name_id") or "",
            kind=dim["kind"],
            order=order,
            description=dim.get("description") or "",
            elements=list(dim.get("elements") or []),
        )
        dimensions[dimension.code] = dimension
        for iorder, ind in enumerate(dim.get("indicators") or [], start=1):
            indicator = Indicator.objects.create(
                dimension=dimension,
                name=ind["name"],
                order=iorder,
                smart_dimension=ind.get("smart_dimension") or "",
            )
            Question.objects.bulk_create(
                Question(
                    instrument=instrument,
                    dimension=dimension,
                    indicator=indicator,
                    number=q["number"],
                    sub_indicator=q.get("sub_indicator") or "",
                    text=q["text"],
                    smart_dimension=ind.get("smart_dimension") or "",
                    sub_dimension=q.get("sub_dimension") or "",
                    scale_min=instrument.scale_min,
                    scale_max=instrument.scale_max,
                    levels={str(k): v for k, v in (q.get("levels") or {}).items()},
                    previous=previous_questions.get(q["previous"]) if q.get("previous") else None,
                )
                for q in ind.get("questions") or []
            )
    TrackWeight.objects.bulk_create(
        TrackWeight(dimension=dimensions[dcode], track=track["code"], weight=Decimal(str(weight)))
        for track in document["tracks"]
        for dcode, weight in track["weights"].items()
    )
    record_event(
        "instrument.loaded",
        actor=actor,
        object_type="instrument",
        object_id=instrument.pk,
        new={"year": cycle.year, "version": instrument.version, "sha256": digest},
    )
    return InstrumentSummary(instrument, created=True)


def track_weights(instrument: Instrument) -> dict[str, dict[str, Decimal]]:
    """``{track: {dimension code: weight}}`` in the instrument's dimension order."""
    weights: dict[str, dict[str, Decimal]] = {}
    for tw in (
        TrackWeight.objects.filter(dimension__instrument=instrument)
        .select_related("dimension")
        .order_by("dimension__order")
    ):
        weights.setdefault(tw.track, {})[tw.dimension.code] = tw.weight
    return weights


def assessed_questions(cycle: Cycle) -> list[Question]:
    """The questions of ``cycle`` that regions answer themselves and assessors score (not the survey's)."""
    return list(
        Question.objects.filter(instrument__cycle=cycle, dimension__kind=DimensionKind.ASSESSED)
        .select_related("dimension", "indicator", "instrument")
        .order_by("number")
    )
