"""The public pages: the national table and a region's traceable result, in Indonesian formats."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from kotacerdas.core.actors import CLI
from kotacerdas.results.imports import import_question_scores

pytestmark = pytest.mark.django_db


def test_national_table_lists_140_regions_with_decimal_commas_a_page_at_a_time(client: Client) -> None:
    response = client.get("/hasil/2024/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 140
    html = response.content.decode()
    assert html.count("<tr>") - 1 == 25  # one page of 25 rows (and the head's row)
    position = [r.region for r in response.context["rows"]].index("KAB. BADUNG")
    assert position >= 25 and "KAB. BADUNG" not in html
    badung_page = client.get(f"/hasil/2024/?page={position // 25 + 1}").content.decode()
    assert "KAB. BADUNG" in badung_page and "3,08" in badung_page and "+0,11" in badung_page
    assert "25 November 2024" in html
    assert 'href="?page=6"' in html and 'href="?page=7"' not in html


def test_national_table_searches_by_name_or_code(client: Client) -> None:
    by_name = client.get("/hasil/2024/?q=badung").context["rows"]
    assert [r.region for r in by_name] == ["KAB. BADUNG"]
    assert [r.region for r in client.get("/hasil/2024/?q=kab.+badung").context["rows"]] == ["KAB. BADUNG"]
    by_code = client.get("/hasil/2024/?q=51.03").context["rows"]
    assert [r.region_code for r in by_code] == ["51.03"]
    by_province_code = client.get("/hasil/2024/?q=51.").context["rows"]
    assert {r.region_code[:3] for r in by_province_code} == {"51."}
    assert client.get("/hasil/2024/?q=zzzz").context["rows"] == []


def test_national_table_filters_by_island_group(client: Client) -> None:
    bali_nt = client.get("/hasil/2024/?island=bali-nusa-tenggara").context["rows"]
    assert bali_nt and {r.region_code[:2] for r in bali_nt} <= {"51", "52", "53"}
    sumatera = client.get("/hasil/2024/?island=sumatera").context["rows"]
    assert {r.region_code[:1] for r in sumatera} <= {"1", "2"}
    everyone = client.get("/hasil/2024/?island=atlantis").context["rows"]
    assert len(everyone) == 140  # an unknown group means all


def test_national_table_shows_the_rank_within_the_track(client: Client) -> None:
    rows = client.get("/hasil/2024/?track=KPPN+IKN").context["rows"]
    assert [r.rank_track for r in rows][:3] == [1, 2, 3]
    html = client.get("/hasil/2024/?track=KPPN+IKN").content.decode()
    assert f'<td class="num">{rows[0].rank}</td>\n      <td class="num hide-sm">1</td>' in html


def test_national_table_filters_by_track_and_province(client: Client) -> None:
    kppn = client.get("/hasil/2024/?track=KPPN+IKN").context["rows"]
    assert len(kppn) == 47 and {r.track for r in kppn} == {"KPPN IKN"}
    bali = client.get("/hasil/2024/?province=51").context["rows"]
    assert {r.region for r in bali} == {
        "KAB. BADUNG",
        "KAB. JEMBRANA",
        "KAB. KLUNGKUNG",
        "KAB. TABANAN",
        "KOTA DENPASAR",
    }


def test_national_table_sorts_by_any_column(client: Client) -> None:
    by_improvement = client.get("/hasil/2024/?sort=-improvement").context["rows"]
    assert by_improvement[0].improvement == Decimal("1.05")  # KAB. LIMA PULUH KOTA
    by_name = [r.region for r in client.get("/hasil/2024/?sort=region").context["rows"]]
    assert by_name == sorted(by_name)
    collaboration = client.get("/hasil/2024/?sort=-collaboration").context["rows"]
    assert collaboration[0].scores["collaboration"] == Decimal("4.00")
    assert collaboration[-1].scores.get("collaboration") is None  # absent values last
    assert client.get("/hasil/2024/?sort=drop+table").status_code == 200


def test_region_page_drills_down_to_question_scores_and_findings(client: Client) -> None:
    response = client.get("/hasil/2024/51.03/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "KAB. BADUNG",
        "3,56",
        "2,73",
        "3,27",
        "3,18",
        "2,80",
        "3,08",
        "skor yang disepakati",
        "Universitas Pasundan",
        "Memiliki potensi SDA dan pariwisata",
    ):
        assert text in html, text
    assert 'id="q115"' in html


def test_region_page_shows_published_dimensions_without_inventing_question_detail(client: Client) -> None:
    html = client.get("/hasil/2024/32.73/").content.decode()  # KOTA BANDUNG: published table row only
    assert "skor yang dipublikasikan" in html
    assert "Nilai yang dipublikasikan." not in html  # no question rows are made up
    assert "rincian per pertanyaan tidak tersedia" in html


def test_unknown_region_or_year_is_404(client: Client) -> None:
    assert client.get("/hasil/2024/99.99/").status_code == 404
    assert client.get("/hasil/1999/").status_code == 404


def test_csv_download_has_the_contract_columns(client: Client) -> None:
    response = client.get("/hasil/2024/unduh.csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "region_code,region,track,baseline,output,outcome,impact,quick_wins,collaboration,"
        "final,improvement,rank,rank_track,rank_low,rank_high,improvement_comparable"
    )
    assert len(lines) == 141
    assert "attachment" in response.headers["Content-Disposition"]


def test_xlsx_download_is_a_real_workbook_with_typed_numbers(client: Client) -> None:
    response = client.get("/hasil/2024/unduh.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    badung = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "51.03")
    final = badung[header.index("final")]
    assert isinstance(final.value, float) and round(final.value, 2) == 3.08
    assert final.number_format == "0.00"
    assert badung[header.index("collaboration")].value is None
    assert sheet.max_row == 141


def test_live_results_are_for_admins_only(client: Client, admin_user, cycle_2024, tmp_path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("region,question,score\nKAB. BADUNG,1,1\n", encoding="utf-8")
    import_question_scores(path, cycle_2024, actor=CLI)
    public = client.get("/hasil/2024/51.03/?live=1").context["result"]
    assert public.final == Decimal("3.08")  # the published revision, whatever the query says
    client.force_login(admin_user)
    live = client.get("/hasil/2024/51.03/?live=1").context["result"]
    assert live.final == Decimal("3.02")


def test_pages_switch_to_english(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/hasil/2024/"})
    html = client.get("/hasil/2024/51.03/").content.decode()
    assert "3.08" in html
