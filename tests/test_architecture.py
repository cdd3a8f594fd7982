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


# --- where writes live (DESIGN.md, "Where decisions live") ---------------------------------------------

WRITE_METHODS = {
    "create",
    "bulk_create",
    "get_or_create",
    "update_or_create",
    "update",
    "delete",
    "bulk_update",
}


def _sources(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def _models_by_app() -> dict[str, set[str]]:
    from django.apps import apps

    owned: dict[str, set[str]] = {}
    for model in apps.get_models():
        module = model.__module__
        if module.startswith("kotacerdas."):
            owned.setdefault(module.split(".")[1], set()).add(model.__name__)
    return owned


def _orm_writes(path: Path) -> list[tuple[int, str, str]]:
    """(line, model, method) of every ``Model.objects.<write>(…)`` and ``Model.objects.filter(…).<write>``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITE_METHODS:
            continue
        target = node.func.value
        while isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute):
            target = target.func.value  # .filter(...).exclude(...) chains
        if (
            isinstance(target, ast.Attribute)
            and target.attr == "objects"
            and isinstance(target.value, ast.Name)
        ):
            found.append((node.lineno, target.value.id, node.func.attr))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("app", sorted(set(LEVEL) - {"scoring", "core"}))
def test_an_app_writes_only_its_own_tables(app: str) -> None:
    owned = _models_by_app()
    foreign = {name: owner for owner, names in owned.items() if owner != app for name in names}
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {model}.objects…{method}() (owned by {foreign[model]})"
        for path in _sources(app)
        for line, model, method in _orm_writes(path)
        if model in foreign
    ]
    assert offending == []


@pytest.mark.parametrize("app", sorted(set(LEVEL) - {"core"}))
def test_only_its_own_services_write_a_table(app: str) -> None:
    """Within an app, ORM writes live in services.py (and the modules it delegates to), not in views,
    pages, commands, forms or admin modules."""
    owned = _models_by_app() if app != "scoring" else {}
    allowed = {"services.py", "stages.py", "demo.py", "models.py", "apps.py"}
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {model}.objects…{method}()"
        for path in _sources(app)
        if path.name not in allowed and path.parent.name != "services"  # a services package
        for line, model, method in _orm_writes(path)
        if model in owned.get(app, set())
    ]
    assert offending == []


def _base_name(node: ast.expr) -> str:
    """The name a call chain starts from: ``Cycle`` in ``Cycle.objects.filter(…).update``."""
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.value if isinstance(node, ast.Attribute) else node.func
    return node.id if isinstance(node, ast.Name) else ""


def test_the_stage_is_assigned_only_by_the_transition_function() -> None:
    offending = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts or path == ROOT / "cycles" / "stages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(element, ast.Attribute) and element.attr == "stage":
                        offending.append(f"{path.relative_to(ROOT)}:{node.lineno}: … .stage = …")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"update", "bulk_update", "create", "get_or_create"}
                and any(k.arg == "stage" for k in node.keywords)
                and _base_name(node.func.value) != "Cycle"  # Cycle.stage is the stage's label ("Tahap II")
            ):
                offending.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.func.attr}(stage=…)")
    assert offending == []


@pytest.mark.django_db
@pytest.mark.parametrize("app", sorted(set(LEVEL) - {"scoring", "core"}))
def test_no_query_through_a_higher_layers_relation_names(app: str) -> None:
    """A lower layer may not reach a higher one's tables through their reverse relation names either
    (``participation.assignments``, ``filter(assignments__assessor__user=…)``)."""
    from django.apps import apps

    names: dict[str, str] = {}
    for model in apps.get_models():
        owner = model.__module__.split(".")[1] if model.__module__.startswith("kotacerdas.") else ""
        if owner != app:
            continue
        for relation in model._meta.related_objects:
            other = relation.related_model.__module__.split(".")
            if other[0] == "kotacerdas" and LEVEL.get(other[1], -1) > LEVEL[app]:
                names[relation.get_accessor_name() or ""] = other[1]
                names[relation.field.related_query_name()] = other[1]
    offending = []
    for path in _sources(app):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            used: list[str] = []
            if isinstance(node, ast.Attribute) and node.attr in names:
                used.append(node.attr)
            elif isinstance(node, ast.keyword) and node.arg:
                used.append(node.arg.split("__")[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "__" in node.value:
                used.append(node.value.split("__")[0])
            offending += [
                f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {name} ({names[name]})"
                for name in used
                if name in names
            ]
    assert offending == []


@pytest.mark.parametrize("app", sorted(LEVEL))
def test_no_app_loads_a_higher_layers_models_by_name(app: str) -> None:
    offending = []
    for path in _sources(app):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get_model"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                label = str(node.args[0].value).split(".")[0]
                if LEVEL.get(label, -1) > LEVEL[app]:
                    offending.append(f"{path.relative_to(ROOT)}:{node.lineno}: get_model({label!r}, …)")
    assert offending == []


def test_core_imports_no_app() -> None:
    offending = [
        f"{path.relative_to(ROOT)} imports kotacerdas.{imported}"
        for path in _sources("core")
        for imported in _imports(path)
        if imported != "core"
    ]
    assert offending == []
