"""Accounts: scripted set-up (create-user, assign), invitations, login throttling, reminders."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from kotacerdas.accounts.models import Role, User
from kotacerdas.accounts.services import invite_user
from kotacerdas.core.actors import CLI
from kotacerdas.review.models import Assessor
from kotacerdas.review.reminders import send_reminders
from tests.workflow import submitted


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text("kata-sandi-yang-panjang-sekali\n", encoding="utf-8")
    return path


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_create_user_is_idempotent_on_the_email(db: None, password_file: Path) -> None:
    args = (
        "create_user",
        "--role",
        "operator",
        "--email",
        "ops@badung.go.id",
        "--password-file",
        str(password_file),
        "--region",
        "Bupati Badung",
    )
    assert _run(*args) == "created ops@badung.go.id (operator)"
    assert _run(*args) == "unchanged ops@badung.go.id"
    user = User.objects.get(email="ops@badung.go.id")
    assert (user.role, user.region.code, user.check_password("kata-sandi-yang-panjang-sekali")) == (
        "operator",
        "51.03",
        True,
    )
    assert (
        _run(
            "create_user",
            "--role",
            "operator",
            "--email",
            "ops@badung.go.id",
            "--password-file",
            str(password_file),
            "--region",
            "51.71",
        )
        == "updated ops@badung.go.id: region"
    )


def test_create_user_refuses_bad_input_clearly(db: None, password_file: Path, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Operator memerlukan daerah"):
        _run("create_user", "--role", "operator", "--email", "a@b.id", "--password-file", str(password_file))
    with pytest.raises(CommandError, match="Nama daerah 'Bandung' ambigu"):
        _run(
            "create_user",
            "--role",
            "operator",
            "--email",
            "a@b.id",
            "--password-file",
            str(password_file),
            "--region",
            "Bandung",
        )
    weak = tmp_path / "weak"
    weak.write_text("12345", encoding="utf-8")
    with pytest.raises(CommandError, match="Kata sandi: "):
        _run("create_user", "--role", "admin", "--email", "a@b.id", "--password-file", str(weak))
    assert not User.objects.filter(email="a@b.id").exists()


def test_assign_by_command_links_the_assessor_and_refuses_conflicts(open_cycle, password_file: Path) -> None:
    _run(
        "create_user",
        "--role",
        "assessor",
        "--email",
        "ahli@unpas.ac.id",
        "--password-file",
        str(password_file),
        "--institution",
        "Universitas Pasundan",
        "--name",
        "Ahli Satu",
    )
    assert Assessor.objects.get(user__email="ahli@unpas.ac.id").name == "Ahli Satu"
    args = ("assign", "--year", "2030", "--region", "KAB. BADUNG", "--assessor", "ahli@unpas.ac.id")
    assert _run(*args) == "ahli@unpas.ac.id assigned to KAB. BADUNG 2030 (position 1)"
    assert _run(*args) == "ahli@unpas.ac.id already assigned to KAB. BADUNG 2030 (position 1)"
    _run(
        "create_user",
        "--role",
        "assessor",
        "--email",
        "staf@badungkab.go.id",
        "--password-file",
        str(password_file),
        "--institution",
        "Pemerintah Kabupaten Badung",
    )
    with pytest.raises(CommandError, match="Ditolak: Institusi asesor adalah bagian dari pemerintah daerah"):
        _run("assign", "--year", "2030", "--region", "51.03", "--assessor", "staf@badungkab.go.id")
    with pytest.raises(CommandError, match="Tidak ada akun asesor"):
        _run("assign", "--year", "2030", "--region", "51.03", "--assessor", "nobody@x.id")


def test_an_invitation_link_sets_the_password_once(client: Client, db: None) -> None:
    link = invite_user(
        "baru@asesor.id", Role.ASSESSOR, base_url="http://testserver", institution="ITB", actor=CLI
    )
    assert len(mail.outbox) == 1 and link in mail.outbox[0].body
    user = User.objects.get(email="baru@asesor.id")
    assert not user.has_usable_password()
    path = re.sub(r"^http://testserver", "", link)
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"new_password1": "sandi-baru-yang-kuat-1", "new_password2": "sandi-baru-yang-kuat-1"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("sandi-baru-yang-kuat-1")
    assert Client().get(path).status_code == 400  # used once


def test_the_invite_page_sends_an_invitation(client: Client, admin_user) -> None:
    client.force_login(admin_user)
    response = client.post(
        "/kelola/undangan/",
        {"email": "op@kota.id", "role": "operator", "region": "32.73", "name": "", "institution": ""},
    )
    assert response.status_code == 200 and response.context["link"]
    assert User.objects.get(email="op@kota.id").region.code == "32.73"


def test_repeated_failed_logins_lock_the_account_for_a_while(client: Client, operator_a) -> None:
    for _ in range(5):
        client.post("/accounts/login/", {"username": operator_a.email, "password": "salah"})
    response = client.post(
        "/accounts/login/", {"username": operator_a.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_good_login_works(client: Client, operator_a) -> None:
    response = client.post(
        "/accounts/login/", {"username": operator_a.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(operator_a.pk)


def test_reminders_go_once_to_those_with_work_left_before_a_deadline(
    operator_a, operator_b, badung, panel
) -> None:
    cycle = badung.cycle
    cycle.self_assessment_closes = timezone.now() + timedelta(days=5)
    cycle.save(update_fields=["self_assessment_closes"])
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        sent = send_reminders(cycle, actor=CLI)
        # Every operator of a region that has not submitted (the demo's Badung operator too); Kab. Bandung
        # has no operator account.
        expected = set(
            User.objects.filter(role=Role.OPERATOR, region__code__in=["51.03", "32.73"]).values_list(
                "email", flat=True
            )
        )
        assert sent == len(expected) == 3 and {m.to[0] for m in mail.outbox} == expected
        assert "penilaian mandiri" in mail.outbox[0].subject
        assert send_reminders(cycle, actor=CLI) == 0  # once per threshold
    mail.outbox.clear()
    submitted(operator_a, badung)
    with time_machine.travel(timezone.now() + timedelta(days=4, hours=12), tick=False):
        send_reminders(cycle, actor=CLI)
        assert operator_a.email not in [m.to[0] for m in mail.outbox]  # Badung has submitted
        assert operator_b.email in [m.to[0] for m in mail.outbox]
