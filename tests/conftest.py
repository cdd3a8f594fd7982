"""Shared fixtures. The demo programme (the seed's 2024 evaluation) is loaded once per test session into
the test database; each test runs in a transaction that is rolled back, so tests may change it freely."""

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from kotacerdas.accounts.models import Role, User
from kotacerdas.cycles.models import Cycle, Participation, Track
from kotacerdas.instrument.services import load_instrument
from kotacerdas.regions.services import resolve_region
from kotacerdas.results.demo import load_demo

INSTRUMENT_2024 = settings.DATA_DIR / "instrument" / "2024.yaml"
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_demo(say=lambda _: None)


@pytest.fixture
def cycle_2024(db: None) -> Cycle:
    return Cycle.objects.get(year=2024)


@pytest.fixture
def make_cycle(db: None, tmp_path: Path) -> Callable[..., Cycle]:
    """A fresh cycle with the 2024 instrument and the given regions as participants on the REGULER track."""

    def make(
        year: int = 2030, regions: tuple[str, ...] = ("51.03", "32.73", "32.04"), track: str = Track.REGULER
    ) -> Cycle:
        cycle = Cycle.objects.create(year=year, name=f"Siklus uji {year}")
        document = yaml.safe_load(INSTRUMENT_2024.read_text(encoding="utf-8"))
        document["year"] = year
        path = tmp_path / f"instrument-{year}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        load_instrument(cycle, path)
        for code in regions:
            Participation.objects.create(cycle=cycle, region=resolve_region(code), track=track)
        return cycle

    return make


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def _user(email: str, role: str, **extra: object) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, role=role, **extra)


@pytest.fixture
def admin_user(db: None) -> User:
    return _user("admin@test.id", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def operator_a(db: None) -> User:
    return _user("operator.badung@test.id", Role.OPERATOR, region=resolve_region("51.03"))


@pytest.fixture
def operator_b(db: None) -> User:
    return _user("operator.bandung@test.id", Role.OPERATOR, region=resolve_region("32.73"))


@pytest.fixture
def assessor_user(db: None) -> User:
    return _user("asesor@test.id", Role.ASSESSOR, institution="Universitas Uji")


@pytest.fixture
def outsider(db: None) -> User:
    return _user("warga@test.id", Role.PUBLIC)
