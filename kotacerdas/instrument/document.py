"""Reading and validating an instrument file (``data/instrument/*.yaml``, ``import-instrument``).

- :func:`read_instrument_file` parses a file with the line of every value (``yaml.compose``'s node marks);
- :func:`validate_instrument` lists every problem as a :class:`~kotacerdas.core.tables.Problem` (line, the
  value's YAML path as the field, the value, a message), the shape every import reports in.

What a valid document means (its canonical content, the content hash) and writing an instrument back in
this format are ``content.py``'s.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from kotacerdas.core.tables import ImportRejected, Problem
from kotacerdas.cycles.models import Track
from kotacerdas.instrument.models import DimensionKind

type YamlPath = tuple[str | int, ...]  # mapping keys as text, list positions as int

TOP_KEYS = ("year", "version", "scale", "tracks", "smart_dimensions", "dimensions")
TRACK_KEYS = ("code", "weights")
DIMENSION_KEYS = ("code", "name", "name_id", "kind", "description", "elements", "indicators")
ELEMENT_KEYS = ("name", "description")
INDICATOR_KEYS = ("name", "smart_dimension", "questions")
QUESTION_KEYS = ("number", "sub_dimension", "sub_indicator", "text", "levels", "previous")
# The stored columns' limits, so that a valid file always fits the database.
MAX_LENGTH = {"version": 30, "code": 30, "dimension name": 100, "name_id": 200, "indicator name": 200}
MAX_TEXT = 300  # sub_indicator, sub_dimension
MAX_NUMBER = 32767  # PositiveSmallIntegerField
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_MISSING = object()


class InstrumentError(ImportRejected):
    """The instrument file, or the change it asks for, was refused as a whole; nothing was stored."""

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True)
class InstrumentFile:
    """A parsed instrument file: its document, where each value is, and the SHA-256 of its bytes."""

    path: Path
    document: dict[str, Any]
    lines: dict[YamlPath, int]
    sha256: str


@dataclass(frozen=True)
class Counterparts:
    """The questions a ``previous: N`` may name: those of the cycle's previous cycle's instrument."""

    year: int | None  # None: the cycle has no previous cycle with an instrument
    numbers: frozenset[int] = frozenset()


# --- reading ------------------------------------------------------------------------------------------


def read_instrument_file(path: Path) -> InstrumentFile:
    """Parse ``path`` (UTF-8 YAML, one document, a mapping at the top). Raises :class:`InstrumentError`
    for a missing file, bad bytes, bad YAML (with its line) and keys given twice."""
    if not path.exists():
        raise InstrumentError(path, [Problem(0, "", "", "file not found")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InstrumentError(path, [Problem(0, "", "", f"not UTF-8 text (byte {exc.start})")]) from exc
    builder = _Builder()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if not isinstance(root, yaml.MappingNode):
            line = root.start_mark.line + 1 if root is not None else 1
            problem = Problem(line, "", "", "expected a mapping (year, version, …) at the top")
            raise InstrumentError(path, [problem])
        document = builder.value(root, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise InstrumentError(path, [Problem(line, "", "", f"not valid YAML: {message}")]) from exc
    except yaml.YAMLError as exc:
        raise InstrumentError(path, [Problem(0, "", "", f"not valid YAML: {exc}")]) from exc
    if builder.problems:
        raise InstrumentError(path, builder.problems)
    assert isinstance(document, dict)
    return InstrumentFile(path, document, builder.lines, hashlib.sha256(raw).hexdigest())


class _Builder:
    """Python values from YAML nodes, noting the line of every key and item; keys given twice are problems
    (PyYAML would silently keep the last), and so is an alias to a collection that contains it."""

    def __init__(self) -> None:
        self.lines: dict[YamlPath, int] = {}
        self.problems: list[Problem] = []
        self._scalars = yaml.SafeLoader("")
        self._open: set[int] = set()  # the collections being built

    def value(self, node: yaml.Node, path: YamlPath) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self._scalars.construct_object(node)
        if id(node) in self._open:
            self.problems.append(Problem(node.start_mark.line + 1, field_name(path), "", "refers to itself"))
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._mapping(node, path)
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = self._scalars.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if isinstance(key, bool) or not isinstance(key, str | int):
                self.problems.append(Problem(line, field_name(path), "", "a key must be a name or a number"))
                continue
            if key in mapping:
                self.problems.append(
                    Problem(line, field_name((*path, str(key))), "", "is given twice (keep one)")
                )
                continue
            self.lines[(*path, str(key))] = line
            mapping[key] = self.value(value_node, (*path, str(key)))
        return mapping


def field_name(path: YamlPath) -> str:
    """``dimensions[1].indicators[0].questions[2].previous``: a value's place as a YAML path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


