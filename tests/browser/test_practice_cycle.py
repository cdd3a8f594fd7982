"""The yearly programme in a real browser, on the practice cycle `make run` loads (`load-demo --practice`):
the operator fills and submits, the assessor scores blind, writes findings and submits, the admin
schedules and confirms the interviews, records attendance and publishes; then the public page shows the
results. Before publication a visitor's crawl of the public pages and the API finds nothing of the review
at any step; after it, only the published numbers and findings, never the private notes."""

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from kotacerdas.accounts.models import User
from kotacerdas.cycles.models import Attendance, Participation, Stage
from kotacerdas.instrument.services import assessed_questions
from kotacerdas.results.demo import DEMO_ACCOUNTS, load_practice
from kotacerdas.review.models import InterviewSession
from kotacerdas.review.services import assign_assessor, ensure_assessor_profile, record_score
from kotacerdas.selfassessment.services import save_answer
from tests.browser.test_review_flow import answer, final_card, score, sign_in
from tests.workflow import score_all

pytestmark = pytest.mark.slow

JUSTIFICATION = "RAHASIA-JAWABAN Peraturan Bupati tentang masterplan"
NOTE = "RAHASIA-CATATAN pemeriksaan dokumen"
FINDING = "Kolaborasi lintas OPD kuat (temuan praktik)"
PRIVATE = ("RAHASIA-JAWABAN", "RAHASIA-CATATAN")


def _public(year: int, code: str) -> dict[str, str]:
    """What an anonymous visitor gets from the cycle's public pages and API ("" for an error page)."""
    client = Client()
    urls = [
        f"/hasil/{year}/",
        f"/hasil/{year}/{code}/",
        f"/hasil/{year}/unduh.csv",
        f"/api/v1/cycles/{year}/results",
        f"/api/v1/cycles/{year}/results/{code}",
        "/api/v1/cycles",
        "/",
    ]
    out = {}
    for url in urls:
        response = client.get(url, follow=True)
        out[url] = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
    return out


def _nothing_leaks(year: int, code: str, *texts: str) -> None:
    pages = _public(year, code)
    leaks = {url: [t for t in texts if t in body] for url, body in pages.items()}
    assert {url: found for url, found in leaks.items() if found} == {}
    assert pages[f"/hasil/{year}/{code}/"] == ""  # no region page before publication
    assert pages[f"/api/v1/cycles/{year}/results"].strip() == "[]"
    assert f'"year": {year}' not in pages["/api/v1/cycles"]  # a practice cycle is never listed


