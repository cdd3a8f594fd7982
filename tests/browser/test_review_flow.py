"""Issue 3's proof, in a real browser: an operator fills Baseline, uploads evidence, closes the tab and
finds the draft again (also a change typed just before closing and one made offline, each sent once when
the tab is reopened), submits; one assessor scores blind in the page while the other submits through the
services; the admin sees the live result move when the last review arrives."""

import json
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kotacerdas.accounts.models import User
from kotacerdas.audit.models import AuditEvent
from kotacerdas.cycles.models import Participation, Stage
from kotacerdas.instrument.services import assessed_questions
from kotacerdas.review.models import Assignment
from kotacerdas.review.services import ensure_assessor_profile, record_score
from kotacerdas.selfassessment.models import Answer, Evidence
from kotacerdas.selfassessment.services import save_answer
from tests.conftest import PASSWORD
from tests.workflow import score_all

pytestmark = pytest.mark.slow

YEAR, CODE = 2030, "51.03"
OPERATOR_PAGES = f"/penilaian-mandiri/{YEAR}/{CODE}/"
REVIEW_PAGES = f"/penilaian/{YEAR}/{CODE}/"
LIVE_RESULT = f"/hasil/{YEAR}/{CODE}/?live=1"
SAVED = "Tersimpan"

# Baseline (questions 1–5) as the operator answers it in the page: level and justification.
BASELINE = {
    1: (3, "Masterplan smart city ditetapkan dengan Peraturan Bupati Badung No. 42 Tahun 2029."),
    2: (2, "Tim pelaksana dibentuk lewat SK Bupati; rapat koordinasi triwulanan."),
    3: (4, "Dewan smart city beranggotakan OPD, akademisi dan pelaku usaha."),
    4: (3, "Anggaran program smart city tercantum dalam APBD 2029."),
    5: (2, "Evaluasi tahunan dilakukan Bappeda; laporan 2029 terlampir."),
}
OFFLINE_TEXT = "Tim pelaksana diperbarui lewat SK Bupati 2030; rapat koordinasi tiap bulan (diubah luring)."
HURRIED_TEXT = (
    "Dewan smart city beranggotakan OPD, akademisi, pelaku usaha dan komunitas (diketik sebelum tab ditutup)."
)
# Blind scoring of Baseline: the first assessor in the page, the second (4 everywhere) through services.
FIRST_SCORES = {1: 2, 2: 3, 3: 2, 4: 1, 5: 3}
SECOND_SCORE = 4
EVIDENCE_NAME = "Perbup Badung 42-2029.pdf"


def small_pdf(line: str) -> bytes:
    """A valid one-page PDF with one line of text (its cross-reference offsets are exact)."""
    content = b"BT /F1 14 Tf 72 770 Td (" + line.encode("ascii") + b") Tj ET"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


# --- in the browser ---------------------------------------------------------------------------------------


def sign_in(context: Any, email: str) -> Any:
    """A new page signed in through the real login form."""
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    return page


def _save_of(number: int, path: str, **expected: Any) -> Callable[[Any], bool]:
    """Matches the response to the autosave of question ``number`` that carries exactly ``expected``: the
    last save of a form holds all its fields, so waiting for it means nothing of the change is left."""

    def match(response: Any) -> bool:
        if not response.url.endswith(f"/{path}/{number}/") or response.request.method != "POST":
            return False
        body = json.loads(response.request.post_data or "{}")
        return all(body.get(name) == value for name, value in expected.items())

    return match


def answer(page: Any, number: int, level: int, justification: str) -> None:
    question = page.locator(f"#q{number}")
    with page.expect_response(_save_of(number, "jawaban", level=level, justification=justification)) as saved:
        question.locator(f"input[name=level][value='{level}']").check()
        question.locator("textarea[name=justification]").fill(justification)
    assert saved.value.ok
    expect(question.locator(".save-state")).to_have_text(SAVED)


def score(page: Any, number: int, value: int, note: str) -> None:
    question = page.locator(f"#q{number}")
    with page.expect_response(_save_of(number, "skor", score=value, note=note)) as saved:
        question.locator(f"input[name=score][value='{value}']").check()
        question.locator("textarea[name=note]").fill(note)
    assert saved.value.ok
    expect(question.locator(".save-state")).to_have_text(SAVED)


def final_and_question_1(page: Any) -> tuple[str, str]:
    """The final score and question 1's score as the region's result page shows them."""
    final = final_card(page).locator(".value").inner_text()
    # Question rows sit in a folded <details>: read their text, rendered or not.
    return final, (page.locator("#q1 td.num strong").text_content() or "").strip()


def final_card(page: Any) -> Any:
    """The "Nilai final" card itself (other cards mention "nilai final tahun lalu")."""
    return page.locator(".card").filter(has=page.locator(".label", has_text=re.compile(r"^Nilai final$")))


# --- through the services ---------------------------------------------------------------------------------


