"""Reading CSV and XLSX files row by row, and the error type every import reports with (file, line, field,
value, message). Used by every app's imports."""

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from openpyxl import load_workbook

from kotacerdas.core.collector import collector_paused


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    value: str
    message: str

    def format(self, path: str) -> str:
        where = f"{path}:{self.line}" if self.line else path
        what = f" {self.field}={self.value!r}" if self.field else ""
        return f"{where}:{what} {self.message}"


class ImportRejected(Exception):
    """The file was refused as a whole; nothing was stored."""

    def __init__(self, path: Path | str, problems: list[Problem]):
        self.path = str(path)
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__(f"{self.path}: {len(problems)} problem(s); nothing was imported")

    def lines(self) -> list[str]:
        return [p.format(self.path) for p in self.problems]


class Row(NamedTuple):
    """One data row: its line in the file, its cells (stripped) and the file's columns (name: index,
    shared by every row of the file: no dictionary per row)."""

    line: int
    cells: list[str]
    columns: dict[str, int]

    def get(self, name: str) -> str:
        index = self.columns.get(name)
        return "" if index is None else self.cells[index]

    @property
    def values(self) -> dict[str, str]:
        return dict(zip(self.columns, self.cells, strict=True))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(
    path: Path, required: set[str], optional: frozenset[str] | set[str] = frozenset()
) -> list[Row]:
    """The rows of a CSV (comma, semicolon or tab separated, UTF-8) or XLSX file (first sheet).

    The header is case-insensitive. Raises ImportRejected naming missing or unknown columns.
    """
    if not path.exists():
        raise ImportRejected(path, [Problem(0, "", "", "file not found")])
    with collector_paused():
        return _read_table(path, required, optional)


def _read_table(path: Path, required: set[str], optional: frozenset[str] | set[str]) -> list[Row]:
    rows = _read_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _read_csv(path)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise ImportRejected(path, [Problem(1, "", "", "the file is empty")]) from None
    names = [h.strip().lower() for h in header]
    problems = [
        Problem(header_line, "header", column, "required column is missing")
        for column in sorted(required - set(names))
    ]
    problems += [
        Problem(
            header_line,
            "header",
            column,
            f"unknown column (expected: {', '.join(sorted(required | optional))})",
        )
        for column in names
        if column and column not in required | optional
    ]
    if len(set(names)) != len(names):
        problems.append(Problem(header_line, "header", ",".join(names), "a column appears twice"))
    if problems:
        raise ImportRejected(path, problems)
    result = []
    width = len(names)
    columns = {name: i for i, name in enumerate(names)}
    for line, cells in rows:
        stripped = [c.strip() for c in cells]
        if not any(stripped):
            continue
        if len(stripped) != width:
            if any(stripped[width:]):
                raise ImportRejected(
                    path, [Problem(line, "", "", f"{len(cells)} fields, the header has {width}")]
                )
            stripped = (stripped + [""] * width)[:width]
        result.append(Row(line, stripped, columns))
    return result


def _read_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(path, [Problem(0, "", "", f"not UTF-8 text (byte {exc.start})")]) from exc
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise ImportRejected(path, [Problem(reader.line_num, "", "", f"malformed CSV: {exc}")]) from exc


def _read_xlsx(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportRejected(path, [Problem(0, "", "", f"not a readable XLSX workbook ({exc})")]) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    finally:
        workbook.close()


def parse_decimal(text: str) -> Decimal | None:
    """A number written with a dot or an Indonesian decimal comma; None for empty or '-'.

    Raises ValueError for anything else (thousands separators, letters, both separators).
    """
    text = text.strip()
    if text in {"", "-", "–"}:
        return None
    if "," in text and "." in text:
        raise ValueError("use either a decimal comma or a decimal point, not both")
    normalised = text.replace(",", ".")
    if normalised.count(".") > 1:
        raise ValueError("not a number")
    try:
        value = Decimal(normalised)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not value.is_finite():
        raise ValueError("not a finite number")
    return value


def parse_int(text: str) -> int | None:
    if text.isascii() and text.isdigit():  # the common case, without a Decimal
        return int(text)
    value = parse_decimal(text)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise ValueError("not a whole number")
    return int(value)


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, recorded in an import's audit event."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