# --- validating ---------------------------------------------------------------------------------------


@dataclass
class _Checker:
    lines: dict[YamlPath, int]
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: YamlPath) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 0)

    def add(self, path: YamlPath, value: object, message: str) -> None:
        self.problems.append(Problem(self.line(path), field_name(path), _shown(value), message))

    def mapping(self, value: object, path: YamlPath, keys: Iterable[str], what: str) -> dict[Any, Any]:
        """``value`` as a mapping whose unknown keys are problems; {} (after a problem) if it is none."""
        if not isinstance(value, dict):
            self.add(path, value, f"expected a mapping ({what})")
            return {}
        allowed = tuple(keys)
        for key in value:
            if key not in allowed:
                self.add((*path, str(key)), "", f"unknown field (expected: {', '.join(allowed)})")
        return value

    def items(self, value: object, path: YamlPath, what: str, *, required: bool = True) -> list[Any]:
        if value is _MISSING or value is None:
            if required:
                self.add(path, "", f"missing: expected a list of {what}")
            return []
        if not isinstance(value, list):
            self.add(path, value, f"expected a list of {what}")
            return []
        return value

    def text(
        self, mapping: dict[Any, Any], key: str, path: YamlPath, *, required: bool, max_length: int | None
    ) -> str:
        value = mapping.get(key, _MISSING)
        where = (*path, key)
        if value is _MISSING or value is None or value == "":
            if required:
                self.add(where, "" if value is _MISSING else value, "is required")
            return ""
        if not isinstance(value, str):
            self.add(where, value, "expected text (put it in quotes)")
            return ""
        if required and not value.strip():
            self.add(where, value, "is required")
        if max_length is not None and len(value) > max_length:
            self.add(where, value[:40] + "…", f"is {len(value)} characters long; at most {max_length}")
        return value


def _shown(value: object) -> str:
    if value is _MISSING:
        return ""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    return str(value)


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool | float):
        # Floats are refused: weights must be exact ("0.10" as a string).
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def validate_instrument(
    document: dict[str, Any],
    *,
    lines: dict[YamlPath, int] | None = None,
    year: int | None = None,
    counterparts: Counterparts | None = None,
) -> list[Problem]:
    """Every problem of an instrument document; empty when it is valid.

    ``lines`` (from :func:`read_instrument_file`) puts each problem on its line. With ``year``, the file's
    year must be that cycle's. With ``counterparts``, each ``previous: N`` must be a question number of the
    previous cycle's instrument, used by one question at most; without, ``previous`` is only type-checked.
    """
    check = _Checker(lines or {})
    check.mapping(document, (), TOP_KEYS, "the instrument")
    if year is not None and document.get("year", _MISSING) != year:
        check.add(("year",), document.get("year", _MISSING), f"is not the cycle's year {year}")
    version = document.get("version")
    if version is not None and (not isinstance(version, str | int) or isinstance(version, bool)):
        check.add(("version",), version, 'expected a version such as "2025.1"')
    elif version is not None and len(str(version)) > MAX_LENGTH["version"]:
        check.add(("version",), version, f"is longer than {MAX_LENGTH['version']} characters")

    scale = _check_scale(check, document.get("scale", _MISSING))
    dimensions = check.items(document.get("dimensions", _MISSING), ("dimensions",), "dimensions")
    if "dimensions" in document and not dimensions and isinstance(document["dimensions"], list):
        check.add(("dimensions",), "[]", "expected at least one dimension")
    codes: dict[str, str] = {}  # code → kind
    for i, raw in enumerate(dimensions):
        path: YamlPath = ("dimensions", i)
        dim = check.mapping(raw, path, DIMENSION_KEYS, "a dimension")
        if not dim:
            continue
        code = check.text(dim, "code", path, required=True, max_length=MAX_LENGTH["code"])
        if code and not SLUG.match(code):
            check.add((*path, "code"), code, "use only letters, digits, - and _ (it appears in addresses)")
        if code in codes:
            check.add((*path, "code"), code, "is the code of another dimension too")
        kind = dim.get("kind", _MISSING)
        if kind not in DimensionKind.values:
            check.add((*path, "kind"), kind, f"is not one of {', '.join(DimensionKind.values)}")
        if code:
            codes[code] = str(kind)
        check.text(dim, "name", path, required=False, max_length=MAX_LENGTH["dimension name"])
        check.text(dim, "name_id", path, required=False, max_length=MAX_LENGTH["name_id"])
        check.text(dim, "description", path, required=False, max_length=None)
        for e, element in enumerate(
            check.items(dim.get("elements"), (*path, "elements"), "elements", required=False)
        ):
            epath: YamlPath = (*path, "elements", e)
            element = check.mapping(element, epath, ELEMENT_KEYS, "an element: name and description")
            if element:
                check.text(element, "name", epath, required=True, max_length=None)
                check.text(element, "description", epath, required=False, max_length=None)
    _check_tracks(check, document.get("tracks", _MISSING), codes, dimensions)
    _check_questions(check, dimensions, scale, counterparts)
    return check.problems


