"""Result tables as CSV or XLSX bytes.

XLSX hygiene: sheet titles are cleaned to Excel's 31 characters without
``\\ * ? : / [ ]``; every text cell is written as text — a participant id or
an explanation starting with ``= + - @`` never becomes a formula — and
characters Excel cannot store are removed.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from planner.participants.report import Table

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

TITLE_MAX = 31
CELL_MAX = 32767
_FORMULA_LEAD = ("=", "+", "-", "@")
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_bytes(table: Table) -> bytes:
    """The table as UTF-8 CSV (with a byte-order mark, so spreadsheets read the accents)."""
    header, rows = table
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def clean_title(text: str) -> str:
    """A worksheet title Excel accepts: no ``\\ * ? : / [ ]``, at most 31 characters, not blank."""
    title = _BAD_TITLE.sub(" ", text).strip().strip("'")[:TITLE_MAX].strip()
    return title or "Sheet"


def xlsx_bytes(sheets: Sequence[tuple[str, Table]]) -> bytes:
    """A workbook with one worksheet per ``(title, table)``: bold frozen header, filter, sensible widths."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)
    for n, (title, (header, rows)) in enumerate(sheets):
        ws = book.worksheets[0] if n == 0 else book.create_sheet()
        ws.title = clean_title(title)
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
    text = _CONTROL.sub("", str(value))[:CELL_MAX]
    cell.value = text
    cell.data_type = "s"  # openpyxl would otherwise read a leading '=' as a formula
    if text.startswith(_FORMULA_LEAD):
        cell.quotePrefix = True
