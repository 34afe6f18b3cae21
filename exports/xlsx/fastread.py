"""Read entered cells straight from a workbook's XML parts: the fast reader of CRF read-back.

openpyxl's read-only mode reads the whole stylesheet and turns every cell of
every sheet it walks (labels included) into objects: that was most of the time
of a read-back. The position of every entry cell is known in advance from the
:mod:`~exports.xlsx.layout`, so this reader opens the .xlsx package with
:mod:`zipfile`, finds the sheets' parts as openpyxl does
(:mod:`~exports.xlsx.xmlparts`), parses with :mod:`xml.etree.ElementTree` only
the sheets asked for, each no further than their cell data, the metadata
sheet and, when a cell needs them, the shared strings, and converts only the
cells inside the asked-for blocks. The package's structure (sheets, parts,
date formats), shared by the workbooks of one export, is remembered by
content, and so is, per sheet, whether rows follow the block (then parsing
stops after the block's last row).

Values come out exactly as openpyxl's read-only reader gives them
(``data_only=False``): numbers as int or float; a number in a cell with a
date or time number format as ``datetime`` or ``timedelta`` through
openpyxl's own :func:`~openpyxl.utils.datetime.from_excel` (1900 epoch with
Excel's leap-year quirk, or 1904); shared and inline strings as their text
(rich-text runs joined, phonetic runs left out); booleans; error codes as
text. Anything else raises :class:`Unsupported` and the caller reads the
workbook with openpyxl: a formula in an asked-for cell, a row or cell without
its reference or with one written unusually, an ISO 8601 date cell, a sheet
that is a chartsheet or missing, a package part missing, damaged XML.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any, Final, TypeVar
from xml.etree import ElementTree as ET

from attrs import frozen
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel
from openpyxl.xml.constants import SHEET_MAIN_NS

from exports.xlsx.xmlparts import (
    DURATION,
    NUMBER,
    QUALIFIED,
    STYLES,
    Names,
    Package,
    Unsupported,
    after,
    package,
    parse_cells,
    parts,
    read_cells_part,
    rels_path,
    stream_cells,
    text,
)
from planner.participants.archive import BoundedPart, Prolog, check, check_prolog, read_part

__all__ = ["Block", "FastBook", "FastReader", "Rows", "Unsupported"]

_OUTSIDE: Final = (0, 0)  # a cell of a block's row, left of the block: nothing to read there
_STRING: Final = f"{{{SHEET_MAIN_NS}}}si"
_DIMENSION: Final = f"{{{SHEET_MAIN_NS}}}dimension"
_CACHE_SIZE: Final = 16  # package structures remembered (workbooks of a few exports at once)
_DATES_SIZE: Final = 4096  # serial numbers converted to dates, remembered
_WHOLE_PART_BYTES: Final = 4 * 1024 * 1024  # parts up to this size may be parsed whole; larger ones are streamed
_STREAMED_SHEET_BYTES = 4 * 1024 * 1024  # a sheet part larger than this is streamed, with its rows dropped as read
_READ: Final = 16384  # bytes decompressed at a time when a part is streamed
_K = TypeVar("_K")
_V = TypeVar("_V")


@frozen
class Block:
    """A rectangle of cells of one sheet (1-based, inclusive), in the order of ``Layout.entry_ranges``."""

    title: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int


Rows = dict[int, dict[int, Any]]
"""Cell values by row, then column; blank cells (``None``) are left out."""


def _references(block: Block) -> dict[str, tuple[int, int]]:
    """Every cell reference of the block's rows, to its position, or to :data:`_OUTSIDE` left of the block."""
    letters = [get_column_letter(c) for c in range(1, block.max_col + 1)]
    return {f"{letter}{row}": (row, col) if col >= block.min_col else _OUTSIDE
            for row in range(block.min_row, block.max_row + 1) for col, letter in enumerate(letters, start=1)}


def _remember(cache: dict[_K, _V], key: _K, value: _V, size: int = _CACHE_SIZE) -> _V:
    if len(cache) >= size:
        cache.clear()
    cache[key] = value
    return value


def _row_number(row: ET.Element) -> int:
    ref = row.get("r")
    if ref is None or not ref.isdigit():
        raise Unsupported(f"a row without a plain row number ({ref!r})")
    return int(ref)


def _column(ref: str | None, row: int) -> int:
    """The column of a cell reference written as Excel writes it (``G12`` in row 12); anything else is unsupported."""
    if ref is None:
        raise Unsupported(f"a cell without its reference in row {row}")
    letters = ref.rstrip("0123456789")
    if not (letters.isascii() and letters.isalpha() and letters.isupper()) or ref[len(letters):] != str(row):
        raise Unsupported(f"cell reference {ref!r} in row {row}")
    try:
        return column_index_from_string(letters)
    except ValueError:
        raise Unsupported(f"cell reference {ref!r}") from None


def _rows(data: ET.Element, names: Names, first: int, last: int | None) -> Iterator[tuple[int, ET.Element]]:
    """The rows openpyxl gives for rows ``first``–``last``: in file order, each number once, ascending."""
    following = first
    for row in data:
        if row.tag != names.row:
            continue
        n = _row_number(row)
        if last is not None and n > last:
            return
        if n >= following:
            following = n + 1
            yield n, row


