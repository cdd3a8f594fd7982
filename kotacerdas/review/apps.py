from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "kotacerdas.review"
    label = "review"

    def ready(self) -> None:
        # The policy (cycles, a lower layer) asks the review app who sits on which panel.
        from kotacerdas.cycles.policy import register_panels
        from kotacerdas.review.panels import ReviewPanels

        register_panels(ReviewPanels())
