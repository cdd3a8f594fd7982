"""The assessor's and the admin's pages as they read: submitting a review asks first and keeps the findings
typed above it; a question's history is told in sentences; confirming interviews asks first; the reminder
button says whom it would remind, and whom it reminded."""

from datetime import timedelta

from django.core import mail
from django.test import Client
from django.utils import timezone

from kotacerdas.accounts.models import User
from kotacerdas.cycles.models import Participation
from kotacerdas.review.models import Assignment, Finding, InterviewSession
from tests.review.test_interviews import confirmed_interview
from tests.workflow import score_all, submitted

REVIEW = "/penilaian/2030/51.03/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_submitting_a_review_asks_first_and_keeps_the_findings(
    badung: Participation, operator_a: User, panel: list[User]
) -> None:
    submitted(operator_a, badung)
    assessor = panel[0]
    score_all(assessor, badung, 3, submit=False)
    client = _client(assessor)
    page = client.get(REVIEW).content.decode()
    assert 'name="confirm"' in page and "Temuan di atas ikut tersimpan dan terkirim." in page
    assert 'formaction="/penilaian/2030/51.03/temuan/"' in page and "style=" not in page
    findings = {
        "strengths": "Layanan terpadu",
        "weaknesses": "Data belum terbuka",
        "recommendations": "Buka data",
    }
    refused = client.post(REVIEW + "kirim/", findings, follow=True).content.decode()
    assert "Centang konfirmasi dahulu" in refused
    assignment = Assignment.objects.get(participation=badung, assessor__user=assessor)
    assert assignment.submitted_at is None
    assert set(Finding.objects.filter(assignment=assignment).values_list("text", flat=True)) == {
        "Layanan terpadu",
        "Data belum terbuka",
        "Buka data",
    }
    client.post(
        REVIEW + "kirim/", findings | {"recommendations": "Buka data\nLatih operator", "confirm": "yes"}
    )
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None
    assert Finding.objects.filter(assignment=assignment, kind="recommendation").count() == 2


def test_a_questions_history_is_told_in_sentences(
    badung: Participation, operator_a: User, panel: list[User], admin_user: User
) -> None:
    submitted(operator_a, badung)
    score_all(panel[0], badung, 4)
    html = _client(admin_user).get("/kelola/2030/51.03/riwayat/1/").content.decode()
    assert "Jawaban penilaian mandiri disimpan" in html and "Skor asesor dicatat" in html
    assert "level: 3 · penjelasan: Bukti untuk 1" in html and "skor: 4" in html
    for internal in ("answer.saved", "score.recorded", "{&#x27;", "{'", "version"):
        assert internal not in html


def test_confirming_interviews_asks_first(badung: Participation, admin_user: User) -> None:
    session = confirmed_interview(badung)
    InterviewSession.objects.filter(pk=session.pk).update(confirmed_at=None)
    client = _client(admin_user)
    page = client.get("/kelola/2030/wawancara/").content.decode()
    assert "Mengonfirmasi mengunci 1 sesi" in page and 'name="confirm"' in page and "style=" not in page
    client.post("/kelola/2030/wawancara/konfirmasi/")
    assert InterviewSession.objects.get(pk=session.pk).confirmed_at is None
    client.post("/kelola/2030/wawancara/konfirmasi/", {"confirm": "yes"})
    assert InterviewSession.objects.get(pk=session.pk).confirmed_at is not None


def test_the_reminder_button_says_whom_it_would_remind_and_whom_it_reminded(
    open_cycle, operator_a: User, admin_user: User
) -> None:  # type: ignore[no-untyped-def]
    client = _client(admin_user)
    page = client.get("/kelola/2030/").content.decode()
    assert (
        "Tidak ada pengingat yang jatuh tempo sekarang" in page and "Pengingat berikutnya jatuh tempo" in page
    )
    open_cycle.self_assessment_closes = timezone.now() + timedelta(hours=20)
    open_cycle.save(update_fields=["self_assessment_closes"])
    page = client.get("/kelola/2030/").content.decode()
    # Badung's operators (the demo's and the test's) have not submitted: both are named, with the deadline.
    operators = sorted(
        User.objects.filter(region__code="51.03", is_active=True).values_list("email", flat=True)
    )
    assert operator_a.email in operators
    for email in operators:
        assert f"<li>{email} — Kabupaten Badung · penilaian mandiri, ditutup " in page
    assert f"Kirim {len(operators)} pengingat sekarang" in page
    done = client.post("/kelola/2030/pengingat/", follow=True).content.decode()
    assert f"{len(operators)} pengingat terkirim, kepada: " in done and operator_a.email in done
    assert sorted(m.to[0] for m in mail.outbox) == operators
    again = client.post("/kelola/2030/pengingat/", follow=True).content.decode()
    assert "tidak ada yang dikirim" in again and len(mail.outbox) == len(operators)


def test_each_roles_header_reaches_its_work(cast: dict[str, User | None]) -> None:
    from kotacerdas.cycles.models import Cycle

    year = Cycle.objects.order_by("-year").values_list("year", flat=True).first()

    def header(role: str) -> str:
        user = cast[role]
        assert user is not None
        return _client(user).get("/").content.decode().split("</header>")[0]

    operator = header("operator_a")
    for url in (
        f"/penilaian-mandiri/{year}/51.03/",
        f"/survei/{year}/51.03/",
        f"/penilaian/{year}/51.03/sanggahan/",
        f"/penilaian/wawancara/{year}/",
    ):
        assert f'href="{url}"' in operator, url
    admin = header("admin")
    for url in ("/survei/", f"/survei/{year}/tinjau/", "/admin/reports/reportbatch/", f"/kelola/{year}/"):
        assert f'href="{url}"' in admin, url
    assessor = header("assessor_assigned")
    for url in ("/penilaian/", f"/penilaian/wawancara/{year}/"):
        assert f'href="{url}"' in assessor, url


def test_an_operators_survey_page_has_no_back_link_to_itself(cast: dict[str, User | None]) -> None:
    user = cast["operator_a"]
    assert user is not None
    page = _client(user).get("/survei/", follow=True)
    assert page.redirect_chain and page.redirect_chain[-1][0] == "/survei/2024/51.03/"
    assert 'href="/survei/"' not in page.content.decode().split("</header>")[1]
