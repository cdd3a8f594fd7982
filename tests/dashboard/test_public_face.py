"""The public face: landing page, region profile and its signed report, methodology, open data, the API's
documentation page; nothing loads from outside the server and reading writes nothing (but the first
download of a report, which issues it once)."""

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.dashboard.browse import island_group
from kotacerdas.reports.demo import load_report_demo
from kotacerdas.reports.models import ReportVersion
from kotacerdas.reports.services import verify_report
from kotacerdas.results.imports import import_question_scores
from kotacerdas.results.services import publish_results
from kotacerdas.survey.imports import import_survey
from tests.ops.test_csp import inline_code

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/hasil/2024/",
    "/hasil/2024/?q=bali&island=bali-nusa-tenggara&sort=-final&page=1",
    "/hasil/2024/51.03/",
    "/hasil/2024/32.73/",
    "/metodologi/2024/",
    "/verifikasi/",
    "/api/v1/docs",
]
# src/href of anything the browser fetches by itself: scripts, stylesheets, images, frames, icons.
ASSET = re.compile(
    r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc=\"([^\"]*)\"|<link\b[^>]*\bhref=\"([^\"]*)\""
)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_load_nothing_from_outside_the_server(client: Client, url: str) -> None:
    html = client.get(url).content.decode()
    assets = [a or b for a, b in ASSET.findall(html)]
    assert assets, "the page links its stylesheet at least"
    outside = [a for a in assets if re.match(r"(https?:)?//", a)]
    assert outside == []
    assert inline_code(html) == []  # the Content-Security-Policy allows no inline code or style


def test_the_api_documentation_serves_its_own_swagger_ui(client: Client) -> None:
    html = client.get("/api/v1/docs").content.decode()
    assert '<script src="/static/ninja/swagger-ui-bundle.js">' in html
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
    assert '"validatorUrl": null' in html  # Swagger UI would otherwise call validator.swagger.io
    for asset in ("/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"):
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()  # WhiteNoise streams the file: close it


