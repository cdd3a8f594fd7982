from argparse import ArgumentParser
from typing import Any, ClassVar

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.review.interviews import SlotPlan
from kotacerdas.review.services import (
    InterviewScheduleError,
    ScheduleOptions,
    confirm_interviews,
    schedule_interviews,
)

DEFAULTS = ScheduleOptions()


class Command(CycleCommand):
    help = (
        "Build or complete the cycle's interview schedule: a day and slot and a full panel for every region "
        "with a submitted self-assessment. Confirmed sessions are kept; unconfirmed ones may move."
    )
    user_errors: ClassVar[tuple[type[Exception], ...]] = (*CycleCommand.user_errors, InterviewScheduleError)

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--panel-size", type=int, default=DEFAULTS.panel_size)
        parser.add_argument(
            "--daily-cap", type=int, default=DEFAULTS.daily_cap, help="sessions an assessor a day"
        )
        parser.add_argument(
            "--slots", default=DEFAULTS.slots.text(), help="the day's slot starts, Asia/Jakarta (HH:MM,…)"
        )
        parser.add_argument("--slot-minutes", type=int, default=DEFAULTS.slots.minutes)
        parser.add_argument(
            "--all",
            action="store_true",
            help="every participation that is not final, submitted or not (a practice run)",
        )
        parser.add_argument("--time-limit", type=float, default=DEFAULTS.time_limit, help="seconds")
        parser.add_argument(
            "--confirm", action="store_true", help="confirm every session and e-mail the invitations"
        )

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        try:
            slots = SlotPlan.parse(options["slots"], options["slot_minutes"])
        except ValueError as exc:
            raise InterviewScheduleError([str(exc)]) from exc
        outcome = schedule_interviews(
            cycle,
            actor=CLI,
            options=ScheduleOptions(
                panel_size=options["panel_size"],
                daily_cap=options["daily_cap"],
                slots=slots,
                include_unsubmitted=options["all"],
                time_limit=options["time_limit"],
            ),
        )
        loads = [load for _name, load in outcome.loads]
        self.stdout.write(
            f"{outcome.sessions} sessions: {outcome.created} new, {outcome.moved} moved, "
            f"{outcome.unchanged} unchanged, {outcome.kept} confirmed kept, {outcome.removed} removed; "
            f"{outcome.assigned} assessors assigned"
        )
        if loads:
            self.stdout.write(
                f"loads {min(loads)}–{max(loads)} sessions per assessor (pool spread {outcome.spread}"
                f"{', optimal' if outcome.optimal else ''}), solved in {outcome.seconds:.2f} s"
            )
        if options["confirm"]:
            confirmed, sent = confirm_interviews(cycle, actor=CLI)
            self.stdout.write(f"{confirmed} sessions confirmed, {sent} invitations e-mailed")
