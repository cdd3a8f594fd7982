"""The verification QR code printed on every report: one SVG path with the same modules as qrcode's own."""

import re

import qrcode

from kotacerdas.reports import render

URL = "https://kotacerdas.example.go.id/verifikasi/KC24-7F3K-Q9XM/"


def _cells(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """The dark modules the SVG paints, from its runs ``M{x},{y}h{n}v1h{-n}z``."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))  # type: ignore[union-attr]
    path = re.search(r'<path d="([^"]*)"', svg).group(1)  # type: ignore[union-attr]
    runs = re.findall(r"M(\d+),(\d+)h(\d+)v1h-(\d+)z", path)
    assert "".join(f"M{x},{y}h{n}v1h-{m}z" for x, y, n, m in runs) == path  # nothing else in the path
    cells = set()
    for x, y, n, m in runs:
        assert n == m and int(n) > 0
        cells |= {(int(x) + i, int(y)) for i in range(int(n))}
    return size, cells


def test_the_qr_code_paints_exactly_the_modules_qrcode_chooses() -> None:
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
    reference.add_data(URL)
    reference.make(fit=True)
    matrix = reference.get_matrix()
    expected = {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}

    size, cells = _cells(render.qr_svg(URL))

    assert size == len(matrix) == 4 * reference.version + 17 + 2  # one module of quiet zone each side
    assert cells == expected
    assert not any(x in (0, size - 1) or y in (0, size - 1) for x, y in cells)  # the quiet zone is blank


def test_different_codes_give_different_qr_codes() -> None:
    assert render.qr_svg(URL) != render.qr_svg(URL.replace("Q9XM", "Q9XN"))
