from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.regions.services import resolve_region
from kotacerdas.survey.services import ensure_links
from kotacerdas.survey.views import link_path


class Command(CycleCommand):
    help = "Print dimension,url for a region's six public survey links (created when missing)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--region", required=True, help="code or name")
        parser.add_argument("--base-url", default=settings.PUBLIC_URL, help="default: KOTACERDAS_PUBLIC_URL")

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        region = resolve_region(options["region"])
        participation = Participation.objects.filter(cycle=cycle, region=region).first()
        if participation is None:
            raise CommandError(
                _("%(region)s (%(code)s) tidak ikut serta pada %(year)s.")
                % {"region": region.name, "code": region.code, "year": cycle.year}
            )
        base = options["base_url"].rstrip("/")
        self.stdout.write("dimension,url")
        for link in ensure_links(participation, actor=CLI):
            self.stdout.write(f"{link.smart_dimension},{base}{link_path(link)}")