def answer_the_rest(operator: User, participation: Participation) -> None:
    for question in assessed_questions(participation.cycle):
        if question.number not in BASELINE:
            save_answer(
                participation,
                question,
                level=3,
                justification=f"Bukti {question.number}.",
                save_id=uuid.uuid4(),
                base_version=0,
                actor=operator,
            )


def score_the_rest(assessor: User, participation: Participation) -> None:
    assignment = participation.assignments.get(assessor__user=assessor)
    for question in assessed_questions(participation.cycle):
        if question.number not in FIRST_SCORES:
            record_score(assignment, question, 3, "", actor=assessor)


def name_assessors(panel: list[User]) -> None:
    for user, (first, last) in zip(panel, [("Ayu", "Lestari"), ("Bambang", "Sutrisno")], strict=True):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])
        ensure_assessor_profile(user)


# --- the scenario -----------------------------------------------------------------------------------------


def operator_fills_and_submits(
    new_context: Callable[[], Any], screenshot: Callable[..., None], operator: User, badung: Participation
) -> None:
    context = new_context()
    page = sign_in(context, operator.email)
    page.goto(OPERATOR_PAGES + "baseline/")
    for number, (level, text) in BASELINE.items():
        answer(page, number, level, text)

    pdf = small_pdf("Peraturan Bupati Badung Nomor 42 Tahun 2029")
    page.locator("#q1 input[type=file]").set_input_files(
        {"name": EVIDENCE_NAME, "mimeType": "application/pdf", "buffer": pdf}
    )
    page.locator("#q1").get_by_role("button", name="Unggah", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Bukti untuk pertanyaan 1 tersimpan")).to_be_visible()

    # The tab is closed; a new one finds the draft as it was left.
    page.close()
    page = context.new_page()
    page.goto(OPERATOR_PAGES + "baseline/")
    for number, (level, text) in BASELINE.items():
        expect(page.locator(f"#q{number} input[name=level][value='{level}']")).to_be_checked()
        expect(page.locator(f"#q{number} textarea[name=justification]")).to_have_value(text)
    link = page.locator("#q1 .evidence a", has_text=EVIDENCE_NAME)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == EVIDENCE_NAME
    assert Path(download.value.path()).read_bytes() == pdf

    # A change typed just before the tab is closed, while the autosave still waits for a pause, is kept; the
    # send tried on closing is cut off here (the worst case), so the next visit sends it.
    page.route("**/jawaban/**", lambda route: route.abort())
    page.locator("#q3 textarea[name=justification]").fill(HURRIED_TEXT)
    page.close()
    page = context.new_page()
    with page.expect_response(_save_of(3, "jawaban", justification=HURRIED_TEXT)) as resent:
        page.goto(OPERATOR_PAGES + "baseline/")
    assert resent.value.ok
    expect(page.locator("#q3 .save-state")).to_have_text(SAVED)
    assert Answer.objects.get(participation=badung, question__number=3).justification == HURRIED_TEXT

    # Offline: the change waits in localStorage, survives the closed tab, and arrives once on return.
    key = f"kc-answer-{badung.pk}-2"
    context.set_offline(True)
    page.locator("#q2 textarea[name=justification]").fill(OFFLINE_TEXT)
    expect(page.locator("#q2 .save-state")).to_contain_text("Belum tersimpan")
    assert json.loads(page.evaluate(f"localStorage.getItem('{key}')"))["justification"] == OFFLINE_TEXT
    page.close()
    assert Answer.objects.get(participation=badung, question__number=2).justification == BASELINE[2][1]
    context.set_offline(False)
    page = context.new_page()
    with page.expect_response(_save_of(2, "jawaban", justification=OFFLINE_TEXT)) as resent:
        page.goto(OPERATOR_PAGES + "baseline/")
    assert resent.value.ok
    expect(page.locator("#q2 .save-state")).to_have_text(SAVED)
    assert page.evaluate(f"localStorage.getItem('{key}')") is None
    screenshot(page, "review-02-operator-dimension.png")
    page.reload()
    expect(page.locator("#q2 textarea[name=justification]")).to_have_value(OFFLINE_TEXT)
    page.wait_for_load_state("networkidle")
    rows = Answer.objects.filter(participation=badung, question__number=2)
    assert rows.count() == 1 and rows.get().justification == OFFLINE_TEXT
    saves = AuditEvent.objects.filter(
        action="answer.saved", cycle_year=YEAR, region_code=CODE, question_number=2
    )
    assert saves.filter(new__justification=OFFLINE_TEXT).count() == 1
    assert saves.count() == 2  # the first answer and the offline change: nothing twice

    answer_the_rest(operator, badung)
    page.goto(OPERATOR_PAGES)
    page.locator("input[name=confirm]").check()
    page.get_by_role("button", name="Kirim dan kunci penilaian mandiri").click()
    expect(page.get_by_role("status").filter(has_text="terkirim dan terkunci")).to_be_visible()
    expect(page.get_by_text("Penilaian mandiri sudah dikirim dan terkunci.")).to_be_visible()
    expect(page.get_by_role("button", name="Kirim dan kunci penilaian mandiri")).to_have_count(0)
    screenshot(page, "review-01-operator-overview.png")
    page.goto(OPERATOR_PAGES + "baseline/")
    expect(page.locator("form.answer fieldset[disabled]")).to_have_count(len(BASELINE))
    expect(page.locator("#q1 input[type=file]")).to_have_count(0)
    badung.refresh_from_db()
    assert badung.stage == Stage.SUBMITTED
    context.close()


def test_operator_assessors_and_admin_in_the_browser(
    new_context: Callable[[], Any],
    screenshot: Callable[..., None],
    operator_a: User,
    admin_user: User,
    badung: Participation,
    panel: list[User],
) -> None:
    first, second = panel
    name_assessors(panel)

    operator_fills_and_submits(new_context, screenshot, operator_a, badung)
    assert Evidence.objects.filter(participation=badung, question__number=1).count() == 1

    # The first assessor scores Baseline in the page, blind.
    assessor = sign_in(new_context(), first.email)
    assessor.goto("/penilaian/")
    assessor.get_by_role("link", name="Badung").click()
    assessor.get_by_role("link", name="Nilai").first.click()
    expect(assessor).to_have_url(f"{REVIEW_PAGES}baseline/")
    expect(assessor.locator("#q1").get_by_role("link", name=EVIDENCE_NAME)).to_be_visible()
    expect(assessor.locator("#q2")).to_contain_text(OFFLINE_TEXT)
    for number, value in FIRST_SCORES.items():
        score(assessor, number, value, f"Catatan asesor untuk pertanyaan {number}.")
    blind = assessor.get_by_text("Skor asesor lain tampil setelah Anda mengirim penilaian.")
    others = assessor.locator("section.question p", has_text=re.compile("^Asesor lain:"))
    expect(blind).to_have_count(len(FIRST_SCORES))

    # The second assessor submits; the first still sees no one else's scores, here or on the consensus page.
    score_all(second, badung, SECOND_SCORE)
    assessor.reload()
    expect(blind).to_have_count(len(FIRST_SCORES))
    expect(others).to_have_count(0)
    expect(assessor.get_by_text("Bambang Sutrisno")).to_have_count(0)
    screenshot(assessor, "review-03-assessor-blind.png")
    assessor.goto(REVIEW_PAGES + "konsensus/")
    expect(assessor).to_have_url(REVIEW_PAGES)
    expect(assessor.get_by_role("status").filter(has_text="Kirim penilaian Anda dahulu")).to_be_visible()

    # The admin's live view of the region before the last review arrives, from the region's admin page.
    admin = sign_in(new_context(), admin_user.email)
    admin.goto(f"/kelola/{YEAR}/{CODE}/")
    admin.get_by_role("link", name="hasil berjalan").click()
    expect(admin).to_have_url(LIVE_RESULT)
    before = final_and_question_1(admin)
    assert before[1] == "4,00"

    # The first assessor completes and submits through the page's button; the others' scores appear.
    score_the_rest(first, badung)
    assessor.goto(REVIEW_PAGES)
    assessor.locator("input[name=confirm]").check()
    assessor.get_by_role("button", name="Kirim penilaian saya").click()
    expect(assessor.get_by_role("status").filter(has_text="Penilaian terkirim")).to_be_visible()
    assert Assignment.objects.get(participation=badung, assessor__user=first).submitted_at is not None
    assessor.goto(REVIEW_PAGES + "baseline/")
    expect(blind).to_have_count(0)
    expect(others).to_have_count(len(FIRST_SCORES))
    for number in FIRST_SCORES:
        expect(assessor.locator(f"#q{number}")).to_contain_text(f"Bambang Sutrisno: {SECOND_SCORE}")
    screenshot(assessor, "review-04-assessor-after-submit.png")

    # The admin sees the result change, the panel's disagreements and the progress.
    admin.reload()
    after = final_and_question_1(admin)
    assert after[1] == "3,00"  # the mean of 2 and 4
    assert after[0] != before[0]
    screenshot(admin, "review-07-region-result-live.png", full_page=False)
    admin.goto(REVIEW_PAGES + "konsensus/")
    rows = admin.locator("tbody tr")
    for number, value in FIRST_SCORES.items():
        if abs(value - SECOND_SCORE) >= 2:  # the questions the panel must discuss
            row = rows.filter(has=admin.locator("td.num", has_text=re.compile(rf"^{number}$")))
            expect(row.locator("td").nth(1)).to_have_text("Baseline")
            expect(row.locator("td").nth(2)).to_have_text(f"{value}, {SECOND_SCORE}")
    screenshot(admin, "review-05-consensus.png")
    admin.goto(f"/kelola/{YEAR}/")
    expect(admin.locator("tr", has_text="Badung")).to_contain_text("Dinilai")
    screenshot(admin, "review-06-admin-progress.png")
    badung.refresh_from_db()
    assert badung.stage == Stage.SCORED
