"""Readers for the golden data (instrument weights, the national table, Badung's question scores).

Plain csv + yaml on purpose: the scoring tests need no Django, no database and nothing from other apps.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
INSTRUMENT = DATA_DIR / "instrument" / "2024.yaml"
NATIONAL_RESULTS = DATA_DIR / "demo" / "2024" / "national_results.csv"
BADUNG_QUESTION_SCORES = DATA_DIR / "demo" / "2024" / "badung_question_scores.csv"

DIMENSION_COLUMNS = ("baseline", "output", "outcome", "impact", "quick_wins", "collaboration")


def parse_number(text: str) -> Decimal | None:
    """A number as printed in the national table: decimal comma (`3,56`), `-` or empty for absent."""
    text = text.strip()
    if text in ("", "-"):
        return None
    return Decimal(text.replace(",", "."))


@cache
def _instrument() -> dict[str, Any]:
    with INSTRUMENT.open(encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


def track_weights() -> dict[str, dict[str, Decimal]]:
    """Track code → {dimension code → weight}, in the instrument's order."""
    return {
        track["code"]: {code: Decimal(str(weight)) for code, weight in track["weights"].items()}
        for track in _instrument()["tracks"]
    }


def question_dimensions() -> dict[int, str]:
    """Question number → the code of the dimension it belongs to."""
    return {
        int(question["number"]): dimension["code"]
        for dimension in _instrument()["dimensions"]
        for indicator in dimension.get("indicators") or ()
        for question in indicator["questions"]
    }


@cache
def national_rows() -> tuple[dict[str, str], ...]:
    with NATIONAL_RESULTS.open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def badung_question_scores() -> dict[int, Decimal]:
    """Badung's 115 agreed question scores (dot decimals), by question number."""
    with BADUNG_QUESTION_SCORES.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {row["region"] for row in rows} == {"KAB. BADUNG"}, BADUNG_QUESTION_SCORES
    return {int(row["question"]): Decimal(row["score"]) for row in rows}


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    # These tests also run with `-p no:django`; pyproject.toml's DJANGO_SETTINGS_MODULE would then be an
    # unknown ini key, and the resulting config warning is an error under `filterwarnings = error`.
    if not pluginmanager.has_plugin("django"):
        parser.addini("DJANGO_SETTINGS_MODULE", "Read by pytest-django; unused without it.")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # One case per row of the national table, named after the region, so a failure names its region.
    if "national_row" in metafunc.fixturenames:
        rows = national_rows()
        metafunc.parametrize("national_row", rows, ids=[row["region"] for row in rows])
