"""Rate limits as configured in the environment (``KOTACERDAS_SURVEY_RATE_LIMIT``, e.g. ``20/h``).

Pure Python so that ``settings.py`` can read them before Django is set up.
"""

import os
import re
from dataclasses import dataclass

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


class RateError(ValueError):
    pass


@dataclass(frozen=True)
class Rate:
    """At most ``count`` requests per ``seconds``."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


@dataclass(frozen=True)
class Window:
    """A hit of ``scope`` at ``at`` (seconds since the epoch), counted in ``rate``'s fixed window that
    ends at ``expires``."""

    scope: str
    rate: Rate
    at: int

    @property
    def expires(self) -> int:
        return (self.at // self.rate.seconds + 1) * self.rate.seconds

    def wait(self, hits: int | None) -> int | None:
        """The seconds until the window ends when ``hits`` (the window's count, None: not counted) is over
        the rate, else None."""
        return self.expires - self.at if hits is not None and hits > self.rate.count else None


def parse_rate(text: str) -> Rate | None:
    """``"20/h"`` → Rate(20, 3600); ``"5/10m"`` → Rate(5, 600); ``"off"`` → None (no limit)."""
    if text.strip().lower() == "off":
        return None
    match = _PATTERN.match(text)
    if not match:
        raise RateError(
            f"{text!r}: expected N/UNIT (UNIT s, m, h or d, optionally with a multiple: 5/10m) or off"
        )
    count, multiple, unit = int(match[1]), int(match[2] or 1), match[3]
    if count < 1 or multiple < 1:
        raise RateError(f"{text!r}: the count and the period must be at least 1")
    return Rate(count, multiple * _UNITS[unit])


def env_rate(name: str, default: str) -> Rate | None:
    """The rate in environment variable ``name`` (``default`` when unset); fails loudly when malformed."""
    raw = os.environ.get(name) or default
    try:
        return parse_rate(raw)
    except RateError as exc:
        # ImproperlyConfigured would need Django; a plain error with the variable's name is as loud.
        raise RateError(f"{name}={exc}") from None
