"""Every write of a cycle's instrument: importing a file (``load_instrument``: ``import-instrument`` and the
demo loader), copying the previous cycle's (``copy_instrument``: ``new-cycle``) and the admin's edits
(``save_instrument_row``, ``delete_instrument_row``). Each asks the policy (``EDIT_INSTRUMENT``), refuses
an instrument that is frozen (its cycle opened to the regions) and is audited.

The file format and its validation live in ``document.py``; the canonical content behind
``Instrument.content_hash`` and the export in ``content.py``.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError

from kotacerdas.accounts.actors import Actor
from kotacerdas.audit.services import record_event
from kotacerdas.core.tables import Problem
from kotacerdas.cycles.models import Cycle
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.services import create_cycle_from
from kotacerdas.instrument.content import (
    content_digest,
    document_content,
    instrument_content,
    render_instrument,
)
from kotacerdas.instrument.document import (
    Counterparts,
    InstrumentError,
    read_instrument_file,
    validate_instrument,
)
from kotacerdas.instrument.models import (
    Dimension,
    DimensionKind,
    Indicator,
    Instrument,
    Question,
    TrackWeight,
)

__all__ = [
    "InstrumentChangeRefused",
    "InstrumentError",
    "InstrumentSummary",
    "assessed_questions",
    "copy_instrument",
    "delete_instrument_row",
    "export_instrument",
    "frozen_reason",
    "load_instrument",
    "read_instrument_file",
    "save_instrument_row",
    "start_next_cycle",
    "track_weights",
    "validate_instrument",
]

type InstrumentRow = Instrument | Dimension | Indicator | Question | TrackWeight


class InstrumentChangeRefused(Exception):
    """A change to an instrument outside a file (the admin) was refused; the message says why."""


@dataclass(frozen=True)
class InstrumentSummary:
    """What a load or copy did: ``created`` (the cycle had none), ``replaced`` (a new instrument replaced
    the old one), ``updated`` (only the version changed) or ``unchanged``."""

    instrument: Instrument
    outcome: Literal["created", "replaced", "updated", "unchanged"]

    @property
    def created(self) -> bool:
        """Whether new instrument rows were stored."""
        return self.outcome in ("created", "replaced")


def frozen_reason(instrument: Instrument) -> str:
    """Why the instrument may no longer change ("" while it may): its cycle has been opened to the regions
    (never the clock alone: a cycle in preparation stays editable whatever its windows say). From then on
    operators answer and assessors score these questions."""
    cycle = instrument.cycle
    if not cycle.is_open:
        return ""
    return (
        f"the {cycle.year} instrument is frozen: the cycle has been opened to the regions, "
        "so its questions can no longer change"
    )


def _counterparts(cycle: Cycle) -> tuple[Counterparts, dict[int, Question]]:
    """The questions ``previous: N`` may name: those of ``cycle.previous``'s instrument, by number."""
    previous = cycle.previous
    if previous is None:
        return Counterparts(None), {}
    questions = {q.number: q for q in Question.objects.filter(instrument__cycle=previous)}
    if not questions:
        return Counterparts(None), {}
    return Counterparts(previous.year, frozenset(questions)), questions


def _numbers(content: dict[str, Any]) -> set[int]:
    return {q["number"] for d in content["dimensions"] for i in d["indicators"] for q in i["questions"]}