class FastReader:
    """Reads blocks of cells from workbooks; prepared once with the blocks it will be asked for."""

    def __init__(self, blocks: Iterable[Block] = ()) -> None:
        self._references: dict[Block, dict[str, tuple[int, int]]] = {}
        self._packages: dict[tuple[bytes, ...], Package] = {}
        self._manifests: dict[bytes, tuple[str, str | None]] = {}
        self.dates: dict[tuple[object, ...], Any] = {}
        self.tails: dict[str, bool] = {}  # sheet title → whether rows followed the block in the last workbook
        for block in blocks:
            self.references(block)

    def references(self, block: Block) -> dict[str, tuple[int, int]]:
        """The block's cell references (prepared once)."""
        found = self._references.get(block)
        if found is None:
            found = self._references[block] = _references(block)
        return found

    def open(self, source: bytes | IO[bytes]) -> FastBook:
        """A workbook to read blocks from; raises what :mod:`zipfile` raises for a damaged file.

        The package is checked first against the archive limits
        (:func:`~planner.participants.archive.check`, which raises
        :class:`~planner.participants.archive.ArchiveError`); each part's
        prolog is checked for a DTD as the part is read.
        """
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        try:
            check(archive, prologs=False)
            return FastBook(self, archive, self._package(archive))
        except BaseException:
            archive.close()
            raise

    def _package(self, archive: zipfile.ZipFile) -> Package:
        manifest = _structure(archive, "[Content_Types].xml")
        found = self._manifests.get(manifest)
        if found is None:
            check_prolog("[Content_Types].xml", manifest)
            found = _remember(self._manifests, manifest, parts(manifest))
        workbook, strings = found
        names = (workbook, rels_path(workbook), STYLES)
        key = (manifest, *(_structure(archive, name) for name in names))
        known = self._packages.get(key)
        if known is None:
            for name, data in zip(names, key[1:], strict=True):
                check_prolog(name, data)
            known = _remember(self._packages, key, package(workbook, strings, *key[1:]))
        return known


def _structure(archive: zipfile.ZipFile, name: str) -> bytes:
    """A part parsed whole (the manifest, workbook, relationships, stylesheet): small, or left to openpyxl."""
    if archive.getinfo(name).file_size > _WHOLE_PART_BYTES:
        raise Unsupported(f"part {name} is larger than {_WHOLE_PART_BYTES} bytes")
    return read_part(archive, name)


def _stream(archive: zipfile.ZipFile, path: str) -> Iterator[tuple[str, ET.Element]]:
    """Start and end events of a part, parsed as it is decompressed through a bounded stream, its prolog checked."""
    prolog = Prolog(path)
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    with BoundedPart(archive, archive.getinfo(path)) as stream:
        while chunk := stream.read(_READ):
            prolog.feed(chunk)
            parser.feed(chunk)
            yield from parser.read_events()  # type: ignore[misc]
    parser.close()
    yield from parser.read_events()  # type: ignore[misc]


