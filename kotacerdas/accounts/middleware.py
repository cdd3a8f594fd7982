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
        if (
            isinstance(user, User) and not request.path.startswith(_OPEN_PREFIXES) and not user.is_verified()  # type: ignore[attr-defined]  # added by OTPMiddleware
        ):
            if two_factor.has_two_factor(user):
                return self._to("accounts:two_factor_verify", request)
            if two_factor.requires_two_factor(user):
                return self._to("accounts:two_factor_setup", request)
        return self.get_response(request)

    @staticmethod
    def _to(name: str, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
