from django.http import HttpRequest

from kotacerdas.cycles.models import Cycle


def latest_cycle(request: HttpRequest) -> dict[str, object]:
    """The year of the newest cycle, for the navigation links of signed-in users."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    year = Cycle.objects.order_by("-year").values_list("year", flat=True).first()
    return {"latest_year": year or 0}
