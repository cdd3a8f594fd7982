"""The second step of signing in, enforced for every page (kotacerdas.accounts.two_factor)."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from kotacerdas.accounts import two_factor
from kotacerdas.accounts.models import User

# What a half-signed-in person may still reach: the second step itself, signing out, assets, language.
_OPEN_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/")


class TwoFactorMiddleware:
    """After the password, a person with an authenticator must give a code before any page, and one whom
    ``KOTACERDAS_REQUIRE_2FA`` concerns must first set one up. Runs after django-otp's OTPMiddleware,
    which tells (``user.is_verified()``) whether this session gave a code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        step: str | None = None
        if isinstance(user, User) and not user.is_verified():  # type: ignore[attr-defined]  # added by OTPMiddleware
            if two_factor.has_two_factor(user):
                step = "accounts:two_factor_verify"
            elif two_factor.requires_two_factor(user):
                step = "accounts:two_factor_setup"
        # The header offers a half-signed-in person only the second step and signing out (base.html).
        request.second_step_pending = step is not None  # type: ignore[attr-defined]
        if step is not None and not request.path.startswith(_OPEN_PREFIXES):
            return self._to(step, request)
        return self.get_response(request)

    @staticmethod
    def _to(name: str, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