def test_landing_page_shows_key_figures_the_chart_and_its_text_alternative(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    landing = response.context["landing"]
    assert landing.regions == 140
    assert dict(landing.tracks) == {"REGULER": 93, "KPPN IKN": 47}
    assert sum(b.total for b in landing.bins) == 140
    assert landing.top[0].region == "KOTA BANDUNG"
    assert landing.most_improved[0].region == "KAB. LIMA PULUH KOTA"
    html = response.content.decode()
    assert "<svg" in html and "Sebaran nilai final" in html
    assert "Tabel data grafik" in html  # the chart's numbers as a table
    for link in ('href="/hasil/2024/"', 'href="/metodologi/2024/"', 'href="/data/2024/datapackage.json"'):
        assert link in html


def test_landing_page_before_any_publication_says_so(client: Client) -> None:
    Cycle.objects.filter(year=2024).update(practice=True)
    assert "Belum ada siklus evaluasi" in client.get("/").content.decode()


def test_island_groups_follow_the_province_codes() -> None:
    assert island_group("11") == "sumatera" and island_group("21") == "sumatera"
    assert island_group("36") == "jawa" and island_group("53") == "bali-nusa-tenggara"
    assert island_group("65") == "kalimantan" and island_group("76") == "sulawesi"
    assert island_group("82") == "maluku" and island_group("96") == "papua"
    assert island_group("44") == ""


def test_region_profile_explains_its_numbers_in_plain_words(client: Client) -> None:
    response = client.get("/hasil/2024/51.03/")
    html = response.content.decode()
    assert (
        "0,10 × 3,56 + 0,20 × 2,73 + 0,30 × 3,27 + 0,20 × 3,18 + 0,20 × 2,80 = <strong>3,08</strong>" in html
    )
    assert "dari 93 daerah jalur REGULER" in html
    comparison = response.context["profile"].comparison
    assert comparison.previous_year == 2023 and comparison.only_final
    final = comparison.rows[-1]
    assert (str(final.previous), str(final.current)) == ("2.97", "3.08")
    assert 'href="/hasil/2024/51.03/laporan.pdf"' in html


def test_rank_interval_shows_once_the_robustness_analysis_has_run(client: Client) -> None:
    from kotacerdas.results.models import RegionResult

    RegionResult.objects.filter(
        result_set__cycle__year=2024, result_set__status="published", participation__region__code="51.03"
    ).update(rank_low=50, rank_high=71, rank_median=60)
    html = client.get("/hasil/2024/51.03/").content.decode()
    assert "59 (50–71)" in html
    assert "59 (50–71)" in client.get("/hasil/2024/?q=badung").content.decode()


def test_a_regions_signed_report_is_issued_once_and_verifies(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.REPORT_DEMO_SIGNER_DIR = tmp_path / "signer"
    settings.REPORT_SIGNER_P12 = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    load_report_demo(say=lambda _: None)
    before = client.get("/hasil/2024/51.03/")  # cached for anonymous visitors: issuing must refresh it
    assert 'href="/verifikasi/KC' not in before.content.decode()
    first = client.get("/hasil/2024/51.03/laporan.pdf")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert "attachment" in first["Content-Disposition"]
    verification = verify_report(first.content)
    assert verification.valid, verification.reason
    report = ReportVersion.objects.get(code=first["X-Verification-Code"])
    assert report.result_set.status == "published" and report.participation.region.code == "51.03"
    second = client.get("/hasil/2024/51.03/laporan.pdf")
    assert second.content == first.content  # kept, not issued again
    assert ReportVersion.objects.filter(participation=report.participation).count() == 1
    profile = client.get("/hasil/2024/51.03/").content.decode()
    assert f'href="/verifikasi/{report.code}/"' in profile


def test_a_report_without_a_signer_is_a_clear_503(client: Client, settings: Any, tmp_path: Path) -> None:
    settings.REPORT_DEMO_SIGNER_DIR = tmp_path / "nothing-here"
    settings.REPORT_SIGNER_P12 = ""
    response = client.get("/hasil/2024/51.03/laporan.pdf")
    assert response.status_code == 503
    assert "Laporan belum tersedia" in response.content.decode()
    assert not ReportVersion.objects.filter(participation__region__code="51.03").exists()


def test_methodology_page_is_generated_from_the_instrument(client: Client) -> None:
    cycle = Cycle.objects.get(year=2024)
    html = client.get("/metodologi/2024/").content.decode()
    assert cycle.instrument.content_hash in html and "2024.1" in html
    assert "115 pertanyaan" in html
    assert "Bobot REGULER" in html and "Bobot KPPN IKN" in html
    assert "0,30" in html  # Outcome in REGULER
    assert "Program Kolaborasi" in html and "Dirichlet" in html and "setengah ke atas" in html
    assert client.get("/metodologi/").headers["Location"] == "/metodologi/2024/"


def test_methodology_of_a_cycle_in_preparation_is_not_public(client: Client, make_cycle: Any) -> None:
    cycle = make_cycle(2031)
    if cycle.instrument.is_frozen:
        pytest.skip("the factory opened the cycle")
    assert client.get("/metodologi/2031/").status_code == 404


def _rows(client: Client, name: str) -> list[dict[str, str]]:
    response = client.get(f"/data/2024/{name}.csv")
    assert response.status_code == 200, name
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_open_data_validates_with_frictionless(client: Client, tmp_path: Path) -> None:
    descriptor = client.get("/data/2024/datapackage.json").json()
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert {r["name"] for r in descriptor["resources"]} == {
        "results",
        "dimension_scores",
        "question_scores",
        "survey_aggregates",
        "instrument",
        "weights",
    }
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    for resource in descriptor["resources"]:
        (tmp_path / resource["path"]).write_bytes(client.get(f"/data/2024/{resource['path']}").content)
    # The command-line tool, as a data user would run it.
    frictionless = Path(sys.executable).parent / "frictionless"
    run = subprocess.run(
        [str(frictionless), "validate", "--json", "datapackage.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(run.stdout)
    errors = [e for task in report["tasks"] for e in task["errors"]] + report["errors"]
    assert run.returncode == 0 and report["valid"], errors[:10]
    assert len(report["tasks"]) == 6
    stats = {t["name"]: t["stats"] for t in report["tasks"]}
    assert stats["results"].get("fields") == 16 and stats["question_scores"]["errors"] == 0


def test_open_data_holds_the_published_numbers(client: Client) -> None:
    results = _rows(client, "results")
    assert len(results) == 140
    badung = next(r for r in results if r["region_code"] == "51.03")
    assert (badung["final"], badung["baseline"], badung["improvement"]) == ("3.08", "3.56", "0.11")
    questions = [r for r in _rows(client, "question_scores") if r["region_code"] == "51.03"]
    assert len(questions) == 115
    weights = {(r["track"], r["dimension"]): r["weight"] for r in _rows(client, "weights")}
    assert weights[("REGULER", "outcome")] == "0.30" and weights[("KPPN IKN", "collaboration")] == "0.10"
    assert len(_rows(client, "instrument")) == 115


def test_open_data_shows_no_live_numbers(client: Client, cycle_2024: Cycle, tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("region,question,score\nKAB. BADUNG,1,1\n", encoding="utf-8")
    import_question_scores(path, cycle_2024, actor=CLI)  # live final becomes 3.02
    badung = next(r for r in _rows(client, "results") if r["region_code"] == "51.03")
    assert badung["final"] == "3.08"
    first = next(
        r for r in _rows(client, "question_scores") if r["region_code"] == "51.03" and r["question"] == "1"
    )
    assert first["score"] == "4.00"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/hasil/2024/?q=badung",
        "/metodologi/2024/",
        "/data/2024/datapackage.json",
        "/data/2024/survey_aggregates.csv",
    ],
)
def test_public_reads_write_nothing(client: Client, url: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_open_data_survey_aggregates_come_from_the_published_answers(
    client: Client, cycle_2024: Cycle, tmp_path: Path
) -> None:
    lines = ["response_id,region,dimension,respondent,submitted_at,question,score"]
    for i, first in enumerate((1, 3, 4)):
        for number in range(50, 59):
            score = first if number == 50 else 3
            lines.append(f"r{i},KAB. BADUNG,smart_governance,w{i},2024-11-01T10:00:00+07:00,{number},{score}")
    path = tmp_path / "survey.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_survey(path, cycle_2024, actor=CLI)
    assert _rows(client, "survey_aggregates") == []  # live answers are not public before publication
    publish_results(cycle_2024, reason="uji survei", actor=CLI)
    rows = {r["question"]: r for r in _rows(client, "survey_aggregates") if r["region_code"] == "51.03"}
    assert set(rows) == {str(n) for n in range(50, 59)}
    q50 = rows["50"]
    assert (q50["n"], q50["mean"], q50["answers_1"], q50["answers_3"], q50["answers_4"]) == (
        "3",
        "2.67",
        "1",
        "1",
        "1",
    )
    assert q50["smart_dimension"] == "smart_governance"
    assert float(q50["ci95_low"]) < 2.67 < float(q50["ci95_high"])


def test_public_pages_speak_english_with_decimal_points(client: Client) -> None:
    client.cookies["django_language"] = "en"
    landing = client.get("/").content.decode()
    assert "Key figures" in landing and "National mean" in landing and "Angka kunci" not in landing
    assert "Number of regions" in landing  # the chart's axis title
    assert ">2.90<" in landing and ">2,90<" not in landing
    profile = client.get("/hasil/2024/51.03/").content.decode()
    assert "How the final score was made" in profile and "Download the report (PDF)" in profile
    assert "0.10 × 3.56" in profile and ">3.08<" in profile and ">3,08<" not in profile
    method = client.get("/metodologi/2024/").content.decode()
    assert "Dimensions and weights per track" in method and "Weight REGULER" in method


def test_methodology_page_reports_the_robustness_run_of_the_published_revision(client: Client) -> None:
    from django.utils import timezone

    from kotacerdas.results.models import ResultSet, RobustnessRun

    assert "belum dijalankan" in client.get("/metodologi/2024/").content.decode()
    published = ResultSet.objects.get(cycle__year=2024, status="published", revision=1)
    RobustnessRun.objects.create(
        result_set=published,
        draws=10_000,
        seed=20241125,
        ran_at=timezone.now(),
        sensitivity={"outcome": 0.41, "impact": 0.22, "baseline": 0.05},
    )
    html = client.get("/metodologi/2024/").content.decode()
    assert "10000 ulangan, benih acak 20241125" in html
    assert html.index(">Outcome<") < html.index(">Impact<") < html.index(">Baseline<", html.index("Indeks"))
    assert ">0,41<" in html and ">0,05<" in html
