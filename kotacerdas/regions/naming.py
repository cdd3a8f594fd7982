"""Region name resolution: turn any spelling found in official documents into a registry region.

Pure Python (standard library only), so that imports, the scoring tools and scripts can use it without
Django. The contract (CONTRACT.md, "how ``R`` names a region") accepts:

- the Kemendagri code, ``51.03``;
- a name in any form that occurs in official documents: ``KAB. BADUNG``, ``Kab Badung``,
  ``Kabupaten Badung``, ``Bupati Badung``, ``KOTA BANDUNG``, ``Kota Bandung``, ``Walikota Bandung``,
  ``Wali Kota Bandung``, or the bare ``Badung`` when only one region bears it.

Case, diacritics, punctuation (``-``, ``.``, ``,``) and spacing are ignored, and so are the spaces inside a
name (``Kulonprogo`` = ``Kulon Progo``, ``Bau-Bau`` = ``Bau Bau``). A prefix restricts the kind
(kabupaten or kota); a bare name matches either kind and is ambiguous when both exist (``Bandung``).
Spellings that cannot be derived mechanically (typos and renames in official letters) are resolved only
through documented aliases (``data/regions/aliases.csv``); there is no fuzzy auto-correction: an unknown
name is an error that lists the closest candidates.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Final


def _(message: str) -> str:
    """The message in the active language when Django is configured (Indonesian by default, English in the
    catalogue); the Indonesian text itself when this module is used without Django."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except ImportError:
        pass
    return message


__all__ = [
    "AmbiguousRegionName",
    "Kind",
    "RegionName",
    "RegionNameError",
    "RegionNameIndex",
    "UnknownRegionName",
    "load_aliases",
    "load_index",
    "load_registry",
    "normalise",
]

CODE_PATTERN: Final = re.compile(r"\d{2}\.\d{2}")


class Kind(StrEnum):
    KABUPATEN = "kabupaten"
    KOTA = "kota"


# Registry name prefix -> kind. The registry (idn-area-data) names every region "Kabupaten X" or "Kota X";
# the five Jakarta cities and Kepulauan Seribu carry "Administrasi" after that prefix.
_REGISTRY_PREFIXES: Final = (("Kabupaten ", Kind.KABUPATEN), ("Kota ", Kind.KOTA))
_ADMINISTRASI: Final = "Administrasi "

# Prefixes accepted in input, as normalised token sequences (longest first where one extends another).
_INPUT_PREFIXES: Final[tuple[tuple[tuple[str, ...], Kind], ...]] = (
    (("kabupaten",), Kind.KABUPATEN),
    (("kab",), Kind.KABUPATEN),
    (("bupati",), Kind.KABUPATEN),
    (("wali", "kota"), Kind.KOTA),
    (("walikota",), Kind.KOTA),
    (("kota",), Kind.KOTA),
)
# Optional word after the prefix: "Kota Administrasi Jakarta Pusat", "Kota Adm. Jakarta Pusat".
_ADMINISTRASI_TOKENS: Final = frozenset({"administrasi", "adm"})

_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015.,]+")
_CANDIDATE_CUTOFF: Final = 0.6


def normalise(text: str) -> str:
    """Case-fold, strip diacritics, treat ``-``, ``.``, ``,`` and runs of white space as one space, trim.

    >>> normalise("  KAB. WAKATOB\u0130 ")
    'kab wakatobi'
    >>> normalise("Walikota Bau-Bau")
    'walikota bau bau'
    """
    folded = text.casefold()
    if not folded.isascii():
        # NFKD splits "é" into "e" + COMBINING ACUTE and the case-folded "İ" into "i" + COMBINING DOT ABOVE;
        # drop the marks. The dotless "ı" has no decomposition: it becomes "i" too.
        decomposed = unicodedata.normalize("NFKD", folded)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = stripped.replace("\u0131", "i").casefold()  # NFKD can yield capitals ("ℌ" -> "H")
    return _SEPARATORS.sub(" ", folded).strip()