@transaction.atomic
def load_instrument(cycle: Cycle, path: Path, *, actor: Actor) -> InstrumentSummary:
    """Import ``path`` (the ``data/instrument/`` format) as ``cycle``'s instrument, replacing the one it has.

    All or nothing: every problem of the file is reported (``InstrumentError``, each problem with its line,
    YAML path, value and message) and nothing is stored. ``previous: N`` must name a question of the
    cycle's previous cycle (``Cycle.previous``). Importing the same content again changes nothing; a file
    that differs only in its version changes the version. A different instrument is refused once the
    current one is frozen (``frozen_reason``), when its questions have scores or answers, and when it would
    drop a question that a later cycle's question names as its ``previous``. A cycle without an instrument
    may always receive one (a historic cycle is loaded after its opening): nobody has answered anything yet.
    Question numbers identify the questions; links from later cycles follow the numbers.
    """
    require(actor, Action.EDIT_INSTRUMENT, cycle)
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("previous").get(pk=cycle.pk)
    file = read_instrument_file(path)
    counterparts, previous_questions = _counterparts(cycle)
    problems = validate_instrument(
        file.document, lines=file.lines, year=cycle.year, counterparts=counterparts
    )
    if problems:
        raise InstrumentError(path, problems)
    content = document_content(file.document)
    version = str(file.document.get("version") or cycle.year)

    existing = Instrument.objects.filter(cycle=cycle).select_related("cycle").first()
    if existing is None:
        instrument = _store(cycle, content, version, file.sha256, previous_questions)
        record_event(
            "instrument.loaded",
            actor=actor,
            object_type="instrument",
            object_id=instrument.pk,
            new=_summary(instrument, content) | {"sha256": file.sha256},
        )
        return InstrumentSummary(instrument, "created")

    current = instrument_content(existing)
    if current == content and existing.version == version:
        return InstrumentSummary(existing, "unchanged")
    refusal = frozen_reason(existing)
    if refusal:
        raise InstrumentError(path, [Problem(0, "", "", refusal)])
    if current == content:
        old_version = existing.version
        existing.version, existing.source_sha256 = version, file.sha256
        existing.save(update_fields=["version", "source_sha256"])
        record_event(
            "instrument.version_changed",
            actor=actor,
            object_type="instrument",
            object_id=existing.pk,
            old={"version": old_version},
            new={"version": version, "sha256": file.sha256},
        )
        return InstrumentSummary(existing, "updated")

    # Questions of later cycles that name this instrument's questions as their counterpart: they follow
    # the numbers into the new instrument, so none of their numbers may disappear.
    later = list(
        Question.objects.filter(previous__instrument=existing).values_list(
            "pk", "previous__number", "instrument__cycle__year", "number"
        )
    )
    kept = _numbers(content)
    lost = [
        Problem(
            0,
            "number",
            str(number),
            f"question {number} is dropped, but question {later_number} of the {later_year} instrument "
            "names it as its previous: keep it, or change that link first",
        )
        for _pk, number, later_year, later_number in later
        if number not in kept
    ]
    if lost:
        raise InstrumentError(path, lost)
    old = _summary(existing, current)
    # Every score, answer and reply protects its question (on_delete=PROTECT): the database, not a list
    # of other apps' relations kept here, decides whether the instrument is still unused.
    try:
        with transaction.atomic():
            existing.delete()
    except (ProtectedError, RestrictedError):
        raise InstrumentError(
            path,
            [
                Problem(
                    0, "", "", "the current instrument already has scores or answers; it cannot be replaced"
                )
            ],
        ) from None
    instrument = _store(cycle, content, version, file.sha256, previous_questions)
    by_number = {q.number: q for q in Question.objects.filter(instrument=instrument)}
    for pk, number, _year, _number in later:
        Question.objects.filter(pk=pk).update(previous=by_number[number])
    record_event(
        "instrument.replaced",
        actor=actor,
        object_type="instrument",
        object_id=instrument.pk,
        old=old,
        new=_summary(instrument, content) | {"sha256": file.sha256, "relinked": len(later)},
    )
    return InstrumentSummary(instrument, "replaced")


