"""The base of every management command that works on one evaluation cycle, chosen with ``--year``.

Core sits below every app (a test checks it), so it cannot know what a cycle is or how one is looked up.
``CycleCommand`` is therefore generic in the cycle's type and leaves two things open, which the app that
owns cycles fills in once, in ``kotacerdas.cycles.commands.CycleCommand``:

- ``resolve_cycle(year)``: the lookup, raising a user-facing error for an unknown year;
- ``user_errors``: the exceptions whose message is written for the person at the terminal. Raised anywhere
  in the command, they become a ``CommandError`` with that message (exit status 1, no traceback).

Commands subclass the cycles app's class, not this one, and implement ``handle_cycle(cycle, **options)``.
A command that adds arguments calls ``super().add_arguments(parser)``; one with errors of its own extends
the tuple: ``user_errors = (*CycleCommand.user_errors, SignerNotConfigured)``. With
``year_required = False``, ``--year`` may be left out and ``handle_cycle`` then receives ``None`` (the
command decides what that means, e.g. every cycle), so such a command declares ``cycle: Cycle | None``.
"""

from argparse import ArgumentParser
from typing import Any, ClassVar, cast

from django.core.management.base import BaseCommand, CommandError


class CycleCommand[CycleT](BaseCommand):
    """A command on one cycle: ``--year`` is parsed and resolved before ``handle_cycle`` runs."""

    year_required: ClassVar[bool] = True
    year_help: ClassVar[str] = "the cycle's year, e.g. 2024"
    user_errors: ClassVar[tuple[type[Exception], ...]] = ()

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, required=self.year_required, help=self.year_help)

    def resolve_cycle(self, year: int) -> CycleT:
        """The cycle of ``year``; raises one of ``user_errors`` when there is none."""
        raise NotImplementedError

    def handle_cycle(self, cycle: CycleT, **options: Any) -> None:
        """The command's work. ``options`` are Django's, ``year`` included."""
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        year: int | None = options["year"]
        try:
            # None only reaches commands that declared --year optional (see the module's docstring).
            cycle = self.resolve_cycle(year) if year is not None else cast(CycleT, None)
            self.handle_cycle(cycle, **options)
        except self.user_errors as exc:
            raise CommandError(str(exc)) from exc
