"""Every URL of the self-assessment, review and management pages × every role × method.

A new URL in these namespaces that is not in the table fails `test_every_url_is_in_the_table` (and any
other app's in tests/test_url_permissions.py; the account pages have tests/accounts/test_permissions.py)."""

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from kotacerdas.regions.services import resolve_region
from kotacerdas.review.models import Reply, Unavailability
from kotacerdas.selfassessment.models import Programme
from kotacerdas.selfassessment.services import save_answer, upload_evidence
from tests.review.test_interviews import confirmed_interview
from tests.workflow import PDF, close_download

ROLES = ("anonymous", "operator_a", "operator_b", "assessor_assigned", "assessor_other", "admin")
NAMESPACES = ("selfassessment", "review", "manage")

# (name, method, url template, body kind, expected status per role in ROLES order)
# Badung (51.03) is in draft: operator A may write; the assigned assessor may see but not yet score.
LOGIN = 302
TABLE: list[tuple[str, str, str, str, tuple[int, ...]]] = [
    (
        "selfassessment:overview",
        "GET",
        "/penilaian-mandiri/2030/51.03/",
        "",
        (LOGIN, 200, 404, 200, 404, 200),
    ),
    (
        "selfassessment:dimension",
        "GET",
        "/penilaian-mandiri/2030/51.03/baseline/",
        "",
        (LOGIN, 200, 404, 200, 404, 200),
    ),
    (
        "selfassessment:save_answer",
        "POST",
        "/penilaian-mandiri/2030/51.03/jawaban/1/",
        "answer",
        (LOGIN, 200, 404, 403, 404, 403),
    ),
    (
        "selfassessment:submit",
        "POST",
        "/penilaian-mandiri/2030/51.03/kirim/",
        "",
        (LOGIN, 302, 404, 403, 404, 403),
    ),
    (
        "selfassessment:programmes",
        "GET",
        "/penilaian-mandiri/2030/51.03/program/",
        "",
        (LOGIN, 200, 404, 200, 404, 200),
    ),
    (
        "selfassessment:programmes",
        "POST",
        "/penilaian-mandiri/2030/51.03/program/",
        "programme",
        (LOGIN, 302, 404, 403, 404, 403),
    ),
    (
        "selfassessment:programme_edit",
        "GET",
        "/penilaian-mandiri/2030/51.03/program/{programme}/",
        "",
        (LOGIN, 200, 404, 200, 404, 200),
    ),
    (
        "selfassessment:programme_edit",
        "POST",
        "/penilaian-mandiri/2030/51.03/program/{programme}/",
        "programme",
        (LOGIN, 302, 404, 403, 404, 403),
    ),
    (
        "selfassessment:programme_delete",
        "POST",
        "/penilaian-mandiri/2030/51.03/program/{programme}/hapus/",
        "",
        (LOGIN, 302, 404, 403, 404, 403),
    ),
    (
        "selfassessment:upload_evidence",
        "POST",
        "/penilaian-mandiri/2030/51.03/bukti/1/",
        "file",
        (LOGIN, 302, 404, 403, 404, 403),
    ),
    (
        "selfassessment:remove_evidence",
        "POST",
        "/penilaian-mandiri/2030/51.03/bukti/{evidence}/hapus/",
        "",
        (LOGIN, 302, 404, 403, 404, 403),
    ),
    (
        "selfassessment:evidence",
        "GET",
        "/penilaian-mandiri/bukti/{evidence}/",
        "",
        (LOGIN, 200, 404, 200, 404, 200),
    ),
    ("review:mine", "GET", "/penilaian/", "", (LOGIN, 200, 200, 200, 200, 200)),
    ("review:region", "GET", "/penilaian/2030/51.03/", "", (LOGIN, 404, 404, 200, 404, 404)),
    ("review:dimension", "GET", "/penilaian/2030/51.03/baseline/", "", (LOGIN, 404, 404, 200, 404, 404)),
    ("review:save_score", "POST", "/penilaian/2030/51.03/skor/1/", "score", (LOGIN, 404, 404, 403, 404, 404)),
    (
        "review:findings",
        "POST",
        "/penilaian/2030/51.03/temuan/",
        "findings",
        (LOGIN, 404, 404, 403, 404, 404),
    ),
    ("review:submit", "POST", "/penilaian/2030/51.03/kirim/", "", (LOGIN, 404, 404, 403, 404, 404)),
    ("review:consensus", "GET", "/penilaian/2030/51.03/konsensus/", "", (LOGIN, 404, 404, 302, 404, 200)),
    (
        "review:consensus",
        "POST",
        "/penilaian/2030/51.03/konsensus/",
        "agreed",
        (LOGIN, 404, 404, 302, 404, 403),
    ),
    ("review:replies", "GET", "/penilaian/2030/51.03/sanggahan/", "", (LOGIN, 200, 404, 200, 404, 200)),
    ("review:replies", "POST", "/penilaian/2030/51.03/sanggahan/", "reply", (LOGIN, 200, 404, 200, 404, 200)),
    (
        "review:respond",
        "POST",
        "/penilaian/2030/51.03/sanggahan/{reply}/jawab/",
        "respond",
        (LOGIN, 403, 404, 403, 404, 403),
    ),
    ("manage:progress", "GET", "/kelola/2030/", "", (LOGIN, 404, 404, 404, 404, 200)),
    ("manage:region", "GET", "/kelola/2030/51.03/", "", (LOGIN, 404, 404, 404, 404, 200)),
    ("manage:region", "POST", "/kelola/2030/51.03/", "return", (LOGIN, 404, 404, 404, 404, 200)),
    ("manage:bulk_assign", "GET", "/kelola/2030/penugasan/", "", (LOGIN, 404, 404, 404, 404, 200)),
    ("manage:bulk_assign", "POST", "/kelola/2030/penugasan/", "panels", (LOGIN, 404, 404, 404, 404, 302)),
    ("manage:remind", "POST", "/kelola/2030/pengingat/", "", (LOGIN, 404, 404, 404, 404, 302)),
    ("manage:question_history", "GET", "/kelola/2030/51.03/riwayat/1/", "", (LOGIN, 404, 404, 404, 404, 200)),
    ("manage:invite", "GET", "/kelola/undangan/", "", (LOGIN, 404, 404, 404, 404, 200)),
    ("manage:invite", "POST", "/kelola/undangan/", "invite", (LOGIN, 404, 404, 404, 404, 200)),
    # The interview schedule (Badung's session is confirmed): its people see it, an admin every session.
    ("review:interviews", "GET", "/penilaian/wawancara/2030/", "", (LOGIN, 200, 200, 200, 200, 200)),
    (
        "review:interviews_ics",
        "GET",
        "/penilaian/wawancara/2030/jadwal.ics",
        "",
        (LOGIN, 200, 200, 200, 200, 200),
    ),
    (
        "review:interview_ics",
        "GET",
        "/penilaian/wawancara/2030/51.03.ics",
        "",
        (LOGIN, 200, 404, 200, 404, 200),
    ),
    ("manage:interviews", "GET", "/kelola/2030/wawancara/", "", (LOGIN, 404, 404, 404, 404, 200)),
    (
        "manage:schedule_interviews",
        "POST",
        "/kelola/2030/wawancara/susun/",
        "schedule",
        (LOGIN, 404, 404, 404, 404, 302),
    ),
    (
        "manage:confirm_interviews",
        "POST",
        "/kelola/2030/wawancara/konfirmasi/",
        "",
        (LOGIN, 404, 404, 404, 404, 302),
    ),
    (
        "manage:add_unavailability",
        "POST",
        "/kelola/2030/wawancara/berhalangan/",
        "unavailable",
        (LOGIN, 404, 404, 404, 404, 302),
    ),
    (
        "manage:withdraw_unavailability",
        "POST",
        "/kelola/2030/wawancara/berhalangan/{unavailability}/hapus/",
        "",
        (LOGIN, 404, 404, 404, 404, 302),
    ),
    (
        "manage:unconfirm_interview",
        "POST",
        "/kelola/2030/wawancara/51.03/batal/",
        "",
        (LOGIN, 404, 404, 404, 404, 302),
    ),
]


