"""Result tables as CSV or XLSX bytes, each written by one function that makes every cell safe.

CSV (:func:`csv_bytes`): a text cell that begins with ``= + - @``, a tab or a
carriage return gets a leading apostrophe ``'``, as OWASP's guidance on CSV
injection says, so a spreadsheet opening the file shows it as text instead of
running it as a formula; numbers (``int`` and ``float`` values, e.g. a grade
or ``-3.5``) stay numbers. Only text is ever changed.

XLSX (:func:`xlsx_bytes`): sheet titles follow Excel's rules through
:class:`planner.cleantext.TitleBook`, the same rules as the CRF workbook's;
every text cell is written as text — a participant id or an explanation
starting with ``= + - @`` never becomes a formula — with characters XML 1.0
cannot hold replaced by ``�`` and text past Excel's 32,767 characters cut
with ``…`` (:mod:`planner.cleantext`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from planner.cleantext import TitleBook, clip, encodable, xml_chars
from planner.participants.report import Table

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

CELL_MAX: Final = 32_767
_FORMULA_LEAD: Final = ("=", "+", "-", "@")
CSV_FORMULA_LEAD: Final = ("=", "+", "-", "@", "\t", "\r")
"""How a CSV cell that a spreadsheet would run as a formula begins (OWASP)."""


def csv_cell(value: object) -> object:
    """One CSV cell: ``None`` empty, numbers as they are, text with a ``'`` before a formula lead.

    A lone surrogate (possible in JSON input) becomes ``�``, so the file is valid UTF-8.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = encodable(str(value))
    return "'" + text if text.startswith(CSV_FORMULA_LEAD) else text


def csv_bytes(table: Table) -> bytes:
    """The table as UTF-8 CSV (with a byte-order mark, so spreadsheets read the accents); cells by :func:`csv_cell`."""
    header, rows = table
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Table]]) -> bytes:
    """A workbook with one worksheet per ``(title, table)``: bold frozen header, filter, sensible widths."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)
    titles = TitleBook()
    for n, (title, (header, rows)) in enumerate(sheets):
        ws = book.worksheets[0] if n == 0 else book.create_sheet()
        ws.title = titles.take(title)
        widths = [len(h) for h in header]
        for i, row in enumerate([header, *rows], 1):
            for j, value in enumerate(row, 1):
                cell = ws.cell(row=i, column=j)
                if isinstance(cell, Cell):  # never a merged cell: this sheet merges none
                    _put(cell, value)
                    if i == 1:
                        cell.font = bold
                widths[j - 1] = max(widths[j - 1], min(len(str(value or "")), 60))
        for j, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = max(8, w + 2)
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _put(cell: Cell, value: object) -> None:
    """Write ``value``: numbers as numbers, everything else as text that is never a formula."""
    if value is None:
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return
    text = clip(xml_chars(str(value)), CELL_MAX)
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise read a leading '=' as a formula
    if text.startswith(_FORMULA_LEAD):
        cell.quotePrefix = True