def test_the_practice_cycle_end_to_end(
    new_context: Callable[[], Any],
    screenshot: Callable[..., None],
    operator_a: User,
    assessor_user: User,
    admin_user: User,
) -> None:
    cycle = load_practice(say=lambda _: None)
    year, code = cycle.year, "51.03"
    badung = Participation.objects.select_related("cycle", "region").get(cycle=cycle, region__code=code)
    assert cycle.practice and cycle.is_open and badung.stage == Stage.NOT_STARTED
    assert InterviewSession.objects.filter(participation=badung).exists()  # the loader scheduled it
    assign_assessor(badung, ensure_assessor_profile(assessor_user), actor=admin_user)

    # The operator answers Baseline question 1 in the page, the rest through the services, and submits.
    operator = sign_in(new_context(), operator_a.email)
    operator.goto(f"/penilaian-mandiri/{year}/{code}/baseline/")
    expect(operator.get_by_text("SIMULASI")).to_be_visible()
    answer(operator, 1, 3, JUSTIFICATION)
    for question in assessed_questions(cycle):
        if question.number != 1:
            save_answer(
                badung,
                question,
                level=3,
                justification=f"Bukti {question.number}.",
                save_id=uuid.uuid4(),
                base_version=0,
                actor=operator_a,
            )
    operator.goto(f"/penilaian-mandiri/{year}/{code}/")
    operator.locator("input[name=confirm]").check()
    operator.get_by_role("button", name="Kirim dan kunci penilaian mandiri").click()
    expect(operator.get_by_role("status").filter(has_text="terkirim dan terkunci")).to_be_visible()
    badung.refresh_from_db()
    assert badung.stage == Stage.SUBMITTED
    _nothing_leaks(year, code, *PRIVATE)

    # The assessor scores blind in the page: the other panel member's scores are not shown.
    demo_assessor = User.objects.get(email=DEMO_ACCOUNTS[2][0])
    score_all(demo_assessor, badung, 3)  # the other panel member submits first
    assessor = sign_in(new_context(), assessor_user.email)
    assessor.goto(f"/penilaian/{year}/{code}/baseline/")
    score(assessor, 1, 4, NOTE)
    expect(assessor.locator("#q1")).to_contain_text(
        "Skor asesor lain tampil setelah Anda mengirim penilaian."
    )
    expect(assessor.locator("section.question p", has_text=re.compile("^Asesor lain:"))).to_have_count(0)
    assignment = badung.assignments.get(assessor__user=assessor_user)
    for question in assessed_questions(cycle):
        if question.number != 1:
            record_score(assignment, question, 4, "", actor=assessor_user)
    assessor.goto(f"/penilaian/{year}/{code}/")
    assessor.get_by_label("Kekuatan (satu butir per baris)").fill(FINDING)
    assessor.get_by_role("button", name="Simpan temuan").click()
    expect(assessor.get_by_role("status").filter(has_text="Temuan tersimpan")).to_be_visible()
    _nothing_leaks(year, code, *PRIVATE, FINDING)
    assessor.locator("input[name=confirm]").check()
    assessor.get_by_role("button", name="Kirim penilaian saya").click()
    expect(assessor.get_by_role("status").filter(has_text="Penilaian terkirim")).to_be_visible()
    badung.refresh_from_db()
    assert badung.stage == Stage.SCORED
    _nothing_leaks(year, code, *PRIVATE, FINDING)

    # The admin rebuilds the schedule for the panel of two, confirms it, records attendance, publishes.
    admin = sign_in(new_context(), admin_user.email)
    admin.goto(f"/kelola/siklus/{year}/")
    expect(admin.get_by_role("heading", name=f"Linimasa siklus {year}")).to_be_visible()
    screenshot(admin, "cycle-01-timeline.png")
    admin.goto(f"/kelola/{year}/wawancara/")
    admin.get_by_label("Asesor per panel").fill("2")
    admin.get_by_label("Sertakan daerah yang belum mengirim penilaian mandiri (latihan)").check()
    admin.get_by_role("button", name="Susun jadwal").click()
    admin.locator("input[name=confirm]").check()
    admin.get_by_role("button", name="Konfirmasi semua sesi dan kirim undangan").click()
    session = InterviewSession.objects.get(participation=badung)
    assert session.confirmed_at is not None
    assert set(session.participation.assignments.values_list("assessor__user__email", flat=True)) >= {
        assessor_user.email,
        demo_assessor.email,
    }
    screenshot(admin, "cycle-02-interviews.png")
    admin.goto(f"/kelola/siklus/{year}/kehadiran/")
    admin.locator(f"#attendance-{badung.pk}").select_option(Attendance.ATTENDED)
    admin.get_by_role("button", name="Simpan catatan").click()
    expect(admin.get_by_role("status")).to_contain_text("catatan daerah diubah")
    badung.refresh_from_db()
    assert badung.attendance == Attendance.ATTENDED
    _nothing_leaks(year, code, *PRIVATE, FINDING)
    admin.goto(f"/kelola/siklus/{year}/")
    admin.get_by_label("Alasan publikasi").fill("Simulasi: hasil latihan")
    admin.locator("input[name=confirm]").check()
    admin.get_by_role("button", name="Terbitkan hasil").click()
    expect(admin.get_by_role("status").filter(has_text="revisi 1")).to_be_visible()
    badung.refresh_from_db()
    assert badung.stage == Stage.FINAL

    # The public region page now shows the published result, marked as practice, and the findings.
    visitor = new_context().new_page()
    visitor.goto(f"/hasil/{year}/{code}/")
    expect(visitor.get_by_text("SIMULASI")).to_be_visible()
    expect(final_card(visitor)).to_be_visible()
    expect(visitor.get_by_text(FINDING)).to_be_visible()
    screenshot(visitor, "cycle-03-public-region.png")
    pages = _public(year, code)
    assert all(t not in body for body in pages.values() for t in PRIVATE)
    assert f'"year": {year}' not in pages["/api/v1/cycles"]  # a practice cycle is not the programme's
