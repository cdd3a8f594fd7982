"""Creating cycles and their participants from the cycle's own documents."""

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kotacerdas.accounts.actors import person
from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Attendance, Cycle, FillingRecord, Participation, Track
from kotacerdas.cycles.policy import Action, require
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import RegionResolver


class CycleNotFound(Exception):
    def __init__(self, year: int):
        known = ", ".join(str(y) for y in Cycle.objects.values_list("year", flat=True)) or "none"
        super().__init__(
            f"no evaluation cycle for {year} (known cycles: {known}); run `kotacerdas load-demo`?"
        )


def get_cycle(year: int) -> Cycle:
    try:
        return Cycle.objects.get(year=year)
    except Cycle.DoesNotExist:
        raise CycleNotFound(year) from None


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@transaction.atomic
def load_cycle(path: Path, *, actor: User | SystemActor) -> tuple[Cycle, bool]:
    """Create or update a cycle from its YAML description (see data/demo/2024/cycle.yaml)."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    letter = document.get("letter") or {}
    invitation = document.get("invitation") or {}
    window = document.get("evaluation_window") or {}
    values = {
        "name": document["name"],
        "programme": document.get("programme", ""),
        "stage": document.get("stage", ""),
        "letter_number": letter.get("number", ""),
        "letter_date": _as_date(letter.get("date")),
        "letter_place": letter.get("place", ""),
        "letter_subject": letter.get("subject", ""),
        "letter_attachment": letter.get("attachment", ""),
        "signatory_role": letter.get("signatory_role", ""),
        "invitation_number": invitation.get("number", ""),
        "invitation_date": _as_date(invitation.get("date")),
        "interviews_start": _as_date(window.get("start")),
        "interviews_end": _as_date(window.get("end")),
        "copies": list(document.get("copies") or []),
        "facts": dict(document.get("facts") or {}),
    }
    if values["invitation_date"] is not None:
        # A cycle described with its invitation was opened to the regions by that invitation.
        values["opened_at"] = datetime.combine(
            values["invitation_date"], time.min, ZoneInfo(settings.TIME_ZONE)
        )
    windows = document.get("windows") or {}
    for name in ("self_assessment_opens", "self_assessment_closes", "reply_opens", "reply_closes"):
        if windows.get(name) is not None:
            values[name] = windows[name]
    cycle, created = Cycle.objects.get_or_create(year=document["year"], defaults=values)
    if not created:
        changed = [name for name, value in values.items() if getattr(cycle, name) != value]
        for name in changed:
            setattr(cycle, name, values[name])
        if changed:
            cycle.save(update_fields=changed)
    if created:
        record_event(
            "cycle.created", actor=actor, object_type="cycle", object_id=cycle.year, new={"name": cycle.name}
        )
    return cycle, created


class AddresseeError(Exception):
    pass


@transaction.atomic
def load_participants(cycle: Cycle, path: Path, *, actor: User | SystemActor) -> int:
    """Register the letter's addressees (``no,addressee``) as the cycle's participants; returns how many
    were new. Every addressee must name exactly one region, and no region twice."""
    resolver = RegionResolver()
    problems: list[str] = []
    planned: dict[int, tuple[int, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                region = resolver.resolve(row["addressee"])
            except RegionNameError as exc:
                problems.append(f"{path}:{reader.line_num}: addressee={row['addressee']!r}: {exc}")
                continue
            if region.pk in planned:
                problems.append(
                    f"{path}:{reader.line_num}: addressee={row['addressee']!r}: "
                    f"{region.name} is already addressee no. {planned[region.pk][0]}"
                )
                continue
            planned[region.pk] = (int(row["no"]), row["addressee"])
    if problems:
        raise AddresseeError("\n".join(problems))
    existing = {p.region_id: p for p in Participation.objects.filter(cycle=cycle)}
    new = []
    for region_id, (number, addressee) in planned.items():
        participation = existing.get(region_id)
        if participation is None:
            new.append(
                Participation(cycle=cycle, region_id=region_id, addressee_no=number, addressee=addressee)
            )
        elif (participation.addressee_no, participation.addressee) != (number, addressee):
            participation.addressee_no, participation.addressee = number, addressee
            participation.save(update_fields=["addressee_no", "addressee"])
    Participation.objects.bulk_create(new)
    if new:
        record_event(
            "participants.added",
            actor=actor,
            object_type="cycle",
            object_id=cycle.year,
            new={"file": path.name, "added": len(new)},
        )
    return len(new)


def record_evaluated(participation: Participation, track: Track, *, actor: User | SystemActor) -> bool:
    """Record that the region was evaluated on ``track`` (it filled the self-assessment), as a published
    results row states. Returns whether the track changed; a change is audited."""
    old_track = participation.track
    if (old_track, participation.self_assessment) == (track, FillingRecord.FILLED):
        return False
    participation.track, participation.self_assessment = track, FillingRecord.FILLED
    participation.save(update_fields=["track", "self_assessment"])
    if old_track != track:
        record_event(
            "participation.track_set",
            actor=actor,
            object_type="participation",
            object_id=participation.pk,
            old={"track": old_track},
            new={"track": track},
            participation=participation,
        )
    return old_track != track


# --- the next cycle ------------------------------------------------------------------------------------

WINDOW_FIELDS = (
    "self_assessment_opens",
    "self_assessment_closes",
    "interviews_start",
    "interviews_end",
    "survey_opens",
    "survey_closes",
    "reply_opens",
    "reply_closes",
    "publication_planned",
)


class CycleLineageError(ValueError):
    pass


def _moved(value: Any, years: int) -> Any:
    """A date or time ``years`` later (29 February becomes 28 February in a common year)."""
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


@transaction.atomic
def create_cycle_from(source: Cycle, year: int, *, actor: User | SystemActor) -> tuple[Cycle, int]:
    """Cycle ``year`` made from ``source``, its previous cycle: the same programme and stage label, the
    windows moved by the years between, the participants with their tracks; no inputs, no letter. It starts
    in preparation (see :func:`open_cycle`). Running it again changes nothing but adding participants the
    source gained meanwhile. Returns the cycle and how many participants were added. The instrument is
    copied by ``instrument.services.copy_instrument`` (a higher layer; the ``new-cycle`` command does both).
    """
    require(actor, Action.START_CYCLE, source)
    years = year - source.year
    if years <= 0:
        raise CycleLineageError(f"cycle {year} cannot follow cycle {source.year}: it must be a later year")
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        name = source.name.replace(str(source.year), str(year))
        cycle = Cycle.objects.create(
            year=year,
            name=name if name != source.name else f"{source.name} ({year})",
            programme=source.programme,
            stage=source.stage,
            previous=source,
            letter_place=source.letter_place,
            signatory_role=source.signatory_role,
            copies=list(source.copies),
            **{name: _moved(getattr(source, name), years) for name in WINDOW_FIELDS},
        )
        record_event(
            "cycle.created",
            actor=actor,
            object_type="cycle",
            object_id=cycle.year,
            new={"name": cycle.name, "from": source.year},
        )
    elif cycle.previous_id != source.pk:
        made_from = cycle.previous.year if cycle.previous else "no previous cycle"
        raise CycleLineageError(
            f"cycle {year} exists already and was made from {made_from}, not {source.year}"
        )
    have = set(cycle.participations.values_list("region_id", flat=True))
    new = [
        Participation(
            cycle=cycle,
            region_id=p.region_id,
            track=p.track,
            addressee_no=p.addressee_no,
            addressee=p.addressee,
        )
        for p in source.participations.order_by("pk")
        if p.region_id not in have
    ]
    Participation.objects.bulk_create(new)
    if new:
        record_event(
            "participants.added",
            actor=actor,
            object_type="cycle",
            object_id=cycle.year,
            new={"from": source.year, "added": len(new)},
        )
    return cycle, len(new)


@transaction.atomic
def open_cycle(cycle: Cycle, *, actor: User | SystemActor) -> bool:
    """Open the cycle to the regions (the invitation): from now on the windows apply to people and the
    instrument is frozen. Audited; opening an open cycle changes nothing."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    require(actor, Action.OPEN_CYCLE, cycle)
    if cycle.opened_at is not None:
        return False
    cycle.opened_at, cycle.opened_by = timezone.now(), person(actor)
    cycle.save(update_fields=["opened_at", "opened_by"])
    record_event(
        "cycle.opened",
        actor=actor,
        object_type="cycle",
        object_id=cycle.year,
        new={"opened_at": cycle.opened_at.isoformat()},
    )
    return True


