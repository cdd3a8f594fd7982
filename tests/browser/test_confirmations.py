"""In the browser: locking work asks first. The operator cannot submit the self-assessment until the
confirmation that says what will be locked is ticked; the assessor's findings, typed and never saved
separately, arrive with the submitted review; a file uploaded twice is told at its question.

Screenshots (KOTACERDAS_SCREENSHOTS=1): docs/screenshots/ui-*.png."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from kotacerdas.accounts.models import User
from kotacerdas.cycles.models import Participation, Stage
from kotacerdas.review.models import Assignment, Finding
from tests.browser.test_review_flow import sign_in, small_pdf
from tests.workflow import fill_self_assessment, score_all

OVERVIEW = "/penilaian-mandiri/2030/51.03/"
REVIEW = "/penilaian/2030/51.03/"
SUBMIT = "Kirim dan kunci penilaian mandiri"


def test_the_operator_submits_through_the_confirmation(
    new_context: Callable[[], Any],
    screenshot: Callable[..., None],
    operator_a: User,
    badung: Participation,
    tmp_path: Path,
) -> None:
    fill_self_assessment(operator_a, badung)
    page = sign_in(new_context(), operator_a.email)

    # The same file twice for one question: the second is refused, and said at that question.
    page.goto(OVERVIEW + "baseline/")
    evidence = tmp_path / "SK Tim Smart City.pdf"
    evidence.write_bytes(small_pdf("SK Tim Smart City 2030"))
    for _ in range(2):
        page.locator("#q1 input[type=file]").set_input_files(str(evidence))
        page.locator("#q1 button[type=submit]", has_text="Unggah").click()
    expect(page.locator("#q1 [role=alert]")).to_contain_text("sudah diunggah untuk pertanyaan 1")
    expect(page.locator("#q1 .evidence li")).to_have_count(1)
    page.locator("#q1").scroll_into_view_if_needed()
    screenshot(page, "ui-upload-duplicate.png", full_page=False)

    page.goto(OVERVIEW)
    confirm = page.get_by_label(
        "Saya sudah memeriksa isian dan mengerti bahwa penilaian mandiri akan terkunci."
    )
    expect(page.locator("form.confirm")).to_contain_text("terkunci: tidak ada yang dapat diubah lagi")
    # Without the tick the browser keeps the form (the server would refuse it too): nothing is locked.
    page.get_by_role("button", name=SUBMIT).click()
    expect(page).to_have_url(OVERVIEW)
    badung.refresh_from_db()
    assert badung.stage != Stage.SUBMITTED
    confirm.check()
    page.locator("form.confirm").scroll_into_view_if_needed()
    screenshot(page, "ui-selfassessment-confirm.png")
    page.get_by_role("button", name=SUBMIT).click()
    expect(page.get_by_role("status").filter(has_text="terkirim dan terkunci")).to_be_visible()
    expect(page.get_by_role("button", name=SUBMIT)).to_have_count(0)
    badung.refresh_from_db()
    assert badung.stage == Stage.SUBMITTED
    screenshot(page, "ui-selfassessment-submitted.png")


def test_the_assessors_findings_arrive_with_the_submitted_review(
    new_context: Callable[[], Any],
    screenshot: Callable[..., None],
    operator_a: User,
    badung: Participation,
    panel: list[User],
) -> None:
    from tests.workflow import submitted

    submitted(operator_a, badung)
    assessor = panel[0]
    score_all(assessor, badung, 3, submit=False)
    page = sign_in(new_context(), assessor.email)
    page.goto(REVIEW)
    page.get_by_label("Kekuatan (satu butir per baris)").fill("Layanan perizinan terpadu berjalan")
    page.get_by_label("Saya sudah memeriksa skor dan temuan saya").check()
    screenshot(page, "ui-review-confirm.png")
    page.get_by_role("button", name="Kirim penilaian saya").click()
    expect(page.get_by_role("status").filter(has_text="Penilaian terkirim")).to_be_visible()
    assignment = Assignment.objects.get(participation=badung, assessor__user=assessor)
    assert assignment.submitted_at is not None
    assert list(Finding.objects.filter(assignment=assignment).values_list("text", flat=True)) == [
        "Layanan perizinan terpadu berjalan"
    ]
