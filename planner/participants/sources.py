"""Raw cells from CSV, XLSX and JSON bytes, before any item is looked up.

Each reader turns bytes into rows of raw cells (or JSON records) and reports
a file that cannot be read at all as an :class:`InputError`. Nothing here
knows the protocol; :mod:`planner.participants.build` does the typing.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from attrs import frozen

from planner.participants.records import InputError, InputProblem, Kind

_DELIMITERS = (",", ";", "\t")


@frozen
class RawTable:
    """A header and numbered rows of raw cells (row 1 is the header)."""

    header: tuple[object, ...]
    rows: tuple[tuple[int, tuple[object, ...]], ...]


def csv_table(data: bytes, source: str) -> RawTable:
    """Rows of a UTF-8 CSV file (a byte-order mark is allowed).

    The delimiter is the one of ``,``, ``;`` or tab that the header line uses
    (spreadsheets in some locales save CSV with ``;``). Row numbers count
    records as a spreadsheet would show them, header first.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([InputProblem(source, None, None, f"not UTF-8 text (byte {exc.start}): save the file as "
                                                           "'CSV UTF-8'")]) from None
    first = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[object, ...]] = []
    lines: list[tuple[int, int]] = []  # first and last physical line of each record
    while True:
        first_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError([_csv_problem(source, text, delimiter, rows, first_line, exc)]) from None
        rows.append(tuple[object, ...](row))
        lines.append((first_line, reader.line_num))
    problems = [_swallowed(source, text, delimiter, rows[0], n, r, span)
                for n, (r, span) in enumerate(zip(rows[1:], lines[1:], strict=True), 2)
                if rows and span[1] > span[0] and len(r) < len(rows[0])]
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError([InputProblem(source, None, None, "the file is empty: the first row must name the columns")])
    return RawTable(rows[0], tuple((n, r) for n, r in enumerate(rows[1:], 2)))


def _open_quote(line: str, delimiter: str) -> int | None:
    """The index of the field whose opening quote is still open at the end of ``line``, or ``None``."""
    field, inside, start = 0, False, True
    for ch in line:
        if inside:
            inside = ch != '"'  # a doubled quote closes and reopens: the state is the same at the end
        elif ch == '"' and start:
            inside = True
        elif ch == delimiter:
            field += 1
        start = not inside and ch == delimiter
    return field if inside else None


def _header_name(header: tuple[object, ...], index: int) -> str:
    return str(header[index]) if index < len(header) else f"column {index + 1}"


def _csv_problem(source: str, text: str, delimiter: str, rows: list[tuple[object, ...]], first_line: int,
                 exc: csv.Error) -> InputProblem:
    """A located message for what :mod:`csv` refused (most often a quote that is never closed)."""
    line = text.splitlines()[first_line - 1] if first_line - 1 < len(text.splitlines()) else ""
    field = _open_quote(line, delimiter)
    if field is not None:
        return InputProblem(source, len(rows) + 1, _header_name(rows[0], field) if rows else None,
                            "a quote opened in this cell is never closed, so every later row would be read into "
                            "it; close the quote or remove it")
    return InputProblem(source, len(rows) + 1, None, f"cannot read CSV: {exc}")


def _swallowed(source: str, text: str, delimiter: str, header: tuple[object, ...], n: int,
               row: tuple[object, ...], span: tuple[int, int]) -> InputProblem:
    """A record that runs over several lines and is short of cells: a stray quote took in the rows after it."""
    field = _open_quote(text.splitlines()[span[0] - 1], delimiter)
    where = _header_name(header, field) if field is not None else None
    return InputProblem(source, n, where, f"a quoted cell runs from line {span[0]} to line {span[1]} and the row "
                                          f"has {len(row)} of {len(header)} cells: a stray quote took in the rows "
                                          "after it; close the quote where the cell ends")


def xlsx_table(data: bytes, source: str, kind: Kind) -> RawTable:
    """Rows of the worksheet named ``candidates``/``observations``, or else of the first worksheet.

    Values are the ones Excel saved; a formula cell without a saved value is a
    problem (the file was written by a program that does not compute formulas).
    """
    from openpyxl import load_workbook

    def open_book(data_only: bool) -> Any:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)

    try:
        values_book, formula_book = open_book(True), open_book(False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged or foreign file
        raise InputError([InputProblem(source, None, None, f"not a readable XLSX workbook ({type(exc).__name__}: "
                                                           f"{exc})")]) from None
    try:
        name = next((n for n in values_book.sheetnames if n.strip().lower() == kind), values_book.sheetnames[0])
        values = [tuple[object, ...](r) for r in values_book[name].iter_rows(values_only=True)]
        formulas = [tuple[object, ...](r) for r in formula_book[name].iter_rows(values_only=True)]
    finally:
        values_book.close()
        formula_book.close()
    if not values:
        raise InputError([InputProblem(source, None, None, f"worksheet {name!r} is empty: the first row must name "
                                                           "the columns")])
    problems: list[InputProblem] = []
    for n, (vrow, frow) in enumerate(zip(values, formulas, strict=False), 1):
        for j, (v, f) in enumerate(zip(vrow, frow, strict=False)):
            if v is None and isinstance(f, str) and f.startswith("="):
                problems.append(InputProblem(source, n, column_letter(j), f"formula {f} has no saved value: open and "
                                             "save the file in a spreadsheet program, or paste values"))
    if problems:
        raise InputError(problems)
    return RawTable(values[0], tuple((n, r) for n, r in enumerate(values[1:], 2)))


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class JsonObject(dict[str, Any]):
    """A JSON object that remembers keys given more than once (``json`` keeps only the last)."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj = JsonObject()
    dupes = []
    for key, value in pairs:
        if key in obj:
            dupes.append(key)
        obj[key] = value
    obj.duplicates = tuple(dupes)
    return obj


def json_records(data: bytes, source: str) -> list[object]:
    """The list of records of a JSON file (objects are :class:`JsonObject`)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_pairs)
    except UnicodeDecodeError as exc:
        raise InputError([InputProblem(source, None, None, f"not UTF-8 text (byte {exc.start})")]) from None
    except json.JSONDecodeError as exc:
        raise InputError([InputProblem(source, None, None, f"invalid JSON at line {exc.lineno}, column {exc.colno}: "
                                                           f"{exc.msg}")]) from None
    if not isinstance(doc, list):
        raise InputError([InputProblem(source, None, None, "expected a list of records: [{\"participant\": \"P01\", "
                                                           "...}, ...]")])
    return doc
