"""The client's address behind the reverse proxy.

Every request reaches an app server from nginx, so ``REMOTE_ADDR`` is the proxy's address for every
citizen and every user. What is keyed by the client's address would then treat them all as one client: the
survey's per-client rate limit and its same-device quality flag, and the login lockout (django-axes). nginx
overwrites ``X-Forwarded-For`` with the address it was reached from (deploy/nginx/app.conf); this takes that
address, only when the request really came from a trusted proxy (``KOTACERDAS_TRUSTED_PROXIES``), so that a
client reaching an app server directly cannot claim another address.
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_address(remote_addr: str, forwarded_for: str, trusted: frozenset[str]) -> str:
    """The address to use as the client's: the proxy's last hop when ``remote_addr`` is a trusted proxy."""
    if remote_addr not in trusted or not forwarded_for:
        return remote_addr
    # The rightmost entry is the one the trusted proxy wrote (anything before it the client may have sent).
    candidate = forwarded_for.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


class ProxiedClientMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.trusted = frozenset(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                self.trusted,
            )
        return self.get_response(request)
