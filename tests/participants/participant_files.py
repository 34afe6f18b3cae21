"""Small builders of CSV and XLSX bytes for the participant tests."""

from __future__ import annotations

import io
from collections.abc import Sequence


def csv_of(*lines: str) -> bytes:
    """CSV bytes from lines of text."""
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_of(rows: Sequence[Sequence[object]], title: str = "Sheet1") -> bytes:
    """XLSX bytes with ``rows`` (header first) in one worksheet."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.worksheets[0]
    ws.title = title
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
