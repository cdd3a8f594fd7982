"""The reports' test setting: a demo signer and a media folder of their own, the 2024 report content, and
Badung's signed report generated once per session and shared by the tests that only read it."""

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.instrument.models import Dimension
from kotacerdas.reports import services
from kotacerdas.reports.demo import load_report_demo
from kotacerdas.reports.models import ReportContent, ReportVersion
from kotacerdas.results.models import PublishedScore
from kotacerdas.results.services import publish_results, recompute_results


@dataclass(frozen=True)
class IssuedReport:
    path: Path
    data: bytes
    code: str
    sha256: str
    pk: int


@pytest.fixture(scope="session")
def report_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("reports")
    override = override_settings(
        MEDIA_ROOT=root / "media",
        REPORT_DEMO_SIGNER_DIR=root / "signer",
        REPORT_SIGNER_P12="",
        REPORT_SIGNER_PASSWORD="",
    )
    override.enable()
    yield root
    override.disable()


@pytest.fixture(scope="session")
def reports_demo(django_db_setup: None, django_db_blocker, report_settings: Path) -> Path:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        load_report_demo(say=lambda _: None)
    return report_settings


@pytest.fixture(scope="session")
def badung_report(reports_demo: Path, django_db_blocker) -> IssuedReport:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        participation = Participation.objects.select_related("region", "cycle").get(
            cycle__year=2024, region__code="51.03"
        )
        report = services.generate_report(participation, actor=CLI)
        data = services.read_report(report)
    path = reports_demo / "badung.pdf"
    path.write_bytes(data)
    return IssuedReport(path=path, data=data, code=report.code, sha256=report.sha256, pk=report.pk)


@pytest.fixture(scope="session")
def karo_report(reports_demo: Path, django_db_blocker) -> IssuedReport:  # type: ignore[no-untyped-def]
    """A KPPN IKN region whose Program Kolaborasi was not scored ("-" in the reference's table)."""
    with django_db_blocker.unblock():
        participation = Participation.objects.select_related("region", "cycle").get(
            cycle__year=2024, region__code="12.06"
        )
        report = services.generate_report(participation, actor=CLI)
        data = services.read_report(report)
    path = reports_demo / "karo.pdf"
    path.write_bytes(data)
    return IssuedReport(path=path, data=data, code=report.code, sha256=report.sha256, pk=report.pk)


@pytest.fixture
def report_copy(badung_report: IssuedReport, tmp_path: Path) -> Callable[[bytes | None], Path]:
    """A copy of Badung's report in the test's folder, optionally with other content."""

    def copy(data: bytes | None = None) -> Path:
        path = tmp_path / "copy.pdf"
        if data is None:
            shutil.copyfile(badung_report.path, path)
        else:
            path.write_bytes(data)
        return path

    return copy


@pytest.fixture
def small_cycle(reports_demo: Path, make_cycle: Callable[..., Cycle]) -> Cycle:
    """A 2030 cycle of three regions with published dimension scores and the 2024 report prose."""
    cycle = make_cycle(year=2030, regions=("51.03", "32.73", "32.04"))
    Cycle.objects.filter(pk=cycle.pk).update(
        programme="Gerakan Menuju Kota Cerdas (Smart City)", stage="Tahap II", letter_place="Jakarta"
    )
    cycle.refresh_from_db()
    dimensions = list(Dimension.objects.filter(instrument=cycle.instrument).exclude(code="collaboration"))
    for i, participation in enumerate(cycle.participations.order_by("region__code")):
        participation.addressee_no = i + 1
        participation.save(update_fields=["addressee_no"])
        for j, dimension in enumerate(dimensions):
            PublishedScore.objects.create(
                participation=participation, dimension=dimension, score=Decimal("2.50") + Decimal(i + j) / 10
            )
    content = ReportContent.objects.get(cycle__year=2024)
    content.pk = None
    content.cycle = cycle
    content.save()
    recompute_results(cycle)
    publish_results(cycle, reason="uji", actor=CLI)
    return cycle


@pytest.fixture
def issued(badung_report: IssuedReport) -> ReportVersion:
    return ReportVersion.objects.get(pk=badung_report.pk)
