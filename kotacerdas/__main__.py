"""The ``kotacerdas`` command: Django's management commands, with hyphens accepted in their names."""

import os
import sys


def _normalise(argv: list[str]) -> list[str]:
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv = [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kotacerdas.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(_normalise(list(sys.argv if argv is None else argv)))


if __name__ == "__main__":
    main()
