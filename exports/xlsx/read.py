"""Read a filled CRF workbook back: find the entered values and review them against the protocol.

:func:`read_crf` opens a workbook (openpyxl read-only), checks from the
hidden metadata that it is the CRF of this protocol and version, pulls the
entered values through the :mod:`~exports.xlsx.layout`, and returns a
:class:`~exports.xlsx.review.CrfReport`. Formula cells are never read: every
derived value is recomputed in Python. :func:`entered_cells` tells whether a
workbook holds entered data, without needing its protocol (export uses it
before replacing a file).

Problems with the file itself raise a :class:`CrfError`: :class:`Unreadable`
(damaged, truncated or not an .xlsx file), :class:`NotACrf` (no
protocol-planner metadata) or :class:`WrongProtocol` (another protocol,
version or edition). Nothing here prints or touches a path.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_from_string, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

from exports.xlsx import meta
from exports.xlsx.layout import (
    COVER_ANCHOR_ROW,
    COVER_ARM_ROW,
    COVER_ENTRY_COL,
    COVER_PARTICIPANT_ROW,
    COVER_SITE_ROW,
    ELIG_ANSWER_COL,
    FORM_DATE_ROW,
    FORM_FIRST_VISIT_COL,
    LOG_FIRST_ITEM_COL,
    LOG_FIRST_RECORD_ROW,
    FormSheet,
    Layout,
    LogSheet,
    plan,
)
from exports.xlsx.results import Cell, CrfReport, Entries
from exports.xlsx.review import review
from planner.model import Protocol

Source = bytes | IO[bytes]


class CrfError(Exception):
    """A workbook that cannot be reviewed; the message says why."""


class Unreadable(CrfError):
    """Not an .xlsx workbook, or a damaged or truncated one."""


class NotACrf(CrfError):
    """An .xlsx workbook without protocol-planner CRF metadata."""


class WrongProtocol(CrfError):
    """The CRF of another protocol, version or edition of the protocol."""


def _open(source: Source) -> Workbook:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        return load_workbook(stream, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - any failure of the parser means an unreadable file
        raise Unreadable(_why(exc)) from None


def _why(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if type(exc).__name__ == "BadZipFile":
        return f"not an .xlsx workbook, or a damaged one ({text})"
    return f"damaged or incomplete .xlsx workbook ({type(exc).__name__}: {text})"


def _metadata(wb: Workbook) -> meta.Metadata:
    for ws in wb.worksheets:
        if ws.title == "_meta" or ws.sheet_state == "veryHidden":
            found = meta.parse(ws.iter_rows(max_col=2, values_only=True))
            if found is not None:
                return found
    raise NotACrf("no protocol-planner metadata: not a CRF exported by protocol-planner")


def _rows(wb: Workbook, title: str, min_row: int, max_row: int, min_col: int, max_col: int
          ) -> Iterator[tuple[int, tuple[Any, ...]]]:
    if title not in wb.sheetnames:
        raise Unreadable(f"sheet {title!r} is missing (renamed or deleted?)")
    rows = wb[title].iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                               values_only=True)
    for r, values in enumerate(rows, start=min_row):
        yield r, tuple(values)
        if r >= max_row:
            return  # stop here: asking for another row would parse the rest of the sheet (formats, validations)


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _entries(wb: Workbook, layout: Layout, metadata: meta.Metadata) -> Entries:
    cover: dict[str, Cell] = {}
    keys = {COVER_PARTICIPANT_ROW: "participant", COVER_SITE_ROW: "site", COVER_ARM_ROW: "arm",
            COVER_ANCHOR_ROW: "anchor"}
    letter = get_column_letter(COVER_ENTRY_COL)
    for r, values in _rows(wb, layout.cover, COVER_PARTICIPANT_ROW, COVER_ANCHOR_ROW, COVER_ENTRY_COL,
                           COVER_ENTRY_COL):
        if r in keys and values and _filled(values[0]):
            cover[keys[r]] = Cell(values[0], f"{letter}{r}")
    answers: dict[str, Cell] = {}
    if layout.eligibility is not None and layout.eligibility.rows:
        by_row = {row: cid for cid, row in layout.eligibility.rows}
        letter = get_column_letter(ELIG_ANSWER_COL)
        first, last = layout.eligibility.rows[0][1], layout.eligibility.rows[-1][1]
        for r, values in _rows(wb, layout.eligibility.title, first, last, ELIG_ANSWER_COL, ELIG_ANSWER_COL):
            if r in by_row and values and _filled(values[0]):
                answers[by_row[r]] = Cell(values[0], f"{letter}{r}")
    forms: dict[str, dict[str, dict[str, Cell]]] = {}
    logs: dict[str, list[tuple[int, dict[str, Cell]]]] = {}
    for sheet in layout.forms:
        if isinstance(sheet, FormSheet):
            forms[sheet.form.id] = _form_entries(wb, sheet)
        else:
            logs[sheet.form.id] = _log_entries(wb, sheet)
    return Entries(cover, forms, logs, answers, metadata)


def _form_entries(wb: Workbook, sheet: FormSheet) -> dict[str, dict[str, Cell]]:
    names = {row: item for item, row in sheet.item_rows.items()}
    names[FORM_DATE_ROW] = ""
    out: dict[str, dict[str, Cell]] = {c.key: {} for c in sheet.columns}
    keys = [(c.key, get_column_letter(c.col)) for c in sheet.columns]
    for r, values in _rows(wb, sheet.title, FORM_DATE_ROW, sheet.last_row, FORM_FIRST_VISIT_COL, sheet.last_col):
        name = names.get(r)
        if name is None:
            continue
        for (key, letter), value in zip(keys, values, strict=False):
            if _filled(value):
                out[key][name] = Cell(value, f"{letter}{r}")
    return out


def _log_entries(wb: Workbook, sheet: LogSheet) -> list[tuple[int, dict[str, Cell]]]:
    cols = sorted((col, item) for item, col in sheet.item_cols.items())
    letters = [(item, get_column_letter(col)) for col, item in cols]
    records: list[tuple[int, dict[str, Cell]]] = []
    for r, values in _rows(wb, sheet.title, LOG_FIRST_RECORD_ROW, sheet.last_row, LOG_FIRST_ITEM_COL,
                           sheet.last_col):
        record = {item: Cell(v, f"{letter}{r}") for (item, letter), v in zip(letters, values, strict=False)
                  if _filled(v)}
        if record:
            records.append((r, record))
    return records


def _check_identity(protocol: Protocol, found: meta.Metadata) -> None:
    if found.format_version != meta.FORMAT_VERSION:
        raise WrongProtocol(f"CRF format version {found.format_version!r} is not supported "
                            f"(this protocol-planner reads version {meta.FORMAT_VERSION})")
    if (found.protocol_id, found.protocol_version) != (protocol.id, protocol.version):
        raise WrongProtocol(
            f"this is the CRF of protocol {found.protocol_id!r} version {found.protocol_version}, "
            f"not of {protocol.id!r} version {protocol.version}")
    if found.content_hash != meta.content_hash(protocol):
        raise WrongProtocol(
            f"this CRF of {protocol.id!r} version {protocol.version} was exported from a different edition of "
            f"the protocol (its forms, schedule or rules changed without a new version number); export the "
            f"CRF again or check it against the protocol file it came from")


def read_crf(protocol: Protocol, source: Source, *, layout: Layout | None = None) -> CrfReport:
    """Review a filled CRF workbook of ``protocol``; raise :class:`CrfError` for a file that cannot be reviewed.

    ``layout`` may be passed to reuse one plan for many workbooks (it does not
    depend on the participant).
    """
    wb = _open(source)
    try:
        found = _metadata(wb)
        _check_identity(protocol, found)
        try:
            entries = _entries(wb, layout or plan(protocol), found)
        except CrfError:
            raise
        except Exception as exc:  # noqa: BLE001 - a sheet that fails to parse is a damaged file
            raise Unreadable(_why(exc)) from None
    finally:
        wb.close()
    return review(layout or plan(protocol), entries)


def entered_cells(source: Source) -> tuple[str, ...]:
    """Coordinates (``'Sheet'!G12``) of every entered value, from the entry ranges in the metadata.

    A participant id filled in at export is not counted as entered. Raises
    :class:`CrfError` for a file that is not a readable protocol-planner CRF.
    """
    wb = _open(source)
    try:
        found = _metadata(wb)
        out: list[str] = []
        for ref in found.entry_ranges:
            title, _, cells = ref.rpartition("!")
            title = title.strip("'").replace("''", "'")
            min_col, min_row, max_col, max_row = range_boundaries(cells)
            assert min_col is not None and min_row is not None and max_col is not None and max_row is not None
            for r, values in _rows(wb, title, min_row, max_row, min_col, max_col):
                for c, value in enumerate(values, start=min_col):
                    if _filled(value) and not _prefilled(found, title, r, c, value):
                        out.append(f"{ref.rpartition('!')[0]}!{get_column_letter(c)}{r}")
        return tuple(out)
    except CrfError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet that fails to parse is a damaged file
        raise Unreadable(_why(exc)) from None
    finally:
        wb.close()


def _prefilled(found: meta.Metadata, title: str, row: int, col: int, value: Any) -> bool:
    """Whether this is the participant id written at export: the first cell of the first entry range."""
    if not found.entry_ranges or found.participant_id is None:
        return False
    sheet, _, cells = found.entry_ranges[0].rpartition("!")
    letters, first_row = coordinate_from_string(cells.split(":")[0])
    return (sheet.strip("'").replace("''", "'"), row, get_column_letter(col), value) == (
        title, first_row, letters, found.participant_id)
