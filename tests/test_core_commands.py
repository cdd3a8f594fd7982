"""Every `--year` command is a CycleCommand: the year is parsed, resolved and its errors reported once."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError

from kotacerdas.core import commands as core
from kotacerdas.cycles.commands import CycleCommand
from kotacerdas.cycles.models import Cycle
from kotacerdas.cycles.policy import Decision, NotAllowed

# Each --year command with the least else it needs to get as far as the cycle lookup.
YEAR_COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "assign": lambda tmp: ["--region", "51.03", "--assessor", "nobody@example.org"],
    "export_instrument": lambda tmp: ["-o", str(tmp / "out" / "instrument.yaml")],
    "export_survey": lambda tmp: [],
    "import_instrument": lambda tmp: [str(tmp / "missing.yaml")],
    "import_question_scores": lambda tmp: [str(tmp / "missing.csv")],
    "import_results": lambda tmp: [str(tmp / "missing.csv")],
    "import_scores": lambda tmp: [str(tmp / "missing.csv")],
    "import_survey": lambda tmp: [str(tmp / "missing.csv")],
    "interviews": lambda tmp: [],
    "letter": lambda tmp: ["-o", str(tmp / "out" / "surat.pdf")],
    "publish_results": lambda tmp: ["--reason", "test"],
    "recompute": lambda tmp: [],
    "report": lambda tmp: ["--region", "51.03", "-o", str(tmp / "out" / "report.pdf")],
    "reports": lambda tmp: ["-o", str(tmp / "out")],
    "results": lambda tmp: [],
    "robustness": lambda tmp: ["--draws", "10"],
    "schedule_interviews": lambda tmp: [],
    "send_reminders": lambda tmp: [],
    "survey_links": lambda tmp: ["--region", "51.03"],
    "survey_recompute": lambda tmp: [],
    "workbook": lambda tmp: ["-o", str(tmp / "out" / "hasil.xlsx")],
}


def _project_commands() -> dict[str, BaseCommand]:
    return {
        name: load_command_class(app, name)
        for name, app in get_commands().items()
        if isinstance(app, str) and app.startswith("kotacerdas.")
    }


def _takes_year(command: BaseCommand, name: str) -> bool:
    parser = command.create_parser("kotacerdas", name)
    return any("--year" in action.option_strings for action in parser._actions)


# ``new-cycle --year Y --from P`` names a cycle that does not exist yet: it makes it (its ``--from`` is
# looked up like every other year).
CREATES_ITS_CYCLE = {"new_cycle"}


def test_every_command_with_a_year_is_a_cycle_command_and_is_listed_here() -> None:
    commands = _project_commands()
    with_year = {
        name
        for name, command in commands.items()
        if _takes_year(command, name) and name not in CREATES_ITS_CYCLE
    }
    cycle_commands = {name for name, command in commands.items() if isinstance(command, CycleCommand)}
    assert with_year == cycle_commands
    assert with_year == set(YEAR_COMMANDS)  # a new --year command belongs in the table above


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(YEAR_COMMANDS))
def test_unknown_year_is_an_error_naming_the_known_cycles(name: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no evaluation cycle for 1999 \(known cycles: 2024\)"):
        call_command(name, *YEAR_COMMANDS[name](tmp_path), "--year", "1999", stdout=io.StringIO())
    assert not (tmp_path / "out").exists()  # stopped before doing anything


@pytest.mark.parametrize("name", sorted(set(YEAR_COMMANDS) - {"send_reminders"}))
def test_year_is_required(name: str, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="required: --year"):
        call_command(name, *YEAR_COMMANDS[name](tmp_path))


@pytest.mark.django_db
def test_send_reminders_without_a_year_covers_every_cycle(
    make_cycle: Callable[..., Cycle], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_cycle(2030)
    seen: list[int] = []

    def fake_send_reminders(cycle: Cycle, *args: Any, **kwargs: Any) -> int:
        seen.append(cycle.year)
        return 1

    monkeypatch.setattr(
        "kotacerdas.review.management.commands.send_reminders.send_reminders", fake_send_reminders
    )
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert sorted(seen) == [2024, 2030]
    assert out.getvalue() == "2 reminder(s) sent.\n"

    seen.clear()
    call_command("send_reminders", "--year", "2030", stdout=io.StringIO())
    assert seen == [2030]


class _Recorder(core.CycleCommand[str]):
    """A core command with a lookup of its own: core needs no app and no database."""

    user_errors = (LookupError,)

    def __init__(self, fail_with: Exception | None = None) -> None:
        super().__init__(stdout=io.StringIO())
        self.fail_with = fail_with
        self.calls: list[tuple[str | None, dict[str, Any]]] = []

    def resolve_cycle(self, year: int) -> str:
        if year != 2024:
            raise LookupError(f"no cycle {year}")
        return f"cycle {year}"

    def handle_cycle(self, cycle: str, **options: Any) -> None:
        self.calls.append((cycle, options))
        if self.fail_with is not None:
            raise self.fail_with


class _OptionalRecorder(_Recorder):
    year_required = False


def test_the_resolved_cycle_reaches_handle_cycle_with_the_options() -> None:
    command = _Recorder()
    call_command(command, "--year", "2024")
    [(cycle, options)] = command.calls
    assert cycle == "cycle 2024"
    assert options["year"] == 2024


def test_a_failed_lookup_is_a_command_error_with_its_message() -> None:
    command = _Recorder()
    with pytest.raises(CommandError, match=r"^no cycle 1999$"):
        call_command(command, "--year", "1999")
    assert command.calls == []


def test_a_user_error_in_the_work_is_a_command_error_and_others_propagate() -> None:
    with pytest.raises(CommandError, match=r"^no such region$"):
        call_command(_Recorder(fail_with=LookupError("no such region")), "--year", "2024")
    with pytest.raises(ZeroDivisionError):
        call_command(_Recorder(fail_with=ZeroDivisionError()), "--year", "2024")


def test_an_optional_year_left_out_gives_none() -> None:
    command = _OptionalRecorder()
    call_command(command)
    assert command.calls == [(None, command.calls[0][1])]


class _Refused(CycleCommand):
    def handle_cycle(self, cycle: Cycle, **options: Any) -> None:
        raise NotAllowed(Decision(False, "the cycle is closed"))


@pytest.mark.django_db
def test_a_policy_refusal_is_a_command_error_with_its_reason() -> None:
    with pytest.raises(CommandError, match=r"^the cycle is closed$"):
        call_command(_Refused(), "--year", "2024")
