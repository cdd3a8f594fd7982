"""Creating cycles and their participants from the cycle's own documents."""

import csv
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.db import transaction

from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Cycle, FillingRecord, Participation, Track
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
