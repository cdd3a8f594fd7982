"""The scoring package is pure: the stdlib and numpy only (the robustness analysis is vectorised), no Django,
nothing from other kotacerdas apps.

Checked on the source with `ast`, so an import inside a function or behind a condition is caught too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import kotacerdas.scoring

PACKAGE = "kotacerdas.scoring"
PACKAGE_DIR = Path(kotacerdas.scoring.__file__).resolve().parent
THIRD_PARTY = {"numpy"}  # arrays for the robustness Monte Carlo; nothing with a database or a framework


def forbidden_imports(source: str, module: str) -> list[str]:
    """The imports in `source` (the text of `module`) that leave the stdlib and the scoring package."""
    problems: list[str] = []
    package_parts = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package_parts[: len(package_parts) - node.level + 1]
            names = [".".join([*base, node.module] if node.module else base)]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            names = ["<dynamic import>"]
        else:
            continue
        problems.extend(f"line {node.lineno}: {name}" for name in names if not _allowed(name))
    return problems


def _allowed(name: str) -> bool:
    if name == PACKAGE or name.startswith(PACKAGE + "."):
        return True
    top = name.split(".")[0]
    return (top in sys.stdlib_module_names or top in THIRD_PARTY) and not name.startswith("kotacerdas")


def _is_dynamic_import(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "__import__") or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )


def _modules() -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        modules.append((".".join([PACKAGE, *parts]), path))
    return modules


def test_scoring_package_has_its_modules() -> None:
    names = {name for name, _ in _modules()}

    assert {f"{PACKAGE}.__init__", f"{PACKAGE}._engine", f"{PACKAGE}._model"} <= names


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[name for name, _ in _modules()])
def test_scoring_module_imports_only_stdlib_and_scoring(module: str, path: Path) -> None:
    assert forbidden_imports(path.read_text(encoding="utf-8"), module) == []


@pytest.mark.parametrize(
    "source",
    [
        "import django",
        "from django.db import models",
        "def f():\n    from django.conf import settings",
        "from kotacerdas.results import services",
        "import kotacerdas.conf",
        "from .. import conf",
        "from ..regions import models",
        "import pandas",
        "import scipy.stats",
        "import importlib\nimportlib.import_module('django')",
        "__import__('django')",
    ],
)
def test_purity_check_catches_forbidden_imports(source: str) -> None:
    assert forbidden_imports(source, f"{PACKAGE}._engine") != []


@pytest.mark.parametrize(
    "source",
    [
        "from decimal import Decimal",
        "import collections.abc",
        "from __future__ import annotations",
        "from ._model import RegionInput",
        "from . import _model",
        "import numpy as np",
        "from kotacerdas.scoring._rounding import round_half_up",
    ],
)
def test_purity_check_allows_stdlib_and_scoring_imports(source: str) -> None:
    assert forbidden_imports(source, f"{PACKAGE}._engine") == []