def _check_scale(check: _Checker, scale: object) -> range | None:
    path: YamlPath = ("scale",)
    if scale is _MISSING:
        check.add(path, "", "missing: expected {min: 1, max: 4}")
        return None
    mapping = check.mapping(scale, path, ("min", "max"), "{min: 1, max: 4}")
    low, high = _int(mapping.get("min")), _int(mapping.get("max"))
    if mapping and (low is None or high is None or not 0 <= low < high <= 100):
        check.add(path, f"{mapping.get('min')}..{mapping.get('max')}", "expected integers 0 ≤ min < max")
        return None
    return range(low, high + 1) if low is not None and high is not None else None


def _check_tracks(check: _Checker, tracks: object, codes: dict[str, str], dimensions: list[Any]) -> None:
    weighted: set[str] = set()
    seen: set[str] = set()
    for i, raw in enumerate(check.items(tracks, ("tracks",), "tracks with weights")):
        path: YamlPath = ("tracks", i)
        track = check.mapping(raw, path, TRACK_KEYS, "a track: code and weights")
        if not track:
            continue
        code = track.get("code", _MISSING)
        if code not in Track.values:
            check.add((*path, "code"), code, f"is not one of {', '.join(Track.values)}")
            continue
        if code in seen:
            check.add((*path, "code"), code, "appears twice")
        seen.add(code)
        weights = track.get("weights", _MISSING)
        if not isinstance(weights, dict):
            check.add((*path, "weights"), weights, "expected a mapping of dimension code to weight")
            continue
        total = Decimal(0)
        for dcode, raw_weight in weights.items():
            where: YamlPath = (*path, "weights", str(dcode))
            weight = _decimal(raw_weight)
            if dcode not in codes:
                check.add(where, raw_weight, f"weight for unknown dimension {dcode!r}")
            elif weight is None or not 0 < weight <= 1:
                check.add(where, raw_weight, 'is not a weight: write a decimal string such as "0.10"')
            elif -weight.as_tuple().exponent > 4:  # type: ignore[operator]
                check.add(where, raw_weight, "has more than 4 decimals")
            else:
                total += weight
                weighted.add(str(dcode))
        if weights and total != 1:
            check.add((*path, "weights"), str(total), f"track {code}: weights sum to {total}, not exactly 1")
    if isinstance(tracks, list) and not seen:
        check.add(("tracks",), "[]", "expected at least one track with weights")
    for i, raw in enumerate(dimensions):
        code = raw.get("code") if isinstance(raw, dict) else None
        if isinstance(code, str) and code in codes and code not in weighted:
            check.add(("dimensions", i, "code"), code, "has no weight in any track")