@transaction.atomic
def copy_instrument(source_cycle: Cycle, target_cycle: Cycle, *, actor: Actor) -> InstrumentSummary:
    """Copy ``source_cycle``'s instrument into ``target_cycle``, the cycle made from it.

    Everything is copied: scale, track weights, dimensions (names, kind, description, elements),
    indicators, questions (number, texts, level descriptions) in the same order; every question's
    ``previous`` is the source question of the same number, its counterpart. The copy's version is
    ``"<target year>.1"``; the source is not touched.

    Idempotent: when ``target_cycle`` already has an instrument, nothing changes and that instrument is
    returned (``outcome == "unchanged"``), also when the admin has edited it since the first copy, so a
    ``new-cycle`` run again never overwrites the preparation of the new instrument.

    Raises ``ValueError`` when ``target_cycle.previous`` is not ``source_cycle`` (a question's
    ``previous`` always lies in its cycle's previous cycle) or when the source has no instrument;
    ``NotAllowed`` when the policy refuses ``actor`` (``EDIT_INSTRUMENT``). Audited as
    ``instrument.copied``.
    """
    require(actor, Action.EDIT_INSTRUMENT, target_cycle)
    target = Cycle.objects.select_for_update().get(pk=target_cycle.pk)
    if target.previous_id != source_cycle.pk:
        raise ValueError(
            f"cycle {target.year} was not made from {source_cycle.year} (its previous cycle is "
            f"{target.previous.year if target.previous else 'not set'}): the copy's links would be wrong"
        )
    existing = Instrument.objects.filter(cycle=target).first()
    if existing is not None:
        return InstrumentSummary(existing, "unchanged")
    source = Instrument.objects.filter(cycle=source_cycle).first()
    if source is None:
        raise ValueError(f"the {source_cycle.year} cycle has no instrument to copy")
    content = instrument_content(source)
    for dimension in content["dimensions"]:
        for indicator in dimension["indicators"]:
            for question in indicator["questions"]:
                question["previous"] = question["number"]
    counterparts = {q.number: q for q in Question.objects.filter(instrument=source)}
    instrument = _store(target, content, f"{target.year}.1", "", counterparts)
    record_event(
        "instrument.copied",
        actor=actor,
        object_type="instrument",
        object_id=instrument.pk,
        new=_summary(instrument, content) | {"from": source_cycle.year, "from_version": source.version},
    )
    return InstrumentSummary(instrument, "created")


def export_instrument(cycle: Cycle) -> str:
    """``cycle``'s instrument as a YAML file that ``load_instrument`` reads back as the same instrument.
    Raises ``Instrument.DoesNotExist`` when the cycle has none."""
    instrument = Instrument.objects.select_related("cycle__previous").get(cycle=cycle)
    return render_instrument(instrument)


def _summary(instrument: Instrument, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "year": instrument.cycle.year,
        "version": instrument.version,
        "content_hash": content_digest(content),
        "questions": len(_numbers(content)),
    }


def _store(
    cycle: Cycle,
    content: dict[str, Any],
    version: str,
    source_sha256: str,
    counterparts: dict[int, Question],
) -> Instrument:
    """Store canonical ``content`` (document.py) as ``cycle``'s instrument; ``previous: N`` becomes a link
    to ``counterparts[N]``."""
    instrument = Instrument.objects.create(
        cycle=cycle,
        version=version,
        scale_min=content["scale"]["min"],
        scale_max=content["scale"]["max"],
        source_sha256=source_sha256,
    )
    dimensions: dict[str, Dimension] = {}
    for order, dim in enumerate(content["dimensions"], start=1):
        dimension = Dimension.objects.create(
            instrument=instrument,
            code=dim["code"],
            name=dim["name"],
            name_id=dim["name_id"],
            kind=dim["kind"],
            order=order,
            description=dim["description"],
            elements=dim["elements"],
        )
        dimensions[dimension.code] = dimension
        for iorder, ind in enumerate(dim["indicators"], start=1):
            indicator = Indicator.objects.create(
                dimension=dimension, name=ind["name"], order=iorder, smart_dimension=ind["smart_dimension"]
            )
            Question.objects.bulk_create(
                Question(
                    instrument=instrument,
                    dimension=dimension,
                    indicator=indicator,
                    number=q["number"],
                    sub_indicator=q["sub_indicator"],
                    text=q["text"],
                    smart_dimension=ind["smart_dimension"],
                    sub_dimension=q["sub_dimension"],
                    scale_min=instrument.scale_min,
                    scale_max=instrument.scale_max,
                    levels=q["levels"],
                    previous=counterparts[q["previous"]] if q["previous"] is not None else None,
                )
                for q in ind["questions"]
            )
    TrackWeight.objects.bulk_create(
        TrackWeight(dimension=dimensions[code], track=track["code"], weight=Decimal(weight))
        for track in content["tracks"]
        for code, weight in track["weights"].items()
    )
    return instrument


# --- the admin's edits -----------------------------------------------------------------------------------


def instrument_of(row: InstrumentRow) -> Instrument:
    if isinstance(row, Instrument):
        return row
    if isinstance(row, Dimension | Question):
        return row.instrument
    return row.dimension.instrument


def _audit_value(row: models.Model, name: str) -> Any:
    value = getattr(row, name)
    if isinstance(value, Question):
        return {"year": value.instrument.cycle.year, "number": value.number}
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Decimal | datetime):
        return str(value)
    return value


