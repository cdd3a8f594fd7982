from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kotacerdas.cycles.models import Participation
from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import resolve_region
from kotacerdas.survey.services import ensure_links
from kotacerdas.survey.views import link_path


class Command(BaseCommand):
    help = "Print dimension,url for a region's six public survey links (created when missing)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", required=True, help="code or name")
        parser.add_argument("--base-url", default=settings.PUBLIC_URL, help="default: KOTACERDAS_PUBLIC_URL")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cycle = get_cycle(options["year"])
            region = resolve_region(options["region"])
        except (CycleNotFound, RegionNameError) as exc:
            raise CommandError(str(exc)) from exc
        participation = Participation.objects.filter(cycle=cycle, region=region).first()
        if participation is None:
            raise CommandError(f"{region.name} ({region.code}) does not take part in {cycle.year}")
        base = options["base_url"].rstrip("/")
        self.stdout.write("dimension,url")
        for link in ensure_links(participation):
            self.stdout.write(f"{link.smart_dimension},{base}{link_path(link)}")
