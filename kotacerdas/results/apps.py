from typing import Any

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "kotacerdas.results"
    label = "results"

    def ready(self) -> None:
        from kotacerdas.cycles.signals import inputs_changed

        inputs_changed.connect(_recompute, dispatch_uid="results.recompute_on_inputs_changed")


def _recompute(sender: object, *, cycle: Any, region_ids: Any = None, **kwargs: Any) -> None:
    from kotacerdas.results.services import recompute_results

    recompute_results(cycle, regions=region_ids)