def _check_questions(
    check: _Checker, dimensions: list[Any], scale: range | None, counterparts: Counterparts | None
) -> None:
    numbers: dict[int, YamlPath] = {}
    linked: dict[int, int] = {}  # previous number → the number of the question that names it
    for i, dim in enumerate(dimensions):
        if not isinstance(dim, dict):
            continue
        dpath: YamlPath = ("dimensions", i)
        indicators = check.items(dim.get("indicators"), (*dpath, "indicators"), "indicators", required=False)
        for j, raw in enumerate(indicators):
            ipath: YamlPath = (*dpath, "indicators", j)
            indicator = check.mapping(raw, ipath, INDICATOR_KEYS, "an indicator")
            if not indicator:
                continue
            check.text(indicator, "name", ipath, required=True, max_length=MAX_LENGTH["indicator name"])
            smart = check.text(
                indicator, "smart_dimension", ipath, required=False, max_length=MAX_LENGTH["code"]
            )
            if dim.get("kind") == DimensionKind.SURVEY and not smart:
                check.add((*ipath, "smart_dimension"), "", "is required in a survey dimension")
            questions = check.items(
                indicator.get("questions"), (*ipath, "questions"), "questions", required=False
            )
            for k, raw_question in enumerate(questions):
                qpath: YamlPath = (*ipath, "questions", k)
                question = check.mapping(raw_question, qpath, QUESTION_KEYS, "a question")
                if question:
                    _check_question(check, question, qpath, scale, counterparts, numbers, linked)


def _check_question(
    check: _Checker,
    question: dict[Any, Any],
    path: YamlPath,
    scale: range | None,
    counterparts: Counterparts | None,
    numbers: dict[int, YamlPath],
    linked: dict[int, int],
) -> None:
    raw_number = question.get("number", _MISSING)
    number = _int(raw_number)
    if number is None or not 1 <= number <= MAX_NUMBER:
        check.add((*path, "number"), raw_number, f"expected a question number from 1 to {MAX_NUMBER}")
    elif number in numbers:
        check.add((*path, "number"), number, f"is also the number of {field_name(numbers[number])}")
    else:
        numbers[number] = path
    check.text(question, "text", path, required=True, max_length=None)
    check.text(question, "sub_indicator", path, required=False, max_length=MAX_TEXT)
    check.text(question, "sub_dimension", path, required=False, max_length=MAX_TEXT)

    levels = question.get("levels")
    lpath: YamlPath = (*path, "levels")
    if levels is not None and not isinstance(levels, dict):
        check.add(lpath, levels, 'expected a mapping of level to description: {1: "…", 2: "…", …}')
    elif levels:
        for key, described in levels.items():
            level = _int(key)
            if level is None:
                check.add((*lpath, str(key)), key, 'a level is a number of the scale (write 1:, not "1":)')
            elif scale is not None and level not in scale:
                check.add((*lpath, str(key)), level, f"is not a level of the scale {scale[0]}–{scale[-1]}")
            elif not isinstance(described, str) or not described.strip():
                check.add((*lpath, str(key)), described, "expected the level's description (text)")
        missing = [level for level in scale or () if level not in levels]
        if missing and scale is not None:
            check.add(
                lpath,
                ", ".join(map(str, missing)),
                f"are missing: describe every level of the scale ({scale[0]}–{scale[-1]}), or none",
            )

    raw_previous = question.get("previous")
    if raw_previous is None:
        return
    previous = _int(raw_previous)
    where: YamlPath = (*path, "previous")
    if previous is None:
        check.add(where, raw_previous, "expected the counterpart's question number, or null")
    elif counterparts is None:
        return
    elif counterparts.year is None:
        check.add(where, previous, "the cycle has no previous cycle with an instrument: write null")
    elif previous not in counterparts.numbers:
        check.add(where, previous, f"is not a question of the {counterparts.year} instrument")
    elif previous in linked:
        check.add(where, previous, f"is already the counterpart of question {linked[previous]}")
    elif number is not None:
        linked[previous] = number
