"""Read a filled CRF workbook back: find the entered values and review them against the protocol.

A :class:`CrfReader` reads the workbooks of one protocol: it prepares once
what depends only on the protocol (the layout, the content hash the
metadata must match, the cells to read, the review's rules, screener and
monitor), then for each workbook checks from the hidden metadata that it is
the CRF of this protocol and version, pulls the entered values through the
:mod:`~exports.xlsx.layout`, and returns a
:class:`~planner.review.CrfReport`. :func:`read_crf` does both for one
workbook. Formula cells are never read: every derived value is recomputed in
Python.

The cells are read by the fast reader (:mod:`~exports.xlsx.fastread`, the
workbook's XML parts through the standard library) or by openpyxl's
read-only mode; both give the same values, and by default a workbook the
fast reader does not handle is read with openpyxl. :func:`entered_cells`
tells whether a workbook holds entered data, without needing its protocol
(export uses it before replacing a file).

Problems with the file itself raise a :class:`CrfError`: :class:`Unreadable`
(damaged, truncated or not an .xlsx file; :class:`Unsafe` when the package is
refused before parsing: a part past the archive limits of
:mod:`planner.limits`, a zip bomb, or an XML part declaring a DTD, whichever
reader reads it), :class:`NotACrf` (no
protocol-planner metadata) or :class:`WrongProtocol` (another protocol,
version or edition). Nothing here prints or touches a path.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any, Final, Literal

from openpyxl import load_workbook
from openpyxl.utils.cell import coordinate_from_string, get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

from exports.xlsx import meta, text
from exports.xlsx.fastread import Block, FastBook, FastReader, Rows, Unsupported
from exports.xlsx.layout import (
    COVER_ANCHOR_ROW,
    COVER_ARM_ROW,
    COVER_ENTRY_COL,
    COVER_PARTICIPANT_ROW,
    COVER_SITE_ROW,
    ELIG_ANSWER_COL,
    FORM_DATE_ROW,
    LOG_FIRST_RECORD_ROW,
    FormSheet,
    Layout,
    LogSheet,
    plan,
)
from exports.xlsx.results import Cell, Entries
from exports.xlsx.review import Reviewer
from planner.model import Protocol
from planner.participants.archive import ArchiveError, open_archive
from planner.review import CrfReport

Source = bytes | IO[bytes]
Engine = Literal["auto", "fast", "openpyxl"]
"""Which reader reads the cells: the fast reader falling back to openpyxl, the fast reader only, or openpyxl."""

_COVER_KEYS: Final = ((COVER_PARTICIPANT_ROW, "participant"), (COVER_SITE_ROW, "site"), (COVER_ARM_ROW, "arm"),
                      (COVER_ANCHOR_ROW, "anchor"))


class CrfError(Exception):
    """A workbook that cannot be reviewed; the message says why."""


class Unreadable(CrfError):
    """Not an .xlsx workbook, or a damaged or truncated one."""


class Unsafe(Unreadable):
    """A workbook refused before it is parsed: past an archive limit (a zip bomb) or declaring a DTD."""


class NotACrf(CrfError):
    """An .xlsx workbook without protocol-planner CRF metadata."""


class WrongProtocol(CrfError):
    """The CRF of another protocol, version or edition of the protocol."""


_NO_METADATA: Final = "no protocol-planner metadata: not a CRF exported by protocol-planner"


def _open(source: Source) -> Workbook:
    """The workbook opened by openpyxl (read-only), once its package has passed the archive checks."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        open_archive(stream).close()
        stream.seek(0)
    except ArchiveError as exc:
        raise Unsafe("; ".join(exc.problems)) from None
    except Exception as exc:  # noqa: BLE001 - not a zip package at all
        raise Unreadable(_why(exc)) from None
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
    raise NotACrf(_NO_METADATA)


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


