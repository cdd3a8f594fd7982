from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from kotacerdas.core.actors import DEMO
from kotacerdas.reports.demo import load_report_demo
from kotacerdas.reports.services import copy_report_content
from kotacerdas.results.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo, load_practice


class Command(BaseCommand):
    """Lives in the top layer so that it can load every app's part of the demo."""

    help = "Load the demo programme (2024 cycle, instrument, published results, Badung's detail). Idempotent."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--practice",
            action="store_true",
            help="also a practice cycle ('simulasi') of this year, open around today, to walk the workflow",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo(say=self.stdout.write)
        load_report_demo(say=self.stdout.write)
        if options["practice"]:
            practice = load_practice(say=self.stdout.write)
            copy_report_content(practice.previous or practice, practice, actor=DEMO)
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for email, role, _, _ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role.label:<16} {email}")
