"""View helpers: find a region's participation the user may see (404 otherwise), and answer refusals."""

from typing import Any

from django.shortcuts import get_object_or_404

from kotacerdas.cycles.models import Participation


def visible_participation(user: Any, year: int, code: str) -> Participation:
    """The region's participation in the cycle, if ``user`` may see it; 404 otherwise (never 403, so that
    the existence of another region's data is not revealed)."""
    return get_object_or_404(
        Participation.objects.visible_to(user).select_related("cycle", "region__province"),
        cycle__year=year,
        region__code=code,
    )
