"""Two-factor sign-in: a TOTP authenticator app plus single-use recovery codes (django-otp's devices).

The password login stays Django's. A person who has a confirmed authenticator is then asked for a code
(``TwoFactorMiddleware``) before any page; with ``KOTACERDAS_REQUIRE_2FA`` on, admins and assessors without
one are sent to set it up first. The cryptography (RFC 6238, replay and throttling) is django-otp's; this
module only decides when to ask and records what happened in the audit.
"""

import io
import re
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kotacerdas.accounts.models import Role, User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor

RECOVERY_CODES = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery"
_TOTP_CODE = re.compile(r"^\d{6}$")


def requires_two_factor(user: User) -> bool:
    """Whether this person may not work without a second factor (the setting, for admins and assessors)."""
    required_roles = {Role.ADMIN, Role.ASSESSOR}
    return bool(settings.KOTACERDAS_REQUIRE_2FA) and (user.is_superuser or user.role in required_roles)


def authenticator_of(user: User) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return authenticator_of(user) is not None


def pending_authenticator(user: User) -> TOTPDevice:
    """The not yet confirmed authenticator that the setup page shows as a QR code (made on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def qr_code_svg(device: TOTPDevice) -> bytes:
    """The ``otpauth://`` address of the device as an SVG QR code, drawn by the server (no CDN)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for apps that cannot scan."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def confirm_authenticator(user: User, code: str) -> Enrolment | None:
    """Confirm the pending authenticator with a code from the app; returns the new recovery codes (shown
    once: only django-otp's copy remains) or ``None`` for a wrong code."""
    device = pending_authenticator(user)
    if not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record_event("user.two_factor_enabled", actor=user, object_type="user", object_id=user.pk)
    return Enrolment(device, codes)


@transaction.atomic
def renew_recovery_codes(user: User) -> list[str]:
    """Replace every recovery code (the old ones stop working)."""
    codes = _new_recovery_codes(user)
    record_event("user.recovery_codes_renewed", actor=user, object_type="user", object_id=user.pk)
    return codes


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user).count())


@dataclass(frozen=True)
class Verification:
    device: Device | None
    throttled: bool = False


@transaction.atomic
def verify_second_factor(user: User, code: str) -> Verification:
    """Check a code at sign-in: six digits against the authenticator, anything else as a recovery code
    (which is then used up). Each device throttles its own failures (django-otp)."""
    code = code.strip().replace(" ", "").replace("-", "").lower()
    device: Device | None
    if _TOTP_CODE.match(code):
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    else:
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None or not code:
        return Verification(None)
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return Verification(None, throttled=True)
    if not device.verify_token(code):
        record_event("user.two_factor_failed", actor=user, object_type="user", object_id=user.pk)
        return Verification(None)
    if isinstance(device, StaticDevice):
        record_event(
            "user.recovery_code_used",
            actor=user,
            object_type="user",
            object_id=user.pk,
            new={"left": recovery_codes_left(user)},
        )
    return Verification(device)


@transaction.atomic
def reset_two_factor(user: User, *, actor: User | SystemActor, reason: str) -> int:
    """Remove a person's authenticator and recovery codes (a lost phone); they set up anew at next sign-in."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _per_model = model.objects.filter(user=user).delete()
        removed += int(count)
    record_event("user.two_factor_reset", actor=actor, object_type="user", object_id=user.pk, reason=reason)
    return removed
