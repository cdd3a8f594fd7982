"""The renderer releases Typst's memoisation cache after each document (issue 11: a batch worker grew to
~800 MB): without it every new document adds to the process's memory for good."""

import os
import re
import sys
import time
from pathlib import Path

import pytest
import typst

from kotacerdas.reports import render, typst_memory
from kotacerdas.reports.management.commands.reports import memory_mb, peak_mb

DOCUMENT = (
    "#set page(width: 10cm, height: auto)\n#for i in range(80) [#lorem(20 + int(sys.inputs.n) + i) \\ ]\n"
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _growth(compiler: typst.Compiler, numbers: range, *, evict: bool) -> float:
    before = _rss_mb()
    for n in numbers:
        compiler.compile(format="pdf", sys_inputs={"n": str(n)})
        if evict:
            assert typst_memory.evict(0)
        typst_memory.trim()
    return _rss_mb() - before


def test_eviction_is_available_and_keeps_memory_flat_across_documents(tmp_path: Path) -> None:
    (tmp_path / "doc.typ").write_text(DOCUMENT, encoding="utf-8")
    compiler = typst.Compiler(input=str(tmp_path / "doc.typ"), root=str(tmp_path), ignore_system_fonts=True)
    _growth(compiler, range(3), evict=True)  # fonts and the compiler's own start-up
    # Each document is new to the cache: kept, five of them hold tens of megabytes; released, nothing.
    kept = _growth(compiler, range(10, 15), evict=False)
    released = _growth(compiler, range(20, 25), evict=True)
    assert kept > 15, kept
    assert released < 5, released


def test_a_document_renders_byte_for_byte_the_same_after_the_cache_is_released(tmp_path: Path) -> None:
    (tmp_path / "doc.typ").write_text(DOCUMENT, encoding="utf-8")
    compiler = typst.Compiler(input=str(tmp_path / "doc.typ"), root=str(tmp_path), ignore_system_fonts=True)

    def pdf() -> object:
        return compiler.compile(format="pdf", sys_inputs={"n": "1"}, timestamp=1_700_000_000)

    first = pdf()
    assert typst_memory.evict(render.CACHE_AGE)
    assert pdf() == first


def test_the_reports_command_reads_a_workers_peak_and_private_memory() -> None:
    peak, private = memory_mb(os.getpid()) or (0.0, 0.0)
    assert peak >= private > 10  # this test process: Django and Typst loaded, well above 10 MB
    assert memory_mb(2**22 + 1) is None  # above Linux's largest process id: no such process
    assert peak_mb(os.getpid()) == pytest.approx(peak, rel=0.05)
    assert peak_mb(2**22 + 1) is None


def test_an_ambiguous_or_missing_symbol_gives_no_address() -> None:
    library = Path(typst._typst.__file__)  # type: ignore[attr-defined]
    evict, anchor, many, missing = typst_memory._symbols(
        library,
        [
            typst_memory._EVICT,
            typst_memory._ANCHOR,
            re.compile(rb"_RNvNtCs[0-9A-Za-z_]+_6comemo[0-9A-Za-z_]+\0"),  # every comemo symbol
            b"no_such_symbol_anywhere\0",
        ],
    )
    assert evict is not None and anchor is not None
    assert many is None and missing is None


def test_the_heap_is_trimmed_once_after_the_last_of_several(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[float] = []
    monkeypatch.setattr(typst_memory, "trim", lambda: bool(calls.append(time.monotonic())) or True)
    monkeypatch.setattr(render, "TRIM_AFTER_S", 0.3)
    render.trim_later()  # a document…
    time.sleep(0.1)
    render.trim_later()  # …and the next one before the trim was due
    last = time.monotonic()
    time.sleep(0.1)
    assert calls == []
    deadline = time.monotonic() + 5
    while not calls and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.4)  # no second trim comes
    assert len(calls) == 1 and calls[0] - last >= 0.3
