from argparse import ArgumentParser, ArgumentTypeError
from typing import Any, ClassVar

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.results.robustness import run_robustness
from kotacerdas.results.services import NothingPublished
from kotacerdas.scoring import DEFAULT_CONCENTRATION, DEFAULT_DRAWS, DEFAULT_SEED


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 1:
        raise ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _concentration(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"not a number: {text!r}") from exc
    if not value > 0 or value == float("inf"):
        raise ArgumentTypeError(f"must be a positive number, got {text}")
    return value


class Command(CycleCommand):
    help = (
        "Rank uncertainty of the latest published revision: a Monte Carlo over the weights, the survey's "
        "respondents and the panel; stores and prints each region's median rank and 5th–95th percentile."
    )
    user_errors: ClassVar[tuple[type[Exception], ...]] = (*CycleCommand.user_errors, NothingPublished)

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--draws", type=_positive, default=DEFAULT_DRAWS, help=f"default {DEFAULT_DRAWS}")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
        parser.add_argument(
            "--concentration",
            type=_concentration,
            default=DEFAULT_CONCENTRATION,
            help="of the Dirichlet around the official weights "
            f"(default {DEFAULT_CONCENTRATION:g}; larger: closer to them)",
        )

    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        run, outcome, gathered = run_robustness(
            cycle,
            actor=CLI,
            draws=options["draws"],
            seed=options["seed"],
            concentration=options["concentration"],
        )
        tracks = {r.key: r.track for r in gathered.regions}
        self.stdout.write(
            f"{cycle.year} revision {run.result_set.revision}: {outcome.draws} draws, seed {outcome.seed}, "
            f"Dirichlet concentration {outcome.concentration:g}; {len(gathered.regions)} regions "
            f"({outcome.survey_regions} with survey respondents resampled, "
            f"{outcome.panel_regions} with a panel left one out)"
        )
        self.stdout.write(f"{'rank':>5}  {'median':>6}  {'P5–P95':>9}  {'code':<8}  {'track':<8}  region")
        for interval in sorted(outcome.intervals, key=lambda i: (i.rank, i.key)):
            span = f"{interval.low}–{interval.high}"
            self.stdout.write(
                f"{interval.rank:>5}  {interval.median:>6}  {span:>9}  {interval.key:<8}  "
                f"{tracks[interval.key]:<8}  {gathered.names[interval.key]}"
            )
        if outcome.sensitivity:
            self.stdout.write("First-order sensitivity of the ranks to each weight (share of rank variance):")
            for track, indices in outcome.sensitivity.items():
                cells = ", ".join(f"{code} {value:.3f}" for code, value in indices.items())
                self.stdout.write(f"  {track}: {cells}")
        for code, notes in gathered.notes.items():
            for note in notes:
                self.stderr.write(f"note: {code}: {note}")
