"""The `kotacerdas` command is Django's manage.py with hyphens accepted."""

import subprocess
import sys

import pytest

from kotacerdas.__main__ import _normalise


def test_hyphenated_command_names_become_django_names() -> None:
    assert _normalise(["kotacerdas", "import-question-scores", "f.csv", "--year", "2024"]) == [
        "kotacerdas",
        "import_question_scores",
        "f.csv",
        "--year",
        "2024",
    ]
    assert _normalise(["kotacerdas", "--help"]) == ["kotacerdas", "--help"]


@pytest.mark.parametrize("name", ["import-survey", "import_survey"])
def test_both_spellings_run_the_same_command(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", name, "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "response_id,region,dimension" in done.stdout
