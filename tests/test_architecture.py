"""Data flows one way (DESIGN.md): a lower layer never imports a higher one."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "kotacerdas"
LAYERS = [
    {"scoring", "core"},
    {"accounts", "audit", "regions"},
    {"cycles"},
    {"instrument"},
    {"selfassessment"},
    {"review", "survey"},
    {"results"},
    {"reports"},
    {"dashboard", "api"},
]
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n.split(".")[1] for n in names if n.startswith("kotacerdas.") and n.count(".") >= 1}


@pytest.mark.parametrize("app", sorted(LEVEL))
def test_app_imports_only_its_own_or_lower_layers(app: str) -> None:
    offending = []
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for imported in _imports(path):
            if imported in LEVEL and LEVEL[imported] > LEVEL[app]:
                offending.append(f"{path.relative_to(ROOT)} imports kotacerdas.{imported}")
    assert offending == []
