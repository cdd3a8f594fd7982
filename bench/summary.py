"""One table of every benchmark's figures (the last step of `make bench`).

    .venv/bin/python bench/summary.py               # reads var/bench/*.json
    .venv/bin/python bench/summary.py --strict      # exit 1 when a target is missed or a file is unreadable

Each benchmark writes its figures to ``var/bench/<name>.json`` (issue 11)::

    {"rows": [{"measure": "...", "project": 0.41, "floor": 0.30, "unit": "s", "ratio": 1.37,
               "target": "≤ 1.5× floor", "met": true}, ...],
     "load": [6.1, 5.8, 5.2]}

``project`` and ``floor`` are medians in ``unit`` (``floor`` and ``ratio`` may be null where a measure has
no floor); a row may carry its own ``load`` (the load average when it was measured), else the file's is
shown. A row with ``skipped`` instead of figures says why it was not measured. The table lists the rows of
every file, file by file in name order, with the file's age.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
HEADER = ("benchmark", "measure", "project", "floor", "ratio", "target", "met", "load")


def write_figures(name: str, rows: list[dict[str, Any]]) -> Path:
    """Write a benchmark's rows to ``var/bench/<name>.json`` with the load average now; for the benches
    (``from summary import write_figures``: a script's own directory is on its import path)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"{name}.json"
    path.write_text(json.dumps({"rows": rows, "load": list(os.getloadavg())}, indent=1), encoding="utf-8")
    return path


def _number(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if not isinstance(value, int | float):
        return str(value)
    if unit == "s":
        return f"{value * 1000:,.1f} ms" if value < 1 else f"{value:,.3f} s"
    return f"{value:,.1f} {unit}".rstrip()


def _load(value: Any) -> str:
    if not isinstance(value, list) or not value:
        return "-"
    return " ".join(f"{x:.1f}" for x in value[:3])


def rows_of(path: Path) -> tuple[list[tuple[str, ...]], list[str]]:
    """The table lines of one file and the problems found in it (a missed target, a bad row)."""
    name = path.stem
    problems: list[str] = []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = data["rows"]
        if not isinstance(rows, list):
            raise TypeError("'rows' is not a list")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [(name, f"unreadable: {exc}", "", "", "", "", "", "")], [f"{path.name}: unreadable ({exc})"]
    load = data.get("load")
    lines = []
    for row in rows:
        measure = str(row.get("measure", "?"))
        if "skipped" in row:
            lines.append((name, measure, f"skipped: {row['skipped']}", "", "", "", "", ""))
            continue
        unit = str(row.get("unit", ""))
        ratio = row.get("ratio")
        met = row.get("met")
        if met is False:
            problems.append(f"{name}: {measure}: target {row.get('target', '?')} missed")
        lines.append(
            (
                name,
                measure,
                _number(row.get("project"), unit),
                _number(row.get("floor"), unit),
                "-" if ratio is None else f"{ratio:.2f}×",
                str(row.get("target") or "-"),
                {True: "yes", False: "NO"}.get(met, "-"),
                _load(row.get("load", load)),
            )
        )
    return lines, problems


def table(lines: list[tuple[str, ...]]) -> str:
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(HEADER)]
    right = {2, 3, 4}

    def fmt(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([fmt(HEADER), "  ".join("-" * w for w in widths), *(fmt(line) for line in lines)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, default=BENCH_DIR, help="where the JSON files are")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    files = sorted(args.dir.glob("*.json"))
    if not files:
        print(f"No benchmark figures in {args.dir} (run the benchmarks first: make bench).")
        return 1
    lines: list[tuple[str, ...]] = []
    problems: list[str] = []
    ages = []
    for path in files:
        file_lines, file_problems = rows_of(path)
        lines += file_lines
        problems += file_problems
        ages.append(f"{path.stem} {(time.time() - path.stat().st_mtime) / 60:.0f} min ago")
    print("Benchmarks: medians; ratio = project / floor; load = load average (1, 5, 15 min) when measured")
    print(table(lines))
    print("measured: " + ", ".join(ages))
    if problems:
        print(f"{len(problems)} target(s) missed or unreadable:")
        for problem in problems:
            print(f"  {problem}")
    else:
        print("every target met")
    return 1 if problems and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