@transaction.atomic
def record_attendance(
    participation: Participation,
    *,
    filled: FillingRecord,
    attendance: Attendance,
    actor: User | SystemActor,
) -> bool:
    """Record whether the region filled the self-assessment and attended its interview (the panel or an
    admin); the letter's counts and its list of regions that did not take part come from these records.
    Returns whether anything changed; a change is audited."""
    require(actor, Action.RECORD_ATTENDANCE, participation)
    old = {"self_assessment": participation.self_assessment, "attendance": participation.attendance}
    new = {"self_assessment": str(filled), "attendance": str(attendance)}
    if old == new:
        return False
    participation.self_assessment, participation.attendance = filled, attendance
    participation.save(update_fields=["self_assessment", "attendance"])
    record_event(
        "participation.attendance",
        actor=actor,
        object_type="participation",
        object_id=participation.pk,
        old=old,
        new=new,
        participation=participation,
    )
    return True


@transaction.atomic
def create_practice_cycle(
    source: Cycle, year: int, region_ids: list[int], *, actor: User | SystemActor
) -> tuple[Cycle, bool]:
    """A practice cycle ("simulasi") for walking the workflow: made from ``source`` (its tracks, its
    finals as the base of improvement), open now, every window around today (self-assessment and
    survey now, interviews from yesterday for three weeks, the reply after them), with the given regions.
    Never listed with the programme's cycles. Idempotent: an existing practice cycle of ``year`` is
    returned as it is. Returns the cycle and whether it was created."""
    require(actor, Action.START_CYCLE, source)
    existing = Cycle.objects.filter(year=year).first()
    if existing is not None:
        if not existing.practice:
            raise CycleLineageError(f"cycle {year} is a programme cycle, not a practice one")
        return existing, False
    now = timezone.now()
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        year=year,
        name=f"Simulasi {source.programme or source.name} {year}",
        programme=source.programme,
        stage=source.stage,
        previous=source,
        practice=True,
        opened_at=now,
        letter_place=source.letter_place,
        signatory_role=source.signatory_role,
        self_assessment_opens=now - timedelta(days=1),
        self_assessment_closes=now + timedelta(days=14),
        survey_opens=now - timedelta(days=1),
        survey_closes=now + timedelta(days=21),
        interviews_start=today - timedelta(days=1),
        interviews_end=today + timedelta(days=21),
        reply_opens=now + timedelta(days=22),
        reply_closes=now + timedelta(days=29),
        publication_planned=today + timedelta(days=35),
    )
    tracks = dict(source.participations.values_list("region_id", "track"))
    Participation.objects.bulk_create(
        Participation(cycle=cycle, region_id=region_id, track=tracks.get(region_id) or Track.REGULER)
        for region_id in region_ids
    )
    record_event(
        "cycle.created",
        actor=actor,
        object_type="cycle",
        object_id=cycle.year,
        new={"name": cycle.name, "from": source.year, "practice": True, "regions": len(region_ids)},
    )
    return cycle, True