def _compact(normalised: str) -> str:
    """The comparison key: a normalised name without its spaces."""
    return normalised.replace(" ", "")


@dataclass(frozen=True, slots=True)
class RegionName:
    """A regency or city of the registry: its Kemendagri code and registry name."""

    code: str  # "51.03"
    name: str  # "Kabupaten Badung"

    def __post_init__(self) -> None:
        if not CODE_PATTERN.fullmatch(self.code):
            raise ValueError(f"Region code {self.code!r} is not of the form NN.NN")
        if not any(self.name.startswith(prefix) for prefix, _ in _REGISTRY_PREFIXES):
            raise ValueError(f"Region name {self.name!r} starts with neither 'Kabupaten ' nor 'Kota '")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def kind(self) -> Kind:
        for prefix, kind in _REGISTRY_PREFIXES:
            if self.name.startswith(prefix):
                return kind
        raise AssertionError("unreachable: checked in __post_init__")  # pragma: no cover

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def bare(self) -> str:
        """The name without its kind: "Badung"; "Jakarta Pusat" for "Kota Administrasi Jakarta Pusat"."""
        for prefix, _ in _REGISTRY_PREFIXES:
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix).removeprefix(_ADMINISTRASI)
        raise AssertionError("unreachable: checked in __post_init__")  # pragma: no cover

    @property
    def table_name(self) -> str:
        """The national results table's form: "KAB. BADUNG", "KOTA BANDUNG"."""
        prefix = "KAB." if self.kind is Kind.KABUPATEN else "KOTA"
        return f"{prefix} {self.bare.upper()}"

    @property
    def head_title(self) -> str:
        """The addressee form of the region's head: "Bupati Badung", "Walikota Bandung"."""
        title = "Bupati" if self.kind is Kind.KABUPATEN else "Walikota"
        return f"{title} {self.bare}"


class RegionNameError(ValueError):
    """A region name that does not resolve to exactly one region; ``candidates`` are the closest regions."""

    name: str
    candidates: tuple[RegionName, ...]

    def __init__(self, name: str, candidates: Iterable[RegionName] = ()) -> None:
        self.name = name
        self.candidates = tuple(candidates)
        super().__init__(self._message())

    def _message(self) -> str:
        listed = ", ".join(str(region) for region in self.candidates)
        return _("Nama daerah %(name)s tidak berlaku. Kandidat: %(listed)s") % {
            "name": repr(self.name),
            "listed": listed or _("tidak ada"),
        }

    def __reduce__(self) -> tuple[type[RegionNameError], tuple[str, tuple[RegionName, ...]]]:
        return (type(self), (self.name, self.candidates))


class UnknownRegionName(RegionNameError):
    """No region bears this name (nor code); ``candidates`` are the closest names, possibly none."""

    def _message(self) -> str:
        if not self.candidates:
            return _("Daerah %(name)s tidak dikenal. Tidak ada nama atau kode daerah yang mirip.") % {
                "name": repr(self.name)
            }
        listed = ", ".join(str(region) for region in self.candidates)
        return _("Daerah %(name)s tidak dikenal. Yang paling mirip: %(listed)s") % {
            "name": repr(self.name),
            "listed": listed,
        }


class AmbiguousRegionName(RegionNameError):
    """Several regions bear this name (e.g. 'Bandung'); ``candidates`` are all of them."""

    def _message(self) -> str:
        listed = ", ".join(str(region) for region in self.candidates)
        return _(
            "Nama daerah %(name)s ambigu. Kandidat: %(listed)s. Sebutkan awalannya (KAB./KOTA) atau kodenya."
        ) % {"name": repr(self.name), "listed": listed}


