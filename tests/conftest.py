"""Shared fixtures. The demo programme (the seed's 2024 evaluation) is loaded once per test session into
the test database; each test runs in a transaction that is rolled back, so tests may change it freely."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from kotacerdas.accounts.models import Role, User
from kotacerdas.core.actors import CLI
from kotacerdas.core.cache import reset_all
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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Real hashing is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_caches():  # type: ignore[no-untyped-def]
    """No test sees another's per-process memos (kotacerdas.core.cache)."""
    reset_all()
    yield
    reset_all()


@pytest.fixture(autouse=True)
def _demo_survives_flushes(request, django_db_blocker):  # type: ignore[no-untyped-def]
    """Transactional tests (threads, live servers) end with a flush of every table. The next test that
    uses the database reloads the demo first, outside its own transaction, so it sees the demo as usual;
    that includes a live-server test that follows another one."""
    names = request.fixturenames
    uses_db = (
        bool({"db", "transactional_db", "live_server"} & set(names))
        or request.node.get_closest_marker("django_db") is not None
    )
    if uses_db:
        with django_db_blocker.unblock():
            if not Cycle.objects.filter(year=2024).exists():
                load_demo(say=lambda _: None)
    yield


@pytest.fixture
def cycle_2024(db: None) -> Cycle:
    return Cycle.objects.get(year=2024)


@pytest.fixture
def make_cycle(db: None, tmp_path: Path) -> Callable[..., Cycle]:
    return _cycle_factory(tmp_path)


def _cycle_factory(tmp_path: Path) -> Callable[..., Cycle]:
    """A fresh cycle with the 2024 instrument and the given regions as participants on the REGULER track."""

    def make(
        year: int = 2030,
        regions: tuple[str, ...] = ("51.03", "32.73", "32.04"),
        track: str = Track.REGULER,
        open_windows: bool = False,
    ) -> Cycle:
        cycle = Cycle.objects.create(year=year, name=f"Siklus uji {year}")
        if open_windows:
            # Every window open around now: stages, not dates, then decide what may happen.
            now = timezone.now()
            today = timezone.localdate()
            cycle.self_assessment_opens, cycle.self_assessment_closes = (
                now - timedelta(days=1),
                now + timedelta(days=10),
            )
            cycle.interviews_start, cycle.interviews_end = (
                today - timedelta(days=1),
                today + timedelta(days=10),
            )
            cycle.reply_opens, cycle.reply_closes = now - timedelta(days=1), now + timedelta(days=10)
            cycle.save()
        document = yaml.safe_load(INSTRUMENT_2024.read_text(encoding="utf-8"))
        document["year"] = year
        path = tmp_path / f"instrument-{year}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        load_instrument(cycle, path, actor=CLI)
        if open_windows:  # and opened to the regions, after its instrument was loaded
            cycle.opened_at = timezone.now() - timedelta(days=2)
            cycle.save(update_fields=["opened_at"])
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


# --- the workflow cast (issue 3): a cycle with open windows, Badung's panel ---------------------------


@pytest.fixture
def open_cycle(make_cycle: Callable[..., Cycle]) -> Cycle:
    """Cycle 2030 with Badung (51.03), Kota Bandung (32.73) and Kab. Bandung (32.04), every window open."""
    return make_cycle(2030, open_windows=True)


@pytest.fixture
def badung(open_cycle: Cycle) -> Participation:
    return open_cycle.participations.select_related("cycle", "region").get(region__code="51.03")


def make_assessor(email: str, institution: str) -> User:
    from kotacerdas.review.services import ensure_assessor_profile

    user = _user(email, Role.ASSESSOR, institution=institution)
    ensure_assessor_profile(user)
    return user


@pytest.fixture
def panel(badung: Participation, assessor_user: User) -> list[User]:
    """Two assessors on Badung's panel: the shared `assessor_user` and a second one."""
    from kotacerdas.review.services import assign_assessor, ensure_assessor_profile

    second = make_assessor("asesor.dua@test.id", "Institut Uji")
    for user in (assessor_user, second):
        assign_assessor(badung, ensure_assessor_profile(user), actor=CLI)
    return [assessor_user, second]


@pytest.fixture
def unassigned_assessor(db: None) -> User:
    return make_assessor("asesor.lain@test.id", "Universitas Lain")


# --- the permission tables' cast (tests/permissions.py), on the 2024 demo programme --------------------


@pytest.fixture
def cast(
    cycle_2024: Cycle,
    operator_a: User,
    operator_b: User,
    assessor_user: User,
    unassigned_assessor: User,
    admin_user: User,
) -> dict[str, User | None]:
    """One user per role of ``tests.permissions.ROLES``: region A is Badung (51.03), region B Kota Bandung
    (32.73); the assigned assessor is on Badung's 2024 panel, the other on no panel."""
    from kotacerdas.review.models import Assignment
    from kotacerdas.review.services import ensure_assessor_profile

    # Badung's 2024 evaluation is final (published): the policy no longer lets anyone join its panel, so
    # the test puts the assessor on it directly, as it stood during the review.
    badung_2024 = Participation.objects.get(cycle=cycle_2024, region__code="51.03")
    Assignment.objects.get_or_create(
        participation=badung_2024, assessor=ensure_assessor_profile(assessor_user), defaults={"position": 6}
    )
    return {
        "anonymous": None,
        "operator_a": operator_a,
        "operator_b": operator_b,
        "assessor_assigned": assessor_user,
        "assessor_other": unassigned_assessor,
        "admin": admin_user,
    }


@pytest.fixture
def unpublished_scores(badung: Participation, operator_a: User, panel: list[User]) -> Participation:
    """Badung in the open 2030 cycle with its self-assessment and one assessor's review submitted: the
    cycle has live results and nothing published."""
    from tests.workflow import score_all, submitted

    submitted(operator_a, badung)
    score_all(panel[0], badung, 4)
    return badung
