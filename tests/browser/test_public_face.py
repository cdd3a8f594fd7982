"""The public face as a citizen meets it, in Debian's chromium: the landing page, a search, a region's
profile, its signed report downloaded and verified on /verifikasi/, the methodology page. Every page is
also checked for assets from outside the server, and the table is used with JavaScript off."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from kotacerdas.reports.demo import load_report_demo

pytestmark = pytest.mark.django_db(transaction=True)


def _no_outside_requests(context: Any, base_url: str) -> list[str]:
    """Records every request the pages make that does not go to the live server."""
    outside: list[str] = []
    context.on("request", lambda r: None if r.url.startswith((base_url, "data:")) else outside.append(r.url))
    return outside


def test_a_citizen_finds_a_region_downloads_its_report_and_verifies_it(
    new_context: Callable[[], Any], live_server: Any, tmp_path: Path, screenshot: Callable[..., None]
) -> None:
    from playwright.sync_api import expect

    with override_settings(REPORT_DEMO_SIGNER_DIR=tmp_path / "signer", REPORT_SIGNER_P12=""):
        load_report_demo(say=lambda _: None)  # the 2024 report prose and a demo signer
        context = new_context()
        outside = _no_outside_requests(context, live_server.url)
        page = context.new_page()

        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hasil Evaluasi Kota Cerdas 2024")
        expect(page.locator("figure.chart svg")).to_be_visible()
        expect(page.get_by_text("Rata-rata nasional")).to_be_visible()
        screenshot(page, "public-landing.png")

        page.get_by_label("Cari kabupaten/kota").fill("badung")
        page.get_by_role("button", name="Cari").click()
        expect(page).to_have_url(f"{live_server.url}/hasil/2024/?q=badung")
        rows = page.locator("table.results tbody tr")
        expect(rows).to_have_count(1)
        screenshot(page, "public-table.png")

        rows.get_by_role("link", name="KAB. BADUNG").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("KAB. BADUNG")
        expect(page.locator(".cards")).to_contain_text("3,08")
        expect(page.locator("figure.chart svg")).to_be_visible()
        screenshot(page, "public-profile.png")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Unduh laporan (PDF)").click()
        pdf = tmp_path / "badung.pdf"
        download_info.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")

        # The profile now names the report's verification code; the code's page and the file agree.
        page.reload()
        verify_code = page.get_by_role("link", name="Verifikasi kode")
        expect(verify_code).to_be_visible()

        page.goto("/verifikasi/")
        page.locator("input[type=file]").set_input_files(pdf)
        page.get_by_role("button", name="Periksa").click()
        expect(page.get_by_role("status")).to_contain_text("Asli dan utuh")
        expect(page.get_by_role("status")).to_contain_text("KAB. BADUNG")
        screenshot(page, "public-verified.png")

        page.goto("/")
        page.get_by_role("link", name="Metodologi").first.click()
        expect(page).to_have_url(f"{live_server.url}/metodologi/2024/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Metodologi evaluasi 2024")
        expect(page.locator("code.hash")).to_contain_text("SHA-256")
        screenshot(page, "public-methodology.png")

        # The API's documentation runs Swagger UI from the server's own static files.
        page.goto("/api/v1/docs")
        expect(page.locator(".swagger-ui .title")).to_contain_text("Kota Cerdas API")
        expect(page.get_by_text("/api/v1/cycles/{year}/results").first).to_be_visible()
        screenshot(page, "public-api-docs.png", full_page=False)

        assert outside == []


def test_the_table_works_with_javascript_off_on_a_phone(
    browser: Any, live_server: Any, screenshot: Callable[..., None]
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto("/hasil/2024/")
        expect(page.locator("table.results tbody tr")).to_have_count(25)
        page.locator("select[name=island]").select_option("bali-nusa-tenggara")
        page.get_by_role("button", name="Terapkan").click()
        expect(page).to_have_url(
            f"{live_server.url}/hasil/2024/?q=&track=&island=bali-nusa-tenggara&province=&sort=rank"
        )
        expect(page.locator("table.results tbody")).to_contain_text("KAB. BADUNG")
        screenshot(page, "public-table-phone.png")
        page.goto("/hasil/2024/")
        page.get_by_role("link", name="Berikutnya").click()
        expect(page).to_have_url(f"{live_server.url}/hasil/2024/?page=2")
        expect(page.locator("nav.pages strong")).to_have_text("2")
    finally:
        context.close()