def _readings(normalised: str) -> list[tuple[Kind | None, str]]:
    """The ways to read a normalised name: (kind from its prefix, compact key), most specific first.

    "kota bandung" reads as (KOTA, "bandung") and, as a whole, (None, "kotabandung"); the whole reading
    lets a bare name that begins like a prefix resolve ("Kota Baru" = Kabupaten Kotabaru).
    """
    tokens = normalised.split()
    readings: list[tuple[Kind | None, str]] = []
    for prefix, kind in _INPUT_PREFIXES:
        if tuple(tokens[: len(prefix)]) == prefix and len(tokens) > len(prefix):
            rest = tokens[len(prefix) :]
            if rest[0] in _ADMINISTRASI_TOKENS and len(rest) > 1:
                rest = rest[1:]
            readings.append((kind, "".join(rest)))
            break
    readings.append((None, "".join(tokens)))
    return readings


class RegionNameIndex:
    """Resolves region names and codes in O(1) per lookup (dicts on normalised keys).

    ``aliases`` maps a documented alias spelling (with or without a prefix) to a region code; an alias
    is matched after normalisation, with or without a prefix, like a registry name.
    """

    def __init__(
        self, regions: Iterable[RegionName], aliases: Mapping[str, str] = MappingProxyType({})
    ) -> None:
        self._by_code: dict[str, RegionName] = {}
        by_key: dict[str, list[RegionName]] = {}
        for region in regions:
            if region.code in self._by_code:
                raise ValueError(f"Duplicate region code {region.code} ({region.name})")
            self._by_code[region.code] = region
            key = _compact(normalise(region.bare))
            same = [other for other in by_key.get(key, []) if other.kind is region.kind]
            if same:
                raise ValueError(f"Indistinguishable region names: {same[0]} and {region}")
            by_key.setdefault(key, []).append(region)
        for alias, code in aliases.items():
            target = self._by_code.get(code)
            if target is None:
                raise ValueError(f"Alias {alias!r} names unknown region code {code!r}")
            kind, key = _readings(normalise(alias))[0]
            if not key:
                raise ValueError(f"Alias {alias!r} is empty")
            if kind is not None and kind is not target.kind:
                raise ValueError(f"Alias {alias!r} has a {kind} prefix but {target} is a {target.kind}")
            listed = by_key.setdefault(key, [])
            if target not in listed:
                listed.append(target)
        self._by_key: dict[str, tuple[RegionName, ...]] = {key: tuple(found) for key, found in by_key.items()}

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[RegionName]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def by_code(self, code: str) -> RegionName:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownRegionName(code, self.candidates(code)) from None

    def resolve(self, text: str) -> RegionName:
        """The one region ``text`` names; raises UnknownRegionName or AmbiguousRegionName."""
        stripped = text.strip()
        if CODE_PATTERN.fullmatch(stripped):
            return self.by_code(stripped)
        for kind, key in _readings(normalise(stripped)):
            found = self._by_key.get(key, ())
            if kind is not None:
                found = tuple(region for region in found if region.kind is kind)
            if len(found) == 1:
                return found[0]
            if found:
                raise AmbiguousRegionName(text, sorted(found, key=lambda region: region.code))
        raise UnknownRegionName(text, self.candidates(text))

    def candidates(self, text: str, limit: int = 5) -> tuple[RegionName, ...]:
        """Up to ``limit`` regions whose names (or codes) are closest to ``text``, best first.

        Similarity is difflib's ratio on the compact normalised forms (registry names and aliases); a
        region of the kind named by the prefix ranks before one of the other kind at equal similarity.
        """
        if limit <= 0:
            return ()
        stripped = text.strip()
        if CODE_PATTERN.fullmatch(stripped):
            return tuple(self._by_code[code] for code in self._close_codes(stripped)[:limit])
        best: dict[str, tuple[float, bool]] = {}
        for kind, key in _readings(normalise(stripped)):
            if not key:
                continue
            matcher = difflib.SequenceMatcher(b=key, autojunk=False)
            for choice, regions in self._by_key.items():
                matcher.set_seq1(choice)
                if (
                    matcher.real_quick_ratio() < _CANDIDATE_CUTOFF
                    or matcher.quick_ratio() < _CANDIDATE_CUTOFF
                ):
                    continue
                ratio = matcher.ratio()
                if ratio < _CANDIDATE_CUTOFF:
                    continue
                for region in regions:
                    score = (ratio, kind is None or region.kind is kind)
                    if region.code not in best or score > best[region.code]:
                        best[region.code] = score
        ranked = sorted(best, key=lambda code: (-best[code][0], not best[code][1], code))
        return tuple(self._by_code[code] for code in ranked[:limit])

    def _close_codes(self, code: str) -> list[str]:
        """Known codes like ``code``: most similar first, then swapped digits, then numerically nearest."""
        matcher = difflib.SequenceMatcher(b=code, autojunk=False)
        digits, number = sorted(code), int(code.replace(".", ""))
        scored: list[tuple[float, bool, int, str]] = []
        for known in self._by_code:
            matcher.set_seq1(known)
            ratio = matcher.ratio()
            if ratio >= _CANDIDATE_CUTOFF:
                distance = abs(int(known.replace(".", "")) - number)
                scored.append((-ratio, sorted(known) != digits, distance, known))
        return [known for *_, known in sorted(scored)]


