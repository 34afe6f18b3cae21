"""The parts of an .xlsx package the fast reader needs, read as openpyxl reads them.

An .xlsx workbook is a zip package of XML parts (SpreadsheetML, ECMA-376).
openpyxl finds the workbook part and the shared strings through
``[Content_Types].xml``, the sheets' parts through the workbook part's
relationships, and reads the stylesheet from ``xl/styles.xml``; this module
does the same with :mod:`xml.etree.ElementTree` and keeps what the fast
reader needs (:class:`Package`): each sheet's title, part and state, the
epoch (1900 or 1904) and which cell formats hold dates. :func:`parse_cells`
parses a sheet's cell data, no further than needed. Structure elements are
matched by local name, as openpyxl's object readers match them; cell data by
namespaced tag, as its worksheet reader does.

Anything this module does not understand raises :class:`Unsupported` (or the
parser's own error), and the caller reads the workbook with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import Final, cast
from xml.etree import ElementTree as ET

from attrs import frozen
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900
from openpyxl.xml.constants import REL_NS, SHARED_STRINGS, SHEET_MAIN_NS, XLSM, XLSX, XLTM, XLTX

from planner.participants.archive import BoundedPart, Prolog

STYLES: Final = "xl/styles.xml"  # where openpyxl reads the stylesheet from, whatever the relationships say
NUMBER, DATE, DURATION = "number", "date", "duration"  # how a number in a cell of a format is read
_REL_ID: Final = f"{{{REL_NS}}}id"
_WORKBOOK_TYPES: Final = (XLTM, XLTX, XLSM, XLSX)  # openpyxl's order of preference
_CELLS_END: Final = b"</sheetData>"
_ROOT_TAG: Final = re.compile(rb"<([^\s/>?!]+)")
_AFTER_NAME: Final = (b" ", b"\t", b"\r", b"\n", b">")
_DEFAULT_NS: Final = re.compile(rb"xmlns\s*=")
_MAIN_DEFAULT: Final = re.compile(rb"\sxmlns\s*=\s*([\"'])" + re.escape(SHEET_MAIN_NS.encode()) + rb"\1")
_ENCODING: Final = re.compile(rb"encoding\s*=\s*[\"']([^\"']*)")
_CHUNK: Final = 4096  # bytes fed at a time when parsing stops after the last row needed
_READ: Final = 16384  # bytes decompressed at a time when reading a sheet part up to the end of its cell data


class Unsupported(Exception):
    """A workbook the fast reader does not handle (the message says what); read it with openpyxl instead."""


@frozen
class Names:
    """The tags of cell data: namespaced, or plain when the cell data was parsed on its own."""

    sheet_data: str
    row: str
    value: str
    formula: str
    inline: str

    @classmethod
    def of(cls, prefix: str) -> Names:
        return cls(*(prefix + name for name in ("sheetData", "row", "v", "f", "is")))


QUALIFIED: Final = Names.of(f"{{{SHEET_MAIN_NS}}}")
PLAIN: Final = Names.of("")


def local(tag: str) -> str:
    """A tag without its namespace."""
    return tag.rpartition("}")[2]


def children(node: ET.Element, name: str) -> Iterator[ET.Element]:
    """Child elements by local name, whatever their namespace."""
    return (child for child in node if local(child.tag) == name)


def text(node: ET.Element) -> str:
    """A string item's text (``<is>`` or ``<si>``) as openpyxl gives it: its ``t``, then each run's ``t``."""
    plain: str | None = None
    runs: list[str] = []
    for child in node:
        name = local(child.tag)
        if name == "t":
            plain = child.text
        elif name == "r":
            run: str | None = None
            for part in children(child, "t"):
                run = part.text
            if run is not None:
                runs.append(run)
    return (plain or "") + "".join(runs)


def flag(value: str | None) -> bool:
    """An OOXML boolean attribute as openpyxl reads it."""
    return value is not None and value not in ("false", "f", "0", "")


# -- the package ----------------------------------------------------------------------------


@frozen
class SheetRef:
    """A sheet of the workbook: its title, part, state (``veryHidden`` …) and whether it is a chartsheet."""

    title: str
    path: str
    state: str
    chart: bool


@frozen
class Package:
    """What the workbooks of one export share: their sheets and parts, epoch and date number formats."""

    sheets: tuple[SheetRef, ...]
    strings: str | None
    epoch: dt.datetime
    dates: frozenset[int]
    timedeltas: frozenset[int]
    styles: dict[str, str]  # cell format index as written ("5") → NUMBER, DATE or DURATION

    def style_kind(self, index: int) -> str:
        """How a number in a cell of this format is read: as it is, as a date and time, or as a duration."""
        if index not in self.dates:
            return NUMBER
        return DURATION if index in self.timedeltas else DATE


def parts(manifest: bytes) -> tuple[str, str | None]:
    """The workbook part and the shared strings part named by ``[Content_Types].xml``."""
    overrides = [(o.get("ContentType"), o.get("PartName") or "") for o in children(ET.fromstring(manifest), "Override")]
    workbook = next((name for kind in _WORKBOOK_TYPES for t, name in overrides if t == kind), None)
    if workbook is None:
        raise Unsupported("no workbook part in [Content_Types].xml")
    strings = next((name for t, name in overrides if t == SHARED_STRINGS), None)
    return workbook[1:], strings[1:] if strings is not None else None


def rels_path(part: str) -> str:
    """Where the relationships of ``part`` are."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def package(workbook: str, strings: str | None, source: bytes, rels: bytes, styles: bytes) -> Package:
    """The package from its workbook part, the workbook's relationships and the stylesheet."""
    root = ET.fromstring(source)
    properties = next(children(root, "workbookPr"), None)
    epoch = CALENDAR_MAC_1904 if properties is not None and flag(properties.get("date1904")) else CALENDAR_WINDOWS_1900
    folder = posixpath.dirname(workbook)  # relative targets are relative to the workbook part's folder
    targets: dict[str, tuple[str, str]] = {}
    for rel in children(ET.fromstring(rels), "Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        targets[rel.get("Id") or ""] = (target, rel.get("Type") or "")
    sheets: list[SheetRef] = []
    for group in children(root, "sheets"):
        for sheet in children(group, "sheet"):
            rid = sheet.get(_REL_ID)
            if not rid:
                continue  # openpyxl leaves such a sheet out too
            target, kind = targets[rid]
            sheets.append(SheetRef(sheet.get("name") or "", target, sheet.get("state") or "visible",
                                   "chartsheet" in kind))
    dates, timedeltas, count = date_styles(ET.fromstring(styles))
    found = Package(tuple(sheets), strings, epoch, dates, timedeltas, {})
    found.styles.update((str(i), found.style_kind(i)) for i in range(count))
    return found


def date_styles(root: ET.Element) -> tuple[frozenset[int], frozenset[int], int]:
    """Indices of the cell formats (``cellXfs``) whose number format is a date or time, or a duration; their count."""
    custom = {int(f.get("numFmtId") or 0): f.get("formatCode") or ""
              for group in children(root, "numFmts") for f in children(group, "numFmt")}
    dates: set[int] = set()
    timedeltas: set[int] = set()
    xfs = [xf for group in children(root, "cellXfs") for xf in children(group, "xf")]
    for i, xf in enumerate(xfs):
        number = int(xf.get("numFmtId") or 0)
        code = custom[number] if number in custom else builtin_format_code(number)
        if is_date_format(code):
            dates.add(i)
        if is_timedelta_format(code):
            timedeltas.add(i)
    return frozenset(dates), frozenset(timedeltas), len(xfs)


# -- cell data ------------------------------------------------------------------------------


def read_cells_part(archive: zipfile.ZipFile, path: str) -> bytes:
    """A sheet part, decompressed only as far as the end of its cell data (all of it if that end is not found).

    openpyxl's read-only reader does not read on after the rows it needs
    either, so neither checks the checksum of a part it has not read to the end.
    The part is read through a bounded stream, its prolog refused if it
    declares a DTD (:class:`~planner.participants.archive.Prolog`).
    """
    prolog = Prolog(path)
    with BoundedPart(archive, archive.getinfo(path)) as stream:
        chunks: list[bytes] = []
        overlap = b""
        while chunk := stream.read(_READ):
            prolog.feed(chunk)
            chunks.append(chunk)
            if _CELLS_END in overlap + chunk[: len(_CELLS_END)] or _CELLS_END in chunk:
                break
            overlap = chunk[-len(_CELLS_END):]
    return b"".join(chunks)


def _has_markup(part: bytes, mark: int, start: int, end: int) -> bool:
    """Whether ``<`` followed by ``mark`` (``!`` or ``?``) begins in ``part[start:end]``.

    The rare second character is searched for, not ``<``, which is everywhere.
    """
    i = part.find(mark, start + 1, end)
    while i >= 0:
        if part[i - 1] == 0x3C:  # "<"
            return True
        i = part.find(mark, i + 1, end)
    return False


def parse_cells(part: bytes, last_row: int | None = None, whole: Callable[[], bytes] | None = None
                ) -> tuple[ET.Element | None, Names]:
    """A sheet part's cell data (its ``sheetData`` element, ``None`` if it has none) and the tags in it.

    The part is parsed no further than needed. Without comments, CDATA
    sections, document types and processing instructions (other than the XML
    declaration) before the end of the cell data, every ``<`` starts a tag,
    so the first ``<sheetData`` and ``</sheetData>`` are the cell data's own
    tags, and what lies before it (sheet properties, views, column widths)
    and after it (validations, conditional formats, page set-up) is left
    out. When the root element declares SpreadsheetML as the default
    namespace and the part is UTF-8, the cell data is parsed on its own, with
    plain tags; otherwise (or when that fails, as a prefix declared on the
    root makes it fail) with the root's start tag, unless something between
    them declares a default namespace; failing that, the whole part.

    With ``last_row``, parsing stops once a row after it has begun (openpyxl
    stops there too); the rows before it are complete. ``part`` may end after
    the cell data (:func:`read_cells_part`); ``whole`` then gives the whole
    part, for when it has to be parsed.
    """
    end = part.find(_CELLS_END)
    if end > 0 and not _has_markup(part, 0x21, 0, end) and not _has_markup(part, 0x3F, 1, end):
        opening = _ROOT_TAG.search(part, 0, end)
        start = part.find(b"<sheetData", 0, end)
        head_end = part.find(b">", opening.end(), end) + 1 if opening is not None else 0
        if opening is not None and 0 < head_end <= start and part[start + 10: start + 11] in _AFTER_NAME:
            cells = part[start: end + len(_CELLS_END)]
            if _main_by_default(part, opening.start(), head_end) and _utf8(part):
                try:
                    return _parse(cells, PLAIN, last_row), PLAIN
                except (ET.ParseError, Unsupported):
                    pass
            if _DEFAULT_NS.search(part, head_end, start) is None:
                try:
                    return _parse(b"".join((part[:head_end], cells, b"</", opening.group(1), b">")), QUALIFIED,
                                  last_row), QUALIFIED
                except (ET.ParseError, Unsupported):
                    pass
    root = ET.fromstring(whole() if whole is not None else part)
    data = root.find(QUALIFIED.sheet_data)
    if data is None and next(root.iter(QUALIFIED.row), None) is not None:
        raise Unsupported("rows outside the sheet data")
    return data, QUALIFIED


def _main_by_default(part: bytes, start: int, end: int) -> bool:
    """Whether the root start tag (``part[start:end]``) makes SpreadsheetML the default namespace, once."""
    return _MAIN_DEFAULT.search(part, start, end) is not None and len(_DEFAULT_NS.findall(part, start, end)) == 1


def _utf8(part: bytes) -> bool:
    """Whether a part without its XML declaration still reads the same (UTF-8)."""
    if not part.startswith(b"<?xml"):
        return True
    declared = _ENCODING.search(part, 0, part.find(b"?>"))
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


def _parse(doc: bytes, names: Names, last_row: int | None) -> ET.Element:
    """The ``sheetData`` element of ``doc``, parsed (with ``last_row``) until a later row has begun."""
    if last_row is None:
        root = ET.fromstring(doc)
        data = root if root.tag == names.sheet_data else root.find(names.sheet_data)
        if data is None:
            raise Unsupported("no cell data where it was cut out")
        return data
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start",))
    found: ET.Element | None = None
    for offset in range(0, len(doc), _CHUNK):
        parser.feed(doc[offset: offset + _CHUNK])
        if found is None:
            for _, element in cast(Iterator[tuple[str, ET.Element]], parser.read_events()):  # start events
                if element.tag == names.sheet_data:
                    found = element
                    break
        elif after(found, last_row, names):
            return found  # the rest is not parsed; later events are left unread
    parser.close()
    if found is None:
        raise Unsupported("no cell data where it was cut out")
    return found


def _number(row: ET.Element) -> int:
    """A row's number, or 0 when it has none written plainly (the reader then reports it)."""
    ref = row.get("r")
    return int(ref) if ref is not None and ref.isdigit() else 0


def after(data: ET.Element, last_row: int, names: Names) -> bool:
    """Whether the last row begun in the cell data is numbered after ``last_row``."""
    if not len(data):
        return False
    row = data[-1]
    ref = row.get("r")
    return row.tag == names.row and ref is not None and ref.isdigit() and int(ref) > last_row


def stream_cells(archive: zipfile.ZipFile, path: str, first_row: int, last_row: int) -> ET.Element | None:
    """A large sheet part's cell data, parsed as it is decompressed: memory stays bounded whatever the part holds.

    Rows before ``first_row`` and elements outside the cell data are dropped
    as soon as they end; parsing stops once a row after ``last_row`` has
    begun, or at the end of the cell data. Tags are namespaced
    (:data:`QUALIFIED`).
    """
    prolog = Prolog(path)
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    root: ET.Element | None = None
    found: ET.Element | None = None
    rows_seen = False
    depth = 0  # of the element an event is about (the root is 1); the tree may be parsed ahead of the events
    with BoundedPart(archive, archive.getinfo(path)) as stream:
        while chunk := stream.read(_READ):
            prolog.feed(chunk)
            parser.feed(chunk)
            for event, element in cast(Iterator[tuple[str, ET.Element]], parser.read_events()):
                if event == "start":
                    depth += 1
                    if root is None:
                        root = element
                    elif found is None and depth == 2 and element.tag == QUALIFIED.sheet_data:
                        found = element
                    elif element.tag == QUALIFIED.row:
                        rows_seen = True
                        if found is not None and depth == 3 and _number(element) > last_row:
                            return found  # a row after the last one needed has begun
                    continue
                depth -= 1
                if element is found:
                    return found  # the end of the cell data
                if found is not None and depth == 2:  # a child of the cell data has ended
                    if element.tag != QUALIFIED.row or 0 < _number(element) < first_row:
                        found.remove(element)  # (a row without a plain number is kept: the reader reports it)
                elif root is not None and found is None and depth == 1:
                    root.remove(element)  # sheet properties, views, column widths: not needed
    parser.close()
    if found is None and rows_seen:
        raise Unsupported("rows outside the sheet data")
    return found