def _allowed(instrument: Instrument, actor: Actor) -> None:
    require(actor, Action.EDIT_INSTRUMENT, instrument.cycle)
    refusal = frozen_reason(instrument)
    if refusal:
        raise InstrumentChangeRefused(refusal)


@transaction.atomic
def save_instrument_row(row: InstrumentRow, *, fields: Iterable[str], actor: Actor) -> None:
    """Store one row of an instrument as edited in the admin (``fields``: the model fields that changed;
    all of them for a new row), audited with the old and new values.

    What follows from the row is kept in step: a question takes its instrument, dimension and smart
    dimension from its indicator and its scale from the instrument; an indicator's questions follow its
    dimension and smart dimension. Refused (``InstrumentChangeRefused``) once the instrument is frozen and
    when a row would move to another instrument; ``NotAllowed`` when the policy refuses."""
    changed = list(fields)
    adding = row.pk is None
    if isinstance(row, Question):
        row.dimension = row.indicator.dimension
        row.smart_dimension = row.indicator.smart_dimension
        if adding:
            row.instrument = row.dimension.instrument
            row.scale_min, row.scale_max = row.instrument.scale_min, row.instrument.scale_max
        elif row.dimension.instrument_id != row.instrument_id:
            raise InstrumentChangeRefused("a question cannot move to another cycle's instrument")
        if "indicator" in changed:
            changed += ["dimension", "smart_dimension"]
    instrument = instrument_of(row)
    _allowed(instrument, actor)
    if not adding and not changed:
        return
    before: InstrumentRow | None = None if adding else type(row)._default_manager.get(pk=row.pk)
    if before is not None and instrument_of(before).pk != instrument.pk:
        raise InstrumentChangeRefused("a row cannot move to another cycle's instrument")
    if adding:
        row.save()
    else:
        row.save(update_fields=sorted(set(changed)) or None)
    if isinstance(row, Indicator) and not adding:
        Question.objects.filter(indicator=row).update(
            dimension=row.dimension, smart_dimension=row.smart_dimension
        )
    kind = row._meta.model_name
    record_event(
        f"instrument.{kind}_{'added' if adding else 'changed'}",
        actor=actor,
        object_type=str(kind),
        object_id=row.pk,
        old={name: _audit_value(before, name) for name in changed} if before is not None else None,
        new={name: _audit_value(row, name) for name in changed},
        question_number=row.number if isinstance(row, Question) else None,
    )


@transaction.atomic
def delete_instrument_row(row: InstrumentRow, *, actor: Actor) -> None:
    """Delete one row of an instrument (and what belongs to it) from the admin, audited. Refused
    (``InstrumentChangeRefused``) once the instrument is frozen, when scores or answers rely on it, and
    for a question that a later cycle's question names as its ``previous``."""
    instrument = instrument_of(row)
    _allowed(instrument, actor)
    if isinstance(row, Question) and row.next_versions.exists():
        raise InstrumentChangeRefused(
            f"question {row.number} is the previous of a question of a later cycle; change that link first"
        )
    kind, pk, label = row._meta.model_name, row.pk, str(row)
    number = row.number if isinstance(row, Question) else None
    try:
        with transaction.atomic():
            row.delete()
    except (ProtectedError, RestrictedError):
        raise InstrumentChangeRefused(
            f"{label}: scores or answers rely on it; it cannot be deleted"
        ) from None
    record_event(
        f"instrument.{kind}_deleted",
        actor=actor,
        object_type=str(kind),
        object_id=pk,
        old={"row": label},
        question_number=number,
    )


# --- reads ----------------------------------------------------------------------------------------------


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


@transaction.atomic
def start_next_cycle(source: Cycle, year: int, *, actor: Actor) -> tuple[Cycle, int, InstrumentSummary]:
    """``new-cycle``: cycle ``year`` from ``source`` (``cycles.services.create_cycle_from``) with a copy of
    its instrument, each question linked to its counterpart; one transaction, idempotent. Returns the
    cycle, how many participants were added and the instrument's summary."""
    cycle, added = create_cycle_from(source, year, actor=actor)
    return cycle, added, copy_instrument(source, cycle, actor=actor)
