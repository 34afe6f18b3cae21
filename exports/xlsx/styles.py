"""Cell styles, page set-up and sheet protection of the CRF workbook.

Styles are registered once per workbook as named styles and assigned by name,
which is both fast and visible to a user in Excel's style gallery ("CRF
entry"). Entry cells are the only unlocked cells; every sheet is protected
(without a password: protection guards against slips, not against intent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from exports.xlsx.text import header_text, own_style, put_text

ENTRY: Final = "CRF entry"
ENTRY_DATE: Final = "CRF entry date"
PREFILLED: Final = "CRF prefilled"
LABEL: Final = "CRF label"
HEADER: Final = "CRF header"
TITLE: Final = "CRF title"
NOTE: Final = "CRF note"
DERIVED: Final = "CRF derived"
TBC_TEXT: Final = "CRF to be confirmed"
SAMPLE: Final = "CRF entry sample"
WHOLE: Final = "CRF derived whole"

DATE_FORMAT: Final = "yyyy-mm-dd"
ENTRY_FILL: Final = "FFF9E5"
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")

# conditional formats: Excel's own "bad" (red) and "neutral" (amber) colours
ALERT: Final = DifferentialStyle(font=Font(color="9C0006", bold=True),
                                 fill=PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid"))
CAUTION: Final = DifferentialStyle(font=Font(color="9C5700", bold=True),
                                   fill=PatternFill(start_color="FFEB9C", end_color="FFEB9C", fill_type="solid"))


def _style(name: str, *, bold: bool = False, size: float = 10, italic: bool = False, fill: str | None = None,
           border: bool = False, locked: bool = True, number_format: str = "General",
           align: Alignment = _WRAP_TOP, color: str | None = None) -> NamedStyle:
    style = NamedStyle(name=name)
    style.font = Font(name="Calibri", size=size, bold=bold, italic=italic, color=color)
    if fill is not None:
        style.fill = PatternFill(start_color=fill, end_color=fill, fill_type="solid")
    if border:
        style.border = _BOX
    style.alignment = align
    style.protection = Protection(locked=locked)
    style.number_format = number_format
    return style


def register(wb: Workbook, *, shared: bool = False) -> Styler:
    """Add the CRF's named styles to a workbook; the :class:`Styler` applies them (see there for ``shared``)."""
    centre = Alignment(horizontal="center", vertical="top", wrap_text=True)
    stamps: dict[str, StyleArray] = {}
    for style in (
        _style(ENTRY, fill=ENTRY_FILL, border=True, locked=False),
        _style(ENTRY_DATE, fill=ENTRY_FILL, border=True, locked=False, number_format=DATE_FORMAT),
        _style(PREFILLED, bold=True, border=True),
        _style(LABEL),
        _style(HEADER, bold=True, fill="D9E1F2", border=True),
        _style(TITLE, bold=True, size=14, align=Alignment(vertical="top")),
        _style(NOTE, italic=True, size=9, color="404040"),
        _style(DERIVED, fill="EDEDED", border=True, number_format="0.00", align=centre),
        _style(WHOLE, fill="EDEDED", border=True, number_format="0", align=centre),
        _style(SAMPLE, fill=ENTRY_FILL, border=True),
        _style(TBC_TEXT, bold=True, color="C00000"),
    ):
        wb.add_named_style(style)
        stamps[style.name] = style.as_tuple()
    return Styler(stamps, shared=shared)


def widths(ws: Worksheet, columns: Mapping[str, float]) -> None:
    """Set column widths (in characters) by column letter."""
    for letter, width in columns.items():
        ws.column_dimensions[letter].width = width


def page(ws: Worksheet, *, left: str, right: str, landscape: bool, title_rows: str | None = None,
         title_cols: str | None = None, name: str | None = None) -> None:
    """Print set-up: A4, fit to one page wide, repeated titles, header and footer.

    ``left`` and ``right`` are plain header texts (protocol id and version,
    participant); ``name`` goes in the centre (a form's full name, which its
    sheet title may have had to shorten or clean), else the sheet name; "Page
    n of m" goes in the footer.
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    properties = ws.sheet_properties.pageSetUpPr
    assert properties is not None
    properties.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.print_options.horizontalCentered = False
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None
    for part, text, size in ((header.left, header_text(left), 9), (header.center, header_text(name) if name else "&A", 9),
                             (header.right, header_text(right), 9),
                             (footer.left, "protocol-planner case report form", 8),
                             (footer.right, "Page &P of &N", 8)):
        part.text = text
        part.size = size


def protect(ws: Worksheet) -> None:
    """Protect a sheet: locked cells cannot change; columns and rows may still be resized."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


_LINE_HEIGHT = 13.0
_CHARS_PER_WIDTH = 1.35  # 10-point text fits about 1.35 characters per unit of column width (bold: 1.15)


