"""Releasing Typst's memoisation cache between documents.

Typst memoises its work (parsing, evaluation, layout, font shaping) in a process-wide cache of the ``comemo``
crate, and ``typst-py`` (0.15) never evicts it: every new document adds about 40 MB, so a process that
renders a few dozen reports holds several hundred megabytes (measured: 890 MB per batch worker after ~30
reports). The Typst command line calls ``comemo::evict(max_age)`` after each compilation in watch mode;
the Python binding exposes no such call (re-checked with typst-py 0.15.2: ``Compiler`` has ``compile``,
``compile_with_warnings``, ``eval``, ``query`` and ``watch``; nothing about caches). This module finds
that function in the binding's own shared library, by its symbol, and calls it.

The function is not exported, so its address is taken from the library's ELF symbol table (``.symtab``),
relative to the exported ``PyInit__typst`` whose address the dynamic loader gives. ``evict`` takes one
``usize`` (the age, in evictions, of the entries to drop) and returns nothing; on x86-64 and AArch64 Rust
passes that argument as C does. When anything is not as expected (a stripped or other build, no ELF, an
other architecture, no function of that name, or two: two builds of comemo linked in, and which holds
Typst's cache is unknown), eviction is simply unavailable: ``evict`` returns False and documents render
as before, only with the memory growth. tests/reports/test_render_memory.py checks that the call really
releases the memory.
"""

import ctypes
import logging
import re
import struct
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import typst

logger = logging.getLogger(__name__)

_EVICT = re.compile(rb"_RNvNtCs[0-9A-Za-z_]+_6comemo7memoize5evict\0")
_ANCHOR = b"PyInit__typst\0"
_SHT_SYMTAB = 2
_STT_FUNC = 2
_MACHINES = {62, 183}  # x86-64, AArch64: where a Rust function of one usize takes it as C would
_lock = threading.Lock()


def _symbols(path: Path, wanted: list[re.Pattern[bytes] | bytes]) -> list[int | None]:
    """The values (addresses in the file's layout) of the function symbols named ``wanted``; None for a
    name not found, or for a pattern that matches more than one name (two builds of a crate linked in:
    which one holds Typst's cache is not known, so none is called)."""
    with path.open("rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1:  # 64-bit little-endian only
            return [None] * len(wanted)
        (machine,) = struct.unpack_from("<H", header, 0x12)
        if machine not in _MACHINES:
            return [None] * len(wanted)
        (shoff,) = struct.unpack_from("<Q", header, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", header, 0x3A)
        f.seek(shoff)
        sections = [
            struct.unpack("<IIQQQQIIQQ", f.read(shentsize)[:64]) for _ in range(shnum)
        ]  # name, type, flags, addr, offset, size, link, info, addralign, entsize
        symtab = next((s for s in sections if s[1] == _SHT_SYMTAB), None)
        if symtab is None:
            return [None] * len(wanted)
        strtab = sections[symtab[6]]
        f.seek(strtab[4])
        names = f.read(strtab[5])
        offsets: list[int | None] = []
        for item in wanted:
            if isinstance(item, bytes):
                at = names.find(b"\0" + item)
                offsets.append(at + 1 if at >= 0 else None)
            else:
                matches = [m for m in item.finditer(names) if names[m.start() - 1] == 0]
                offsets.append(matches[0].start() if len(matches) == 1 else None)
        f.seek(symtab[4])
        table = f.read(symtab[5])
    entries = np.frombuffer(
        table,
        dtype=np.dtype(
            [
                ("name", "<u4"),
                ("info", "u1"),
                ("other", "u1"),
                ("shndx", "<u2"),
                ("value", "<u8"),
                ("size", "<u8"),
            ]
        ),
    )
    values: list[int | None] = []
    for offset in offsets:
        functions = (
            (entries["name"] == offset) & (entries["value"] != 0) & (entries["info"] & 0xF == _STT_FUNC)
        )
        found = entries["value"][functions] if offset else []
        values.append(int(found[0]) if len(found) else None)
    return values


@lru_cache(maxsize=1)
def _evict_function() -> Callable[[int], None] | None:
    try:
        library = Path(typst._typst.__file__)  # type: ignore[attr-defined]
        evict_at, anchor_at = _symbols(library, [_EVICT, _ANCHOR])
        if evict_at is None or anchor_at is None:
            logger.info("Typst's cache eviction is not available in %s", library)
            return None
        loaded = ctypes.PyDLL(str(library))  # the module already loaded: the same mapping
        anchor = ctypes.cast(loaded.PyInit__typst, ctypes.c_void_p).value
        if anchor is None:
            return None
        function = ctypes.CFUNCTYPE(None, ctypes.c_size_t)(anchor - anchor_at + evict_at)
    except (OSError, AttributeError, ValueError, struct.error) as exc:
        logger.info("Typst's cache eviction is not available: %s", exc)
        return None
    return function


def evict(max_age: int = 0) -> bool:
    """Drop the memoised Typst results not used in the last ``max_age`` evictions; False if unavailable."""
    function = _evict_function()
    if function is None:
        return False
    with _lock:
        function(max_age)
    return True


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def trim() -> bool:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``); False if unavailable."""
    function = _malloc_trim()
    if function is None:
        return False
    function(0)
    return True