def _body(kind: str) -> dict[str, Any]:
    if kind == "answer":
        return {
            "data": json.dumps(
                {"save_id": str(uuid.uuid4()), "base_version": 1, "level": 2, "justification": "x"}
            ),
            "content_type": "application/json",
        }
    if kind == "score":
        return {"data": json.dumps({"score": 3, "note": ""}), "content_type": "application/json"}
    data = {
        "programme": {
            "name": f"Program {uuid.uuid4().hex[:6]}",
            "smart_dimension": "smart_governance",
            "kind": "masterplan",
            "year_started": 2022,
            "status": "running",
            "partners": "",
        },
        "file": {"file": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")},
        "findings": {"strengths": "a", "weaknesses": "", "recommendations": ""},
        "agreed": {"number": 1, "score": "3", "reason": "r"},
        "reply": {"number": 1, "argument": "a"},
        "respond": {"response": "ok"},
        "return": {"action": "return", "reason": "r"},
        "panels": {
            "file": SimpleUploadedFile("p.csv", b"region,assessor_email\n32.73,asesor.lain@test.id\n")
        },
        "schedule": {
            "panel_size": 5,
            "daily_cap": 2,
            "slots": "08:00,10:00,13:00,15:00",
            "slot_minutes": 120,
        },
        "unavailable": {
            "kind": "region",
            "who": "32.73",
            "day": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "reason": "Acara daerah",
        },
        "invite": {
            "email": "baru@kota.id",
            "role": "operator",
            "region": "32.73",
            "name": "",
            "institution": "",
        },
    }.get(kind, {})
    return {"data": data}


@pytest.fixture
def world(badung, operator_a, operator_b, panel, unassigned_assessor, admin_user) -> dict[str, Any]:
    question = badung.cycle.instrument.questions.select_related("dimension", "instrument").get(number=1)
    save_answer(
        badung, question, level=3, justification="x", save_id=uuid.uuid4(), base_version=0, actor=operator_a
    )
    evidence = upload_evidence(badung, question, SimpleUploadedFile("a.pdf", PDF), actor=operator_a)
    programme = Programme.objects.create(
        participation=badung,
        name="Badung Command Center",
        smart_dimension="smart_governance",
        kind="masterplan",
        year_started=2019,
        status="running",
    )
    reply = Reply.objects.create(participation=badung, question=question, argument="x", created_by=operator_a)
    confirmed_interview(badung)
    unavailable = Unavailability.objects.create(
        region=resolve_region("32.04"), day=timezone.localdate() + timedelta(days=1), reason="Rapat"
    )
    users = {
        "operator_a": operator_a,
        "operator_b": operator_b,
        "assessor_assigned": panel[0],
        "assessor_other": unassigned_assessor,
        "admin": admin_user,
    }
    ids = {
        "programme": programme.pk,
        "evidence": evidence.pk,
        "reply": reply.pk,
        "unavailability": unavailable.pk,
    }
    return {"users": users, "ids": ids}


@pytest.fixture(autouse=True)
def _media(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.mark.parametrize(
    ("name", "method", "url", "body", "expected"), TABLE, ids=[f"{row[0]}-{row[1]}" for row in TABLE]
)
def test_route_role_method_status(
    world, name: str, method: str, url: str, body: str, expected: tuple[int, ...]
) -> None:
    url = url.format(**world["ids"])
    # Those who may act go late (reversed order), so that a deletion does not hide the others' answers.
    for role, status in reversed(list(zip(ROLES, expected, strict=True))):
        client = Client()
        if role != "anonymous":
            client.force_login(world["users"][role])
        response = client.get(url) if method == "GET" else client.post(url, **_body(body))
        if hasattr(response, "streaming_content"):
            close_download(response)
        assert response.status_code == status, (
            f"{name} {method} as {role}: {response.status_code} != {status}"
        )
        if status == LOGIN and role == "anonymous":
            assert "/accounts/login/" in response.headers["Location"]


def test_every_url_is_in_the_table() -> None:
    covered = {row[0] for row in TABLE}
    names = set()
    resolver = get_resolver()
    for namespace in NAMESPACES:
        sub = resolver.namespace_dict[namespace][1]
        names |= {f"{namespace}:{key}" for key in sub.reverse_dict if isinstance(key, str)}
    assert names - covered == set(), "add these URLs to the permission table"


def test_the_admin_site_is_for_admins_only(client: Client, operator_a, admin_user) -> None:
    operator_a.is_staff = True  # even a mistakenly staff-flagged operator is kept out
    operator_a.save()
    client.force_login(operator_a)
    assert client.get("/admin/").status_code == 302
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_scores_and_panels_are_read_only_in_the_django_admin(
    client: Client, admin_user, badung, panel
) -> None:
    """The admin site would bypass the policy's deadlines and the audit trail: it only shows these."""
    client.force_login(admin_user)
    assignment = badung.assignments.first()
    assert client.get("/admin/review/assessorscore/add/").status_code == 403
    assert client.get("/admin/review/agreedscore/add/").status_code == 403
    page = client.get(f"/admin/review/assignment/{assignment.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
