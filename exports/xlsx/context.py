"""What every sheet writer needs: the workbook, the layout, and the cells of names at a visit."""

from __future__ import annotations

from collections.abc import Mapping

from openpyxl.utils.cell import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from exports.xlsx import styles
from exports.xlsx.formula import F, Ref
from exports.xlsx.layout import (
    COVER_ARM_ROW,
    COVER_ENTRY_COL,
    COVER_PARTICIPANT_ROW,
    LOG_FIRST_RECORD_ROW,
    Layout,
    LogSheet,
)
from exports.xlsx.translate import Locate, Translator, row_has_data
from planner.model import Codelist, Item, Protocol


def cell_ref(title: str, row: int, col: int, *, absolute_row: bool = True) -> str:
    """``'Sheet'!$G$8`` (or ``'Sheet'!$G8`` with a relative row, for per-row formats)."""
    dollar = "$" if absolute_row else ""
    return f"{quote_sheetname(title)}!${get_column_letter(col)}{dollar}{row}"


class Context:
    """The workbook being written, its layout, and lookups shared by the sheet writers."""

    def __init__(self, wb: Workbook, layout: Layout, *, shared_styles: bool = False) -> None:
        self.wb = wb
        self.style = styles.register(wb, shared=shared_styles)
        self.layout = layout
        self.protocol: Protocol = layout.protocol
        self.items: dict[str, Item] = {name: it for name, (_, it) in self.protocol.dictionary.items().items()}
        self.units = {name: (it.unit if isinstance(it.unit, str) else None) for name, it in self.items.items()}
        self.codelists: dict[str, Codelist] = {c.id: c for c in self.protocol.dictionary.codelists}
        self.code_sources: dict[str, tuple[Codelist, str]] = {}
        self.arm_source: str | None = None
        p = self.protocol
        self.header_left = f"{p.id} v{p.version}"
        self.header_right = f"Participant {layout.participant_id}" if layout.participant_id else "Participant: ________"

    @property
    def participant_ref(self) -> str:
        return cell_ref(self.layout.cover, COVER_PARTICIPANT_ROW, COVER_ENTRY_COL)

    @property
    def arm_ref(self) -> str:
        return cell_ref(self.layout.cover, COVER_ARM_ROW, COVER_ENTRY_COL)

    def sheet(self, title: str) -> Worksheet:
        return self.wb[title]

    def page(self, ws: Worksheet, *, landscape: bool, title_rows: str | None = None,
             title_cols: str | None = None, name: str | None = None) -> None:
        styles.page(ws, left=self.header_left, right=self.header_right, landscape=landscape,
                    title_rows=title_rows, title_cols=title_cols, name=name)

    # locating names ---------------------------------------------------------------------

    def at_visit(self, visit_id: str) -> Locate:
        """A locator of item and derived cells at one visit."""

        def locate(name: str) -> F | None:
            found = self.layout.item_cell(name, visit_id)
            return None if found is None else Ref(cell_ref(*found))

        return locate

    def log_locator(self, form_id: str, *, per_row: bool) -> tuple[Locate, F] | None:
        """A locator of a log form's items, and its "record has data" test.

        ``per_row`` gives the cells of the first record with a relative row
        (for a conditional format over the records); otherwise whole columns
        (for a count over the records).
        """
        sheet = self.layout.sheet_of(form_id)
        if not isinstance(sheet, LogSheet):
            return None
        cols: Mapping[str, int] = sheet.item_cols
        first, last = LOG_FIRST_RECORD_ROW, sheet.last_row

        def ref(col: int) -> Ref:
            if per_row:
                return Ref(cell_ref(sheet.title, first, col, absolute_row=False))
            letter = get_column_letter(col)
            return Ref(f"{quote_sheetname(sheet.title)}!${letter}${first}:${letter}${last}")

        def locate(name: str) -> F | None:
            form, _, short = name.rpartition(".")
            if form and form != form_id:
                return None
            col = cols.get(short)
            return None if col is None else ref(col)

        return locate, row_has_data([ref(c) for c in cols.values()])

    def translator(self, visit_id: str | None) -> Translator:
        """A translator of rule expressions at a visit (``None``: log counts only)."""

        def no_cell(name: str) -> F | None:
            return None

        return Translator(self.items, self.at_visit(visit_id) if visit_id else no_cell,
                          lambda form_id: self.log_locator(form_id, per_row=False), self.units)