class FastBook:
    """One open workbook: its metadata sheet's rows and blocks of cells, read on demand."""

    def __init__(self, reader: FastReader, archive: zipfile.ZipFile, package: Package) -> None:
        self._reader = reader
        self._archive = archive
        self._package = package
        present = set(archive.namelist())
        self._sheets = [s for s in package.sheets if s.path in present]  # openpyxl leaves the others out too
        self._paths: dict[str, str] = {}
        for sheet in self._sheets:
            if not sheet.chart:
                self._paths.setdefault(sheet.title, sheet.path)
        self._strings: list[str] | None = None

    def close(self) -> None:
        self._archive.close()

    def metadata_rows(self) -> Iterator[list[tuple[Any, Any]]]:
        """Columns A and B of each sheet that may hold the metadata (``_meta``, or very hidden), in order."""
        for sheet in self._sheets:
            if not sheet.chart and (sheet.title == "_meta" or sheet.state == "veryHidden"):
                yield self._first_columns(sheet.path)

    def _first_columns(self, path: str) -> list[tuple[Any, Any]]:
        """Columns A and B of a sheet's rows, parsed as the part is decompressed (each row dropped once read).

        openpyxl reads these rows up to the sheet's stated dimension, when
        the dimension comes before the cell data.
        """
        last: int | None = None
        root: ET.Element | None = None
        data: ET.Element | None = None
        looking = True  # for the dimension or the cell data, among the root's children
        rows_seen = False
        following = 1
        depth = 0  # of the element an event is about (the root is 1); the tree may be parsed ahead of the events
        out: list[tuple[Any, Any]] = []
        for event, element in _stream(self._archive, path):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                elif depth == 2 and looking and element.tag in (_DIMENSION, QUALIFIED.sheet_data):
                    looking = False
                    if element.tag == _DIMENSION:
                        last = range_boundaries(element.get("ref") or "")[3]
                if data is None and depth == 2 and element.tag == QUALIFIED.sheet_data:
                    data = element
                rows_seen = rows_seen or element.tag == QUALIFIED.row
                continue
            depth -= 1
            if element is data:
                break
            if data is not None and depth == 2:  # a child of the cell data has ended
                data.remove(element)
                if element.tag != QUALIFIED.row:
                    continue
                n = _row_number(element)
                if last is not None and n > last:
                    break
                if n >= following:
                    following = n + 1
                    values: list[Any] = [None, None]
                    for cell in element:
                        col = _column(cell.get("r"), n)
                        if col <= 2:
                            values[col - 1] = self._value(cell, QUALIFIED)
                    out.append((values[0], values[1]))
            elif root is not None and depth == 1:
                root.remove(element)  # sheet properties, views, widths: not needed
        if data is None and rows_seen:
            raise Unsupported("rows outside the sheet data")
        return out

    def block(self, block: Block) -> Rows:
        """The values in ``block`` (``None`` left out); raises :class:`Unsupported` for anything unexpected."""
        refs = self._reader.references(block)
        path = self._paths.get(block.title)
        if path is None:
            raise Unsupported(f"no worksheet {block.title!r}")
        if self._archive.getinfo(path).file_size > _STREAMED_SHEET_BYTES:
            data, names = stream_cells(self._archive, path, block.min_row, block.max_row), QUALIFIED
            if data is None:
                return {}
        else:
            tails = self._reader.tails
            data, names = parse_cells(read_cells_part(self._archive, path),
                                      block.max_row if tails.get(block.title) else None,
                                      lambda: read_part(self._archive, path))
            if data is None:
                return {}
            tails[block.title] = after(data, block.max_row, names)
        lo, hi, read, outside = block.min_col, block.max_col, self._value, _OUTSIDE
        out: Rows = {}
        for n, row in _rows(data, names, block.min_row, block.max_row):
            values: dict[int, Any] = {}
            for cell in row:
                ref = cell.get("r")
                at = refs.get(ref)  # type: ignore[arg-type]  # None finds nothing
                if at is outside:
                    continue
                if at is None:  # right of the block, or a reference written unusually
                    if lo <= _column(ref, n) <= hi:
                        raise Unsupported(f"cell reference {ref!r} in row {n}")
                    continue
                if at[0] != n:
                    raise Unsupported(f"cell {ref} in row {n}")
                value = read(cell, names)
                if value is not None:
                    values[at[1]] = value
                elif at[1] in values:
                    del values[at[1]]  # a later cell of the same reference wins, as in openpyxl
            if values:
                out[n] = values
        return out

    def _value(self, cell: ET.Element, names: Names) -> Any:
        """The cell's value as openpyxl's read-only worksheet reader gives it (``data_only=False``)."""
        if cell.find(names.formula) is not None:
            raise Unsupported(f"cell {cell.get('r')} holds a formula")
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            node = cell.find(names.inline)
            return None if node is None else text(node)
        value = cell.findtext(names.value) or None
        if value is None:
            return None
        if kind == "n":
            number = float(value) if "." in value or "E" in value or "e" in value else int(value)
            style = cell.get("s")
            read_as = self._package.styles.get(style if style is not None else "0")
            if read_as is None:  # a format index written unusually ("05"), or one the stylesheet lacks
                read_as = NUMBER if not style else self._package.style_kind(int(style))
            return number if read_as == NUMBER else self._date(number, read_as == DURATION, cell)
        if kind == "s":
            return self._string(int(value))
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            raise Unsupported(f"cell {cell.get('r')} holds an ISO 8601 date")
        return value  # "str" (text), "e" (an error code such as #N/A)

    def _date(self, serial: float, duration: bool, cell: ET.Element) -> Any:
        """openpyxl's :func:`~openpyxl.utils.datetime.from_excel` of a serial number (remembered: visits share dates)."""
        key = (serial, type(serial), duration, self._package.epoch)
        found = self._reader.dates.get(key)
        if found is None:
            try:
                found = from_excel(serial, self._package.epoch, timedelta=duration)
            except (OverflowError, ValueError):
                raise Unsupported(f"cell {cell.get('r')}: {serial} is not a date") from None
            _remember(self._reader.dates, key, found, _DATES_SIZE)
        return found

    def _string(self, index: int) -> str:
        """Shared string ``index`` as openpyxl reads it (which drops every ``x005F_``)."""
        if self._strings is None:
            path = self._package.strings
            self._strings = [] if path is None else self._read_strings(path)
        return self._strings[index]

    def _read_strings(self, path: str) -> list[str]:
        """Every shared string, in document order, parsed as the part is decompressed (each item dropped once read)."""
        out: list[str] = []
        slots: dict[ET.Element, int] = {}
        root: ET.Element | None = None
        depth = 0
        for event, element in _stream(self._archive, path):
            if event == "start":
                depth += 1
                root = element if root is None else root
                if element.tag == _STRING:
                    slots[element] = len(out)
                    out.append("")
                continue
            depth -= 1
            if element.tag == _STRING:
                out[slots.pop(element)] = text(element).replace("x005F_", "")
            if depth == 1 and root is not None:
                root.remove(element)  # a child of the root has ended: its text is kept
        return out
