"""Every URL of the project is in a permission table (route × role × method → status).

The tables live with their apps (``tests/<app>/test_permissions.py``, in the shape of tests/permissions.py).
This walks the whole URLconf, every include and namespace, and names any URL that no table lists; a new
route fails here until someone decides, row by row, who may use it."""

from collections.abc import Iterator
from typing import Any

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from tests.accounts import test_permissions as accounts
from tests.api import test_permissions as api
from tests.dashboard import test_permissions as dashboard
from tests.ops import test_permissions as ops
from tests.permissions import covered_names, fill, row_values
from tests.reports import test_permissions as reports
from tests.review import test_permissions as review
from tests.survey import test_permissions as survey

MODULES = {
    "accounts": accounts,
    "api": api,
    "dashboard": dashboard,
    "ops": ops,
    "reports": reports,
    "review": review,  # with the self-assessment and management pages
    "survey": survey,
}
TABLES: dict[str, list[Any]] = {app: module.TABLE for app, module in MODULES.items()}

# What is left out, and why. Nothing else is.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin site, under /admin/: its own permission system keeps it to admins "
    "(tests/review/test_permissions.py::test_the_admin_site_is_for_admins_only).",
}
EXCLUDED_VIEWS = {
    "django.views.static.serve": "media or static files, routed only for development with DEBUG: static "
    "files are served by WhiteNoise's middleware outside the URLconf, and evidence and reports only "
    "through their own permission-checked views.",
    "django.contrib.staticfiles.views.serve": "static files in development (as above).",
}


def _patterns(
    resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, URLPattern]]:
    """(name with its namespaces, route, pattern) for every URL below ``resolver``."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif entry.lookup_str not in EXCLUDED_VIEWS:
            name = ":".join((*namespaces, entry.name)) if entry.name else ""
            yield name, prefix + str(entry.pattern), entry


def _covered() -> set[str]:
    return set().union(*(covered_names(table) for table in TABLES.values()))


def test_every_url_is_in_a_permission_table() -> None:
    covered = _covered()
    missing = sorted(
        f"{name or '(unnamed)'} /{route}"
        for name, route, _p in _patterns(get_resolver())
        if name not in covered
    )
    listing = "\n".join(missing)
    assert not missing, f"in no permission table (add them to tests/<app>/test_permissions.py):\n{listing}"


def test_the_walk_reaches_every_app() -> None:
    # A walk that silently stopped at an include would make the check above vacuous.
    names = {name for name, _r, _p in _patterns(get_resolver())}
    one_per_include = {
        "dashboard:region_result",
        "accounts:accept_invitation",
        "login",
        "set_language",
        "selfassessment:evidence",
        "review:respond",
        "manage:invite",
        "api-v1:region_result",
        "api-v1:openapi-json",
        "survey:qr",
        "survey_public:respond",
        "reports:workbook",
        "ops:health",
    }
    assert one_per_include - names == set()
    assert not any(name.startswith("admin:") for name in names)


def test_every_row_is_a_url_of_the_name_it_gives() -> None:
    """A row must exercise the route it claims to cover (and a renamed route must not linger in a table)."""
    wrong = []
    for app, table in TABLES.items():
        # A placeholder is one path segment, "1" will do, unless the table gives an example.
        examples = _Examples(getattr(MODULES[app], "EXAMPLE_IDS", {}))
        for row in table:
            name, method, url, _body, _expected = row_values(row)
            path = fill(url, examples).split("?")[0]
            try:
                got = resolve(path).view_name
            except Resolver404:
                got = "no URL"
            if got != name:
                wrong.append(f"{app}: {method} {url} is {got}, not {name}")
    assert not wrong, "\n".join(wrong)


def test_the_exclusions_exist() -> None:
    assert set(EXCLUDED_NAMESPACES) <= set(get_resolver().namespace_dict)


class _Examples(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "1"
