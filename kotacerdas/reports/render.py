"""The PDF renderer: the builder's data → Typst template → PDF/A-2b bytes (unsigned; see signing.py)."""

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import qrcode
import typst

from kotacerdas.reports import typst_memory

TEMPLATE_DIR = Path(__file__).resolve().parent / "typst"
TEMPLATE = TEMPLATE_DIR / "report.typ"
PDF_STANDARD: Final = "a-2b"
# After each document, Typst's memoised results older than this many documents are released (see
# typst_memory.py). 0 (all of it): documents share too little for the cache to pay (measured on the 2024
# reports: same CPU per report, 320 MB instead of 750 MB after 16 reports).
CACHE_AGE = 0
# The C heap's free pages go back to the system (malloc_trim) once no document has been rendered for this
# long. Not after every document: the next one would take the same pages back from the kernel, page by page
# (~20 ms of CPU time per report, measured), and a batch worker's peak is reached during a document anyway.
TRIM_AFTER_S = 1.0

# A compiler keeps its fonts and its incremental-compilation caches between documents; it is not shared
# between threads.
_local = threading.local()
_trim_lock = threading.Lock()
_trim_timer: threading.Timer | None = None


class RenderError(Exception):
    pass


def _compiler() -> typst.Compiler:
    compiler = getattr(_local, "compiler", None)
    if compiler is None:
        # Only the fonts embedded in Typst: documents look the same on every machine, with no font scan.
        compiler = _local.compiler = typst.Compiler(
            input=str(TEMPLATE), root=str(TEMPLATE_DIR), ignore_system_fonts=True
        )
    return compiler


def render_pdf(
    document: dict[str, Any], *, meta: dict[str, Any], cycle: dict[str, Any], timestamp: datetime
) -> bytes:
    """Compile one document (a region report or the letter) to PDF/A-2b.

    The PDF is not tagged: tagging multiplies Typst's time by about ten (0.65 s instead of 0.07 s for a
    20-page report, measured) and PDF/A-2b does not require it; see docs/reports.md.
    """
    inputs = {
        "document": json.dumps(document, ensure_ascii=False),
        "meta": json.dumps(meta, ensure_ascii=False),
        "cycle": json.dumps(cycle, ensure_ascii=False),
    }
    try:
        pdf = _compiler().compile(
            format="pdf",
            sys_inputs=inputs,
            pdf_standards=PDF_STANDARD,
            pdf_tags=False,
            timestamp=timestamp.replace(microsecond=0),
        )
    except typst.TypstError as exc:
        raise RenderError(f"{exc.message}\n{exc.diagnostic}") from exc
    finally:
        typst_memory.evict(CACHE_AGE)
        trim_later()
    assert isinstance(pdf, bytes)
    return pdf


def trim_later() -> None:
    """Trim the C heap ``TRIM_AFTER_S`` from now, unless another document comes first (then after it)."""
    global _trim_timer
    with _trim_lock:
        if _trim_timer is not None:
            _trim_timer.cancel()
        _trim_timer = threading.Timer(TRIM_AFTER_S, typst_memory.trim)
        _trim_timer.daemon = True  # never keeps a finishing process alive
        _trim_timer.start()


def qr_svg(text: str) -> str:
    """A QR code (medium error correction, one module of quiet zone) as one SVG path: each row's runs of
    dark modules are one rectangle each. No raster image, so it prints sharp; written here rather than by
    qrcode's SVG image class, which costs ~10 ms a code (an XML tree of a square per module) where this
    costs under 1 ms. Every report has a new code, so caching would not help."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
    code.add_data(text)
    code.make(fit=True)  # the smallest version and the mask with the lowest penalty, as qrcode.make does
    matrix = code.get_matrix()  # the quiet zone included
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start},{y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{size}mm" height="{size}mm" '
        f'viewBox="0 0 {size} {size}"><path d="{"".join(runs)}" fill="#000000" stroke="none"/></svg>'
    )