def lines_needed(text: str, width: float, *, bold: bool = False) -> int:
    """Lines ``text`` takes when word-wrapped in a column ``width`` characters wide (an estimate)."""
    per_line = max(1, int(width * (1.15 if bold else _CHARS_PER_WIDTH)) - 1)
    if len(text) <= per_line and "\n" not in text:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            if used and used + 1 + len(word) <= per_line:
                used += 1 + len(word)
                continue
            if used:
                lines += 1
            while len(word) > per_line:
                lines += 1
                word = word[per_line:]
            used = len(word)
    return max(1, lines)


class Styler:
    """Applies the CRF's named styles to cells, and sizes rows to their wrapped text.

    :meth:`apply` has the effect of ``cell.style = name``, whose lookup
    searches the workbook's list of style names for every cell; here each
    style's array is found once and copied, which keeps the export close to
    the speed of writing bare cells.

    With ``shared``, cells of one style share one style array instead of each
    holding a copy: a large CRF has tens of thousands of styled cells, and the
    copies alone cost a tenth of its export time (mostly in garbage
    collection). openpyxl changes a cell's array in place when a style
    attribute of the cell is set, so a shared array would carry the change to
    every cell of the style: code that sets one must first call :meth:`own`,
    and :meth:`check` (after the last cell is written) raises if an array was
    changed in place. :func:`exports.xlsx.write` shares, because it saves the
    workbook at once; :func:`exports.xlsx.build_workbook`, which hands the
    workbook to its caller, does not.
    """

    def __init__(self, arrays: Mapping[str, StyleArray], *, shared: bool = False) -> None:
        self._arrays = {name: StyleArray(a) for name, a in arrays.items()}
        self._stamps = {name: tuple(a) for name, a in arrays.items()}
        self._shared = shared
        self._bold = {arrays[name].xfId for name in (HEADER, TITLE, PREFILLED, TBC_TEXT)}

    def apply(self, cell: Cell | MergedCell, name: str) -> None:
        """Give ``cell`` the named style ``name``."""
        array = self._arrays[name]
        cell._style = array if self._shared else StyleArray(array)  # type: ignore[union-attr]

    @staticmethod
    def own(cell: Cell | MergedCell) -> None:
        """Give ``cell`` its own copy of its style array, so that setting a style attribute changes only it."""
        own_style(cell)

    def check(self) -> None:
        """Raise if a shared style array was changed in place (a style attribute set without :meth:`own`)."""
        for name, array in self._arrays.items():
            if tuple(array) != self._stamps[name]:
                raise RuntimeError(f"the shared array of style {name!r} was changed in place: "
                                   "call Styler.own(cell) before setting a style attribute of a cell")

    def text(self, cell: Cell | MergedCell, text: str, name: str) -> None:
        """Style ``cell`` with ``name``, then write ``text`` (formula-looking text stays inert)."""
        self.apply(cell, name)
        put_text(cell, text)

    def fit_rows(self, ws: Worksheet, rows: range, cols: range) -> None:
        """Make each row tall enough for the wrapped text in ``cols`` (spreadsheets do not do it on opening)."""
        widths = {c: ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in cols}
        for r in rows:
            lines = 1
            for c in cols:
                cell = ws.cell(r, c)
                value = cell.value
                if isinstance(value, str) and cell.data_type == "s":
                    bold = cell._style.xfId in self._bold  # type: ignore[union-attr]
                    lines = max(lines, lines_needed(value, widths[c], bold=bold))
            if lines > 1:
                ws.row_dimensions[r].height = lines * _LINE_HEIGHT + 2

    def height(self, ws: Worksheet, row: int, texts: Sequence[str], widths: Sequence[float]) -> None:
        """Make ``row`` tall enough for ``texts`` of regular (not bold) text in columns ``widths`` wide."""
        lines = 1
        for text, width in zip(texts, widths, strict=True):
            if len(text) > width or "\n" in text:  # shorter text always fits
                lines = max(lines, lines_needed(text, width))
        if lines > 1:
            ws.row_dimensions[row].height = lines * _LINE_HEIGHT + 2

    def note(self, ws: Worksheet, row: int, text: str, last_col: int, style: str = NOTE) -> None:
        """A paragraph across columns 1…``last_col`` (merged), as tall as its text needs."""
        self.text(ws.cell(row, 1), text, style)
        if last_col > 1:
            # Registered directly: Worksheet.merge_cells would also create and border every covered cell (slow).
            ws.merged_cells.add(CellRange(min_col=1, min_row=row, max_col=last_col, max_row=row))
        width = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, last_col + 1))
        ws.row_dimensions[row].height = lines_needed(text, width) * _LINE_HEIGHT + 2
