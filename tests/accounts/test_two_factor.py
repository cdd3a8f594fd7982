"""Two-factor sign-in: TOTP set-up with a server-drawn QR code, the second step after the password,
recovery codes that work once, and the setting that makes it compulsory for admins and assessors."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotacerdas.accounts.models import User
from kotacerdas.audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.test_deploy_settings import PRODUCTION, _settings

SETUP = "/accounts/2fa/"
VERIFY = "/accounts/2fa/verifikasi/"
PAGE = "/kelola/undangan/"  # any page behind the login


def _code(device: TOTPDevice) -> str:
    """The authenticator app's current code, computed from the device's key as the app would."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _sign_in(client: Client, user: User) -> None:
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = ["abcd2345", "efgh6723"]
    for code in codes:
        StaticToken.objects.create(device=recovery, token=code)
    return device, codes


@pytest.fixture
def no_throttle(settings):  # type: ignore[no-untyped-def]
    """django-otp waits longer after every wrong code; tests that follow a wrong code with a right one
    at once turn the wait off (test_wrong_codes_are_throttled keeps it)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def test_a_required_admin_without_a_device_is_sent_to_set_up(
    client: Client, admin_user: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.KOTACERDAS_REQUIRE_2FA = True
    _sign_in(client, admin_user)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP + "?next=")
    assert client.get(SETUP).status_code == 200


def test_a_required_assessor_is_sent_to_set_up_but_an_operator_is_not(
    client: Client, assessor_user: User, operator_a: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.KOTACERDAS_REQUIRE_2FA = True
    client.force_login(assessor_user)
    assert client.get("/penilaian/")["Location"].startswith(SETUP)
    other = Client()
    other.force_login(operator_a)
    assert other.get("/accounts/password_change/").status_code == 200


def test_in_the_demo_a_second_factor_is_optional(client: Client, admin_user: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.KOTACERDAS_REQUIRE_2FA = False
    _sign_in(client, admin_user)
    assert client.get(PAGE).status_code == 200


def test_set_up_shows_a_qr_code_then_confirms_with_a_code_and_shows_recovery_codes_once(
    client: Client, admin_user: User, settings, no_throttle
) -> None:  # type: ignore[no-untyped-def]
    settings.KOTACERDAS_REQUIRE_2FA = True
    _sign_in(client, admin_user)
    page = client.get(SETUP)
    assert page.status_code == 200
    qr = client.get("/accounts/2fa/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<?xml") and b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    assert client.post(SETUP, {"code": wrong}).status_code == 400
    assert not TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()

    shown = client.post(SETUP, {"code": _code(device), "next": PAGE})
    assert shown.status_code == 200
    codes = shown.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="user.two_factor_enabled", actor=admin_user).exists()
    # This session gave a code: it goes on; the secret's QR code is not served any more.
    assert client.get(PAGE).status_code == 200
    assert client.get("/accounts/2fa/qr.svg").status_code == 404
    assert codes[0] not in client.get(SETUP).content.decode()


def test_the_header_offers_a_half_signed_in_admin_only_the_second_step(
    client: Client, admin_user: User, no_throttle
) -> None:  # type: ignore[no-untyped-def]
    device, _codes = _enrol(admin_user)
    _sign_in(client, admin_user)
    pending = client.get(VERIFY).content.decode()
    assert 'href="/kelola/' not in pending and 'href="/admin/"' not in pending
    assert "Keluar" in pending  # signing out stays offered
    client.post(VERIFY, {"code": _code(device), "next": PAGE})
    assert 'href="/admin/"' in client.get(PAGE).content.decode()


def test_with_a_device_a_wrong_code_is_refused_and_the_right_one_passes(
    client: Client, admin_user: User, no_throttle
) -> None:  # type: ignore[no-untyped-def]
    device, _codes = _enrol(admin_user)
    _sign_in(client, admin_user)
    sent = client.get(PAGE)
    assert sent.status_code == 302 and sent["Location"].startswith(VERIFY)
    right = _code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = client.post(VERIFY, {"code": wrong, "next": PAGE})
    assert refused.status_code == 400
    assert client.get(PAGE).status_code == 302
    passed = client.post(VERIFY, {"code": right, "next": PAGE})
    assert passed.status_code == 302 and passed["Location"] == PAGE
    assert client.get(PAGE).status_code == 200


def test_the_same_totp_code_cannot_be_replayed(client: Client, admin_user: User, no_throttle) -> None:  # type: ignore[no-untyped-def]
    device, _codes = _enrol(admin_user)
    code = _code(device)
    _sign_in(client, admin_user)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    other = Client()
    _sign_in(other, admin_user)
    assert other.post(VERIFY, {"code": code}).status_code == 400


def test_a_recovery_code_works_once(client: Client, admin_user: User, no_throttle) -> None:  # type: ignore[no-untyped-def]
    _device, codes = _enrol(admin_user)
    _sign_in(client, admin_user)
    assert client.post(VERIFY, {"code": codes[0].upper(), "next": PAGE}).status_code == 302
    assert client.get(PAGE).status_code == 200
    assert AuditEvent.objects.filter(action="user.recovery_code_used", actor=admin_user).exists()

    again = Client()
    _sign_in(again, admin_user)
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert again.get(PAGE).status_code == 302
    assert again.post(VERIFY, {"code": codes[1], "next": PAGE}).status_code == 302
    assert StaticToken.objects.filter(device__user=admin_user).count() == 0


def test_wrong_codes_are_throttled(client: Client, admin_user: User) -> None:
    device, _codes = _enrol(admin_user)
    _sign_in(client, admin_user)
    right = _code(device)
    client.post(VERIFY, {"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    # Right after a failure even the right code waits (django-otp's growing delay stops guessing).
    throttled = client.post(VERIFY, {"code": right})
    assert throttled.status_code == 400 and throttled.context["error"] == "throttled"


def test_reset_two_factor_removes_the_devices_and_is_audited(admin_user: User) -> None:
    _enrol(admin_user)
    out = io.StringIO()
    call_command("reset_two_factor", "--email", admin_user.email, "--reason", "ponsel hilang", stdout=out)
    assert not TOTPDevice.objects.filter(user=admin_user).exists()
    assert not StaticDevice.objects.filter(user=admin_user).exists()
    event = AuditEvent.objects.get(action="user.two_factor_reset")
    assert event.reason == "ponsel hilang" and event.actor_label == "cli"


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({}, False),  # the demo: optional
        ({"KOTACERDAS_REQUIRE_2FA": "on"}, True),
        ({**PRODUCTION}, True),  # production: compulsory for admins and assessors
        ({**PRODUCTION, "KOTACERDAS_REQUIRE_2FA": "off"}, False),
    ],
)
def test_the_second_factor_is_compulsory_by_default_only_in_production(
    environment: dict[str, str], required: bool
) -> None:
    assert _settings(environment, "KOTACERDAS_REQUIRE_2FA") == {"KOTACERDAS_REQUIRE_2FA": required}
