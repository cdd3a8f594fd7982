"""Unguessable, signed tokens for public survey links and single-use invitations.

A token is 96 random bits; its URL form appends a short HMAC of it (keyed by the secret key), so an
address that was guessed, mistyped or cut short is refused without a database query.
"""

import base64
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "kotacerdas.survey.link"


def new_token() -> str:
    return secrets.token_urlsafe(12)


def _mac(token: str) -> str:
    digest = salted_hmac(_SALT, token, algorithm="sha256").digest()[:9]
    return base64.urlsafe_b64encode(digest).decode()


def sign(token: str) -> str:
    """The form of ``token`` that goes into a URL."""
    return f"{token}.{_mac(token)}"


def unsign(value: str) -> str | None:
    """The token inside a signed URL segment, or None when the signature does not match."""
    token, _, mac = value.partition(".")
    if not token or not mac or not constant_time_compare(mac, _mac(token)):
        return None
    return token
