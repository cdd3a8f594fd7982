"""The demo programme: the 2024 evaluation as the seed report publishes it. Loading twice changes nothing."""

from collections.abc import Callable
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from kotacerdas.accounts.models import Role, User
from kotacerdas.accounts.services import create_user
from kotacerdas.core.actors import DEMO
from kotacerdas.cycles.models import Cycle
from kotacerdas.cycles.services import create_practice_cycle, load_cycle, load_participants
from kotacerdas.instrument.services import copy_instrument, load_instrument
from kotacerdas.regions.services import load_registry_into_db, resolve_region
from kotacerdas.results.imports import import_question_scores, import_results
from kotacerdas.results.services import (
    finalise_published,
    latest_published,
    publish_results,
    recompute_results,
)
from kotacerdas.review.models import FindingKind
from kotacerdas.review.services import (
    ScheduleOptions,
    assign_assessor,
    ensure_assessor_profile,
    imported_assessor,
    schedule_interviews,
    store_imported_findings,
)
from kotacerdas.survey.services import ensure_links

DEMO_DIR = settings.DATA_DIR / "demo" / "2024"
INSTRUMENT = settings.DATA_DIR / "instrument" / "2024.yaml"
DEMO_PASSWORD = "demo-kotacerdas-2024"

DEMO_ACCOUNTS = [
    # (e-mail, role, region code, institution)
    ("admin@demo.kotacerdas.id", Role.ADMIN, None, "Kementerian (tim evaluasi)"),
    ("operator.badung@demo.kotacerdas.id", Role.OPERATOR, "51.03", "Pemerintah Kabupaten Badung"),
    ("asesor@demo.kotacerdas.id", Role.ASSESSOR, None, "Universitas (asesor demo)"),
]


@transaction.atomic
def load_demo(say: Callable[[str], None] = print) -> None:
    provinces, regions = load_registry_into_db()
    say(f"Region registry: {provinces} provinces and {regions} regencies/cities added.")
    cycle, created = load_cycle(DEMO_DIR / "cycle.yaml", actor=DEMO)
    say(f"Cycle {cycle.year}: {'created' if created else 'already present'}.")
    instrument = load_instrument(cycle, INSTRUMENT, actor=DEMO)
    say(
        f"Instrument {instrument.instrument.version}: {'loaded' if instrument.created else 'unchanged'} "
        f"({instrument.instrument.questions.count()} questions)."
    )
    added = load_participants(cycle, DEMO_DIR / "addressees.csv", actor=DEMO)
    say(f"Participants: {cycle.participations.count()} ({added} added).")
    summary = import_results(DEMO_DIR / "national_results.csv", cycle, actor=DEMO)
    say(
        f"Published results: {summary.regions} regions, {summary.scores_changed} scores changed, "
        f"{summary.previous_finals_derived} previous-year finals derived."
    )
    scores = import_question_scores(DEMO_DIR / "badung_question_scores.csv", cycle, actor=DEMO)
    say(f"Badung question scores: {scores.created} added, {scores.changed} changed.")
    _load_findings(cycle, DEMO_DIR / "badung_findings.yaml")
    published = latest_published(cycle)
    if published is not None:
        # A demo loaded before stages followed publication: its published regions are final.
        finalise_published(published, actor=DEMO)
    else:
        recompute_results(cycle)
        with translation.override("id"):
            letter_date = date_format(cycle.letter_date, "j F Y") if cycle.letter_date else ""
        published = publish_results(
            cycle,
            reason=f"Hasil resmi menurut surat {cycle.letter_number} tanggal {letter_date}",
            actor=DEMO,
        )
        say(f"Results published as revision {published.revision}.")
    _create_accounts()


def _load_findings(cycle: Cycle, path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    region = resolve_region(document["region"])
    participation = region.participations.get(cycle=cycle)
    for entry in document["assessors"]:
        store_imported_findings(
            participation,
            imported_assessor(entry["label"], entry["institution"]),
            {
                FindingKind.STRENGTH: entry.get("strengths") or [],
                FindingKind.WEAKNESS: entry.get("weaknesses") or [],
                FindingKind.RECOMMENDATION: entry.get("recommendations") or [],
            },
            actor=DEMO,
        )


def _create_accounts() -> None:
    for email, role, region_code, institution in DEMO_ACCOUNTS:
        if User.objects.filter(email=email).exists():
            continue
        create_user(
            email,
            role,
            password=DEMO_PASSWORD,
            region=resolve_region(region_code) if region_code else None,
            institution=institution,
            actor=DEMO,
        )


# --- the practice cycle (`load-demo --practice`, which `make run` uses) -----------------------------------

PRACTICE_REGIONS = ("51.03", "32.73", "51.71")  # Badung (the demo operator's), Kota Bandung, Kota Denpasar


@transaction.atomic
def load_practice(say: Callable[[str], None] = print) -> Cycle:
    """A practice cycle ("simulasi") of this year, made from the 2024 demo, whose windows are open around
    today: Badung ready to fill for the demo operator, the demo assessor on its panel, its interview
    scheduled, its survey links made. Never listed with the programme's cycles. Idempotent."""
    source = Cycle.objects.get(year=2024)
    year = timezone.localdate().year
    regions = [resolve_region(code).pk for code in PRACTICE_REGIONS]
    cycle, created = create_practice_cycle(source, year, regions, actor=DEMO)
    copy_instrument(source, cycle, actor=DEMO)
    badung = cycle.participations.select_related("cycle", "region").get(region__code="51.03")
    assessor = User.objects.get(email=DEMO_ACCOUNTS[2][0])
    assign_assessor(badung, ensure_assessor_profile(assessor), actor=DEMO)
    ensure_links(badung, actor=DEMO)
    if not hasattr(badung, "interview"):
        schedule_interviews(
            cycle, actor=DEMO, options=ScheduleOptions(panel_size=1, include_unsubmitted=True, time_limit=10)
        )
    say(
        f"Practice cycle {cycle.year} ('simulasi'): {'created' if created else 'already present'}, "
        f"{cycle.participations.count()} regions, open until {cycle.self_assessment_closes:%Y-%m-%d}."
    )
    return cycle
