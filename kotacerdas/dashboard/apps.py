from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "kotacerdas.dashboard"
    label = "dashboard"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kotacerdas.dashboard.cache import forget_public_pages
        from kotacerdas.reports.models import ReportVersion
        from kotacerdas.results.models import ResultSet, RobustnessRun

        # Publication (a new published ResultSet), robustness runs and issued reports change the public
        # pages; the page cache is keyed by them anyway (dashboard/cache.py), this frees this process's old
        # entries at once.
        for model in (ResultSet, RobustnessRun, ReportVersion):
            post_save.connect(
                forget_public_pages, sender=model, dispatch_uid=f"dashboard.forget.{model.__name__}"
            )
            post_delete.connect(
                forget_public_pages, sender=model, dispatch_uid=f"dashboard.forget_deleted.{model.__name__}"
            )
