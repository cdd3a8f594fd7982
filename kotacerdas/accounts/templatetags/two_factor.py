"""What the sign-in page says about the second step (kotacerdas.accounts.two_factor)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def two_factor_required() -> bool:
    """Whether admins and assessors must use a second factor (``KOTACERDAS_REQUIRE_2FA``)."""
    return bool(settings.KOTACERDAS_REQUIRE_2FA)
