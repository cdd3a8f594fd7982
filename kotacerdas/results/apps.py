from typing import Any

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "kotacerdas.results"
    label = "results"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from kotacerdas.cycles.models import Cycle
        from kotacerdas.cycles.signals import inputs_changed

        # The one trigger path for recomputation: every writer of scoring inputs sends ``inputs_changed``.
        inputs_changed.connect(_recompute, dispatch_uid="results.recompute_on_inputs_changed")
        post_save.connect(_live_result_set, sender=Cycle, dispatch_uid="results.live_result_set_per_cycle")


def _recompute(sender: object, *, cycle: Any, region_ids: Any = None, **kwargs: Any) -> None:
    from kotacerdas.results.services import recompute_results

    recompute_results(cycle, regions=region_ids)


def _live_result_set(
    sender: object, *, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """Every cycle has its live result set from the start, so that reading results never writes."""
    if created and not raw:
        from kotacerdas.results.services import ensure_live_result_set

        ensure_live_result_set(instance)