def _open_csv(path: Path, required: tuple[str, ...]) -> tuple[list[dict[str, str]], list[int]]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}, line 1: missing column(s) {', '.join(missing)}")
        rows: list[dict[str, str]] = []
        lines: list[int] = []
        for row in reader:
            if not any(isinstance(value, str) and value.strip() for value in row.values()):
                continue  # a blank line
            rows.append({column: (row.get(column) or "").strip() for column in required})
            lines.append(reader.line_num)
        return rows, lines


def load_registry(data_dir: Path) -> list[RegionName]:
    """The regencies and cities of ``data_dir/regencies.csv`` (columns ``code,province_code,name``)."""
    path = data_dir / "regencies.csv"
    rows, lines = _open_csv(path, ("code", "name"))
    regions: list[RegionName] = []
    for row, line in zip(rows, lines, strict=True):
        try:
            regions.append(RegionName(code=row["code"], name=row["name"]))
        except ValueError as exc:
            raise ValueError(f"{path}, line {line}: {exc}") from None
    return regions


def load_aliases(data_dir: Path) -> dict[str, str]:
    """Documented aliases of ``data_dir/aliases.csv`` (columns ``alias,code,source``): alias -> code."""
    path = data_dir / "aliases.csv"
    rows, lines = _open_csv(path, ("alias", "code", "source"))
    aliases: dict[str, str] = {}
    seen: dict[str, tuple[int, str]] = {}
    for row, line in zip(rows, lines, strict=True):
        alias, code = row["alias"], row["code"]
        if not alias:
            raise ValueError(f"{path}, line {line}, field alias: empty")
        if not CODE_PATTERN.fullmatch(code):
            raise ValueError(f"{path}, line {line}, field code: {code!r} is not of the form NN.NN")
        if not row["source"]:
            raise ValueError(f"{path}, line {line}, field source: empty (say where the spelling occurs)")
        key = normalise(alias)
        if key in seen and seen[key][1] != code:
            raise ValueError(
                f"{path}, line {line}, field alias: {alias!r} is already given code {seen[key][1]} "
                f"on line {seen[key][0]}"
            )
        seen[key] = (line, code)
        aliases[alias] = code
    return aliases


def load_index(data_dir: Path) -> RegionNameIndex:
    """The registry and its aliases from ``data_dir`` (``data/regions``) as one index."""
    aliases = load_aliases(data_dir) if (data_dir / "aliases.csv").exists() else {}
    return RegionNameIndex(load_registry(data_dir), aliases)
