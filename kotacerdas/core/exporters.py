"""Tables as data, and the renderers that turn them into files (STYLE.md row 12, after pretix's exporters).

An app's builder makes a ``Table`` (columns and rows of plain values: ``str``, ``int``, ``Decimal``,
``None``…) or a ``Workbook`` of several; ``render_csv`` and ``render_xlsx`` turn it into a ``Rendered``
``(filename, content_type, content)`` that a view sends and a command prints or writes. Builders decide
*what* a cell holds; formatting that differs per file type lives on the ``Column``: ``text`` for the
text a CSV cell (and a JSON record) shows, ``width``, ``number_format`` and ``note`` for XLSX.

This module knows no app (core is the lowest layer); it needs only the standard library and openpyxl.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from openpyxl import Workbook as _OpenpyxlWorkbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooter, HeaderFooterItem, _HeaderFooterPart
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "Column",
    "PageSetup",
    "Rendered",
    "Table",
    "Workbook",
    "iter_csv",
    "plain_text",
    "records",
    "render_csv",
    "render_xlsx",
]

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The house style of every workbook header row.
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)

Row = Sequence[Any] | Mapping[str, Any]


def plain_text(value: object) -> str:
    """A cell's text when its column says nothing else: empty for ``None``, ``str()`` otherwise."""
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``key`` names it in dict rows and JSON records, ``label`` heads it for people.

    ``text`` turns a (non-``None``) value into the text of a CSV cell or JSON record, e.g. two decimals;
    without it CSV shows ``str(value)`` and JSON the value itself. ``width`` (characters),
    ``number_format`` (Excel's, e.g. ``"0.00"``) and ``note`` (a comment on the header cell) are for XLSX.
    """

    key: str
    label: str = ""
    text: Callable[[Any], str] | None = None
    width: float | None = None
    number_format: str | None = None
    note: str = ""

    @property
    def heading(self) -> str:
        return self.label or self.key


@dataclass(frozen=True, slots=True)
class PageSetup:
    """How an XLSX sheet prints, written with the sheet in the one pass: A4, ``orientation``, one page
    wide (``fit_to_width``; as many pages tall as the rows need), the header row on every page
    (``repeat_header``), grid lines, margins in inches, and the page header and footer texts (Excel's
    codes: ``&A`` the sheet's name, ``&P`` the page, ``&N`` the pages)."""

    orientation: Literal["portrait", "landscape"] = "portrait"
    fit_to_width: bool = False
    repeat_header: bool = False
    grid_lines: bool = False
    margins: tuple[float, float, float, float] | None = None  # left, right, top, bottom
    header_left: str = ""
    header_right: str = ""
    footer_right: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A table to export. ``name`` is the file name without extension, ``title`` the sheet's name in a
    workbook (at most 31 characters). ``rows`` hold one value per column, in column order (sequences) or
    by key (mappings; a missing key is ``None``); any iterable will do, so a generator streams a large
    export, which can then be rendered once.

    ``header`` says what the header row shows: the columns' labels, or their keys where the keys are a
    published file format (the results table's ``region_code,region,…``). ``frozen`` is the XLSX cell
    below and right of the frozen panes; ``header_height`` the XLSX header row's height in points;
    ``page_setup`` how the XLSX sheet prints (else the workbook's, else Excel's defaults).
    """

    name: str
    columns: Sequence[Column]
    rows: Iterable[Row]
    title: str = ""
    header: Literal["label", "key"] = "label"
    frozen: str = "A2"
    header_height: float | None = None
    page_setup: PageSetup | None = None

    def __post_init__(self) -> None:
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.name!r}: column keys repeat: {keys}")

    def headings(self) -> list[str]:
        return [c.key if self.header == "key" else c.heading for c in self.columns]

    def values(self) -> Iterator[tuple[Any, ...]]:
        """Each row as a tuple in column order."""
        keys = [c.key for c in self.columns]
        for row in self.rows:
            if isinstance(row, Mapping):
                yield tuple(row.get(key) for key in keys)
            elif len(row) != len(keys):
                raise ValueError(f"table {self.name!r}: a row has {len(row)} values for {len(keys)} columns")
            else:
                yield tuple(row)


@dataclass(frozen=True, slots=True)
class Workbook:
    """Several tables as one XLSX file: ``title`` and ``creator`` are the document's properties
    (``creator=None`` leaves openpyxl's own); ``page_setup`` how every sheet prints (a table's own
    ``page_setup`` wins)."""

    name: str
    title: str
    sheets: list[Table] = field(default_factory=list)
    creator: str | None = None
    page_setup: PageSetup | None = None


class Rendered(NamedTuple):
    """A rendered file: what a download response or a command needs."""

    filename: str
    content_type: str
    content: bytes


def _texts(table: Table) -> Iterator[list[str]]:
    formatters = [c.text or plain_text for c in table.columns]
    for values in table.values():
        yield [plain_text(v) if v is None else f(v) for f, v in zip(formatters, values, strict=True)]


def iter_csv(
    table: Table, *, delimiter: str = ",", lineterminator: str = "\n", chunk_rows: int = 5000
) -> Iterator[str]:
    """The table as CSV text in chunks of ``chunk_rows`` rows, header first: for streaming large exports."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow(table.headings())
    for n, row in enumerate(_texts(table), start=1):
        writer.writerow(row)
        if n % chunk_rows == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if rest := buffer.getvalue():
        yield rest


def render_csv(table: Table, *, delimiter: str = ",", lineterminator: str = "\n") -> Rendered:
    """The table as one UTF-8 CSV file (no byte-order mark)."""
    text = "".join(iter_csv(table, delimiter=delimiter, lineterminator=lineterminator))
    return Rendered(f"{table.name}.csv", CSV_CONTENT_TYPE, text.encode("utf-8"))


def records(table: Table) -> Iterator[dict[str, Any]]:
    """The rows as JSON-ready dicts by column key: a column's ``text`` applies, ``None`` stays ``None``."""
    columns = table.columns
    for values in table.values():
        yield {
            c.key: v if v is None or c.text is None else c.text(v)
            for c, v in zip(columns, values, strict=True)
        }


def render_xlsx(data: Workbook | Table) -> Rendered:
    """A workbook with one sheet per table: styled header row, typed cells (a ``Decimal`` becomes a
    float, which is what a spreadsheet computes with), the columns' widths, number formats and header
    notes, frozen panes and filters, and the print settings (``PageSetup``)."""
    book = data if isinstance(data, Workbook) else Workbook(name=data.name, title=data.title, sheets=[data])
    workbook = _OpenpyxlWorkbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for sheet in book.sheets:
        ws = workbook.create_sheet(sheet.title or None)
        _write_sheet(ws, sheet, author=book.creator or "")
        setup = sheet.page_setup or book.page_setup
        if setup is not None:
            _set_up_printing(ws, setup)
    workbook.properties.title = book.title
    if book.creator is not None:
        workbook.properties.creator = book.creator
    out = io.BytesIO()
    workbook.save(out)
    return Rendered(f"{book.name}.xlsx", XLSX_CONTENT_TYPE, out.getvalue())


def _write_sheet(ws: Worksheet, table: Table, *, author: str) -> None:
    ws.append(table.headings())
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGNMENT
    for index, column in enumerate(table.columns, start=1):
        if column.note:
            ws.cell(row=1, column=index).comment = Comment(column.note, author, width=320, height=120)
    for values in table.values():
        ws.append([float(v) if isinstance(v, Decimal) else v for v in values])
    for index, column in enumerate(table.columns, start=1):
        if column.number_format:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = column.number_format
    for index, column in enumerate(table.columns, start=1):
        if column.width is not None:
            ws.column_dimensions[get_column_letter(index)].width = column.width
    if table.header_height is not None:
        ws.row_dimensions[1].height = table.header_height
    ws.freeze_panes = table.frozen
    ws.auto_filter.ref = ws.dimensions


def _set_up_printing(ws: Worksheet, setup: PageSetup) -> None:
    ws.page_setup.orientation = setup.orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if setup.fit_to_width:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    if setup.repeat_header:
        ws.print_title_rows = "1:1"
    ws.print_options.gridLines = setup.grid_lines
    if setup.margins is not None:
        left, right, top, bottom = setup.margins
        ws.page_margins.left, ws.page_margins.right = left, right
        ws.page_margins.top, ws.page_margins.bottom = top, bottom
    if setup.header_left or setup.header_right or setup.footer_right:
        ws.HeaderFooter = HeaderFooter(
            oddHeader=HeaderFooterItem(left=_part(setup.header_left), right=_part(setup.header_right)),
            oddFooter=HeaderFooterItem(right=_part(setup.footer_right)),
        )


def _part(text: str) -> _HeaderFooterPart | None:
    return _HeaderFooterPart(text=text) if text else None