class _OpenpyxlBook:
    """A workbook opened with openpyxl (read-only), read block by block like a :class:`FastBook`."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb

    def block(self, block: Block) -> Rows:
        out: Rows = {}
        for r, values in _rows(self.wb, block.title, block.min_row, block.max_row, block.min_col, block.max_col):
            row = {c: v for c, v in enumerate(values, start=block.min_col) if v is not None}
            if row:
                out[r] = row
        return out


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _entries(book: FastBook | _OpenpyxlBook, layout: Layout, blocks: tuple[Block, ...], metadata: meta.Metadata
             ) -> Entries:
    """The entered values, by layout position, from the blocks of :meth:`Layout.entry_ranges` (in its order)."""
    by_title = {b.title: b for b in blocks}
    letter = get_column_letter(COVER_ENTRY_COL)
    found = book.block(by_title[layout.cover])
    cover = {key: Cell(v, f"{letter}{r}", layout.cover) for r, key in _COVER_KEYS
             if _filled(v := found.get(r, {}).get(COVER_ENTRY_COL))}
    answers: dict[str, Cell] = {}
    if layout.eligibility is not None and layout.eligibility.rows:
        found = book.block(by_title[layout.eligibility.title])
        letter = get_column_letter(ELIG_ANSWER_COL)
        for cid, r in sorted(layout.eligibility.rows, key=lambda pair: pair[1]):
            value = found.get(r, {}).get(ELIG_ANSWER_COL)
            if _filled(value):
                answers[cid] = Cell(value, f"{letter}{r}", layout.eligibility.title)
    forms: dict[str, dict[str, dict[str, Cell]]] = {}
    logs: dict[str, list[tuple[int, dict[str, Cell]]]] = {}
    for sheet in layout.forms:
        found = book.block(by_title[sheet.title])
        if isinstance(sheet, FormSheet):
            forms[sheet.form.id] = _form_entries(found, sheet)
        else:
            logs[sheet.form.id] = _log_entries(found, sheet)
    return Entries(cover, forms, logs, answers, metadata)


def _form_entries(found: Rows, sheet: FormSheet) -> dict[str, dict[str, Cell]]:
    out: dict[str, dict[str, Cell]] = {c.key: {} for c in sheet.columns}
    columns = [(c.col, out[c.key], get_column_letter(c.col)) for c in sheet.columns]
    rows = sorted([(FORM_DATE_ROW, ""), *((row, item) for item, row in sheet.item_rows.items())])
    for r, name in rows:
        values = found.get(r)
        if values:
            for col, cells, letter in columns:
                value = values.get(col)
                if _filled(value):
                    cells[name] = Cell(value, f"{letter}{r}", sheet.title)
    return out


def _log_entries(found: Rows, sheet: LogSheet) -> list[tuple[int, dict[str, Cell]]]:
    columns = sorted((col, item, get_column_letter(col)) for item, col in sheet.item_cols.items())
    records: list[tuple[int, dict[str, Cell]]] = []
    for r in range(LOG_FIRST_RECORD_ROW, sheet.last_row + 1):
        values = found.get(r)
        if values:
            record = {item: Cell(v, f"{letter}{r}", sheet.title) for col, item, letter in columns
                      if _filled(v := values.get(col))}
            if record:
                records.append((r, record))
    return records


def _check_identity(protocol: Protocol, found: meta.Metadata, content_hash: str) -> None:
    if found.format_version != meta.FORMAT_VERSION:
        raise WrongProtocol(f"CRF format version {found.format_version!r} is not supported "
                            f"(this protocol-planner reads version {meta.FORMAT_VERSION})")
    # the workbook holds the version as its one text gate wrote it (characters XML cannot hold replaced)
    if (found.protocol_id, found.protocol_version) != (protocol.id, text.clean(protocol.version)):
        raise WrongProtocol(
            f"this is the CRF of protocol {found.protocol_id!r} version {found.protocol_version}, "
            f"not of {protocol.id!r} version {protocol.version}")
    if found.content_hash != content_hash:
        raise WrongProtocol(
            f"this CRF of {protocol.id!r} version {protocol.version} was exported from a different edition of "
            f"the protocol (its forms, schedule or rules changed without a new version number); export the "
            f"CRF again or check it against the protocol file it came from")


class CrfReader:
    """Reads and reviews the filled CRF workbooks of one protocol; prepared once, reused for every workbook.

    ``layout`` may be passed to reuse a plan (it does not depend on the
    participant). ``engine`` chooses the reader of the cells: ``"auto"`` (the
    default: the fast reader, and openpyxl for a workbook the fast reader
    does not handle or cannot open, so that errors are reported as before),
    ``"fast"`` (the fast reader only; a workbook it does not handle raises
    :class:`~exports.xlsx.fastread.Unsupported`) or ``"openpyxl"``.
    :attr:`used` counts the workbooks each reader read.
    """

    def __init__(self, protocol: Protocol, *, layout: Layout | None = None, engine: Engine = "auto") -> None:
        if engine not in ("auto", "fast", "openpyxl"):
            raise ValueError(f"unknown engine {engine!r}: use 'auto', 'fast' or 'openpyxl'")
        self.protocol = protocol
        self.layout = layout or plan(protocol)
        self.engine = engine
        self.blocks = tuple(Block(*block) for block in self.layout.entry_ranges())
        self.content_hash = meta.content_hash(protocol)
        self.reviewer = Reviewer(self.layout)
        self.fast = FastReader(self.blocks) if engine != "openpyxl" else None
        self.used: Counter[str] = Counter()

    def read(self, source: Source) -> CrfReport:
        """Review one filled workbook; raise :class:`CrfError` for a file that cannot be reviewed."""
        return self.reviewer.review(self.entries(source))

    def entries(self, source: Source) -> Entries:
        """The entered values of one workbook, after checking it is a CRF of this protocol and edition."""
        if self.fast is not None:
            try:
                entries = self._fast_entries(self.fast, source)
            except (WrongProtocol, Unsafe):
                self.used["fast"] += 1
                raise
            except Exception:
                if self.engine == "fast":
                    raise
            else:
                self.used["fast"] += 1
                return entries
            if not isinstance(source, bytes):
                source.seek(0)
        entries = self._openpyxl_entries(source)
        self.used["openpyxl"] += 1
        return entries

    def _fast_entries(self, fast: FastReader, source: Source) -> Entries:
        try:
            book = fast.open(source)
        except Unsupported:
            raise
        except ArchiveError as exc:
            raise Unsafe("; ".join(exc.problems)) from None
        except Exception as exc:  # noqa: BLE001 - as openpyxl would fail: a damaged file
            raise Unreadable(_why(exc)) from None
        try:
            found = next(filter(None, map(meta.parse, book.metadata_rows())), None)
            if found is None:
                raise NotACrf(_NO_METADATA)
            _check_identity(self.protocol, found, self.content_hash)
            return _entries(book, self.layout, self.blocks, found)
        except ArchiveError as exc:  # a part declaring a DTD, or holding more than it declares
            raise Unsafe("; ".join(exc.problems)) from None
        finally:
            book.close()

    def _openpyxl_entries(self, source: Source) -> Entries:
        wb = _open(source)
        try:
            found = _metadata(wb)
            _check_identity(self.protocol, found, self.content_hash)
            try:
                return _entries(_OpenpyxlBook(wb), self.layout, self.blocks, found)
            except CrfError:
                raise
            except Exception as exc:  # noqa: BLE001 - a sheet that fails to parse is a damaged file
                raise Unreadable(_why(exc)) from None
        finally:
            wb.close()


def read_crf(protocol: Protocol, source: Source, *, layout: Layout | None = None) -> CrfReport:
    """Review a filled CRF workbook of ``protocol``; raise :class:`CrfError` for a file that cannot be reviewed.

    ``layout`` may be passed to reuse one plan for many workbooks (it does not
    depend on the participant); to read many workbooks, a :class:`CrfReader`
    also prepares the rest once.
    """
    return CrfReader(protocol, layout=layout).read(source)


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
