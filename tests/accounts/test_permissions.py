"""Who gets what from the account pages (login, logout, password change and reset, invitations): route ×
role × method → status (the shape of tests/permissions.py). Invitation and reset links carry their own
credential, a token: they answer the same to every role."""

import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kotacerdas.accounts.models import Role, User
from kotacerdas.accounts.services import invite_user
from kotacerdas.core.actors import CLI
from tests.conftest import PASSWORD
from tests.permissions import LOGIN, expected_by_role, row_ids, statuses

EVERYONE = (200,) * 6
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
NEW_PASSWORD = "sandi-baru-yang-kuat-1"
# Reset and invitation links carry two segments, uidb64/token (for tests/test_url_permissions.py).
EXAMPLE_IDS = {"reset": "MQ/token", "invitation": "MQ/token", "accepted": "MQ/token"}

# (name, method, url template, body kind, expected status per role in ROLES order)
TABLE: list[Any] = [
    ("login", "GET", "/accounts/login/", "", EVERYONE),
    ("login", "POST", "/accounts/login/", "credentials", (302,) * 6),
    ("login", "POST", "/accounts/login/", "wrong_password", EVERYONE),
    ("logout", "POST", "/accounts/logout/", "", (302,) * 6),
    ("logout", "GET", "/accounts/logout/", "", (405,) * 6),
    ("password_change", "GET", "/accounts/password_change/", "", SIGNED_IN),
    ("password_change", "POST", "/accounts/password_change/", "change", (LOGIN, 302, 302, 302, 302, 302)),
    ("password_change_done", "GET", "/accounts/password_change/done/", "", SIGNED_IN),
    ("password_reset", "GET", "/accounts/password_reset/", "", EVERYONE),
    ("password_reset", "POST", "/accounts/password_reset/", "reset", (302,) * 6),
    ("password_reset_done", "GET", "/accounts/password_reset/done/", "", EVERYONE),
    ("password_reset_confirm", "GET", "/accounts/reset/{reset}/", "", (302,) * 6),
    ("password_reset_confirm", "GET", "/accounts/reset/MQ/bad-token/", "", EVERYONE),
    ("password_reset_complete", "GET", "/accounts/reset/done/", "", EVERYONE),
    ("accounts:accept_invitation", "GET", "/accounts/undangan/{invitation}/", "", EVERYONE),
    ("accounts:accept_invitation", "POST", "/accounts/undangan/{invitation}/", "new_password", (302,) * 6),
    ("accounts:accept_invitation", "POST", "/accounts/undangan/{accepted}/", "new_password", (400,) * 6),
    ("accounts:accept_invitation", "GET", "/accounts/undangan/MQ/bad-token/", "", (400,) * 6),
    # Two-factor pages (tests/accounts/test_two_factor.py has the flows): anyone signed in sets up their
    # own; without a device the second step has nothing to ask and sends the person on.
    ("accounts:two_factor_setup", "GET", "/accounts/2fa/", "", SIGNED_IN),
    ("accounts:two_factor_setup", "POST", "/accounts/2fa/", "bad_code", (LOGIN, 400, 400, 400, 400, 400)),
    ("accounts:two_factor_qr", "GET", "/accounts/2fa/qr.svg", "", SIGNED_IN),
    ("accounts:two_factor_verify", "GET", "/accounts/2fa/verifikasi/", "", (LOGIN, 302, 302, 302, 302, 302)),
    (
        "accounts:two_factor_verify",
        "POST",
        "/accounts/2fa/verifikasi/",
        "bad_code",
        (LOGIN, 302, 302, 302, 302, 302),
    ),
]


def _body(kind: str, cast: dict[str, Any], role: str) -> dict[str, Any]:
    # Anonymous signs in as region A's operator; everyone else as themselves.
    user: User = cast[role] or cast["operator_a"]
    data = {
        "credentials": {"username": user.email, "password": PASSWORD},
        "wrong_password": {"username": user.email, "password": "salah"},
        "change": {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        "reset": {"email": user.email},
        "new_password": {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        "bad_code": {"code": "not-a-code"},
    }.get(kind, {})
    return {"data": data}


def _invitation() -> str:
    """A fresh invitation's ``uidb64/token``, as the e-mailed link has it."""
    link = invite_user(
        f"baru.{uuid.uuid4().hex[:8]}@asesor.id", Role.ASSESSOR, base_url="", institution="ITB", actor=CLI
    )
    match = re.fullmatch(r"/accounts/undangan/(.+)/", link)
    assert match is not None, link
    return match.group(1)


@pytest.fixture
def ids(cast: dict[str, Any]) -> dict[str, Any]:
    # The reset link is someone's outside the cast: signing in changes a user's reset tokens.
    forgetful = User.objects.create_user(email="lupa@test.id", password=PASSWORD, role=Role.ASSESSOR)
    reset = (
        f"{urlsafe_base64_encode(force_bytes(forgetful.pk))}/{default_token_generator.make_token(forgetful)}"
    )
    accepted = _invitation()
    form = _body("new_password", cast, "admin")["data"]
    assert Client().post(f"/accounts/undangan/{accepted}/", form).status_code == 302
    return {"reset": reset, "invitation": _invitation, "accepted": accepted}


@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), TABLE, ids=row_ids(TABLE))
def test_route_role_method_status(
    cast: dict[str, Any], ids: dict[str, Any], name: str, method: str, url: str, body: str, expected: Any
) -> None:
    got = statuses(cast, method, url, lambda role: _body(body, cast, role), ids)
    assert got == expected_by_role(expected), f"{name} {method} {url}"
