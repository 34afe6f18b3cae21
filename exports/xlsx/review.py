"""The CRF workbook as a source for the format-neutral review (:mod:`planner.review`).

:class:`WorkbookPlaces` says, from the workbook's :class:`~exports.xlsx.layout.Layout`,
which forms are collected at which visits and in which cell each value is
(``sheet`` and ``cell``, shown as ``Labs!G12``). :func:`capture` turns the
cells the reader found (:class:`~exports.xlsx.results.Entries`) into a
:class:`~planner.review.Capture`. :class:`Reviewer` and :func:`review` do
both and review the result.
"""

from __future__ import annotations

from typing import Final

from openpyxl.utils.cell import get_column_letter as _letter

from exports.xlsx.layout import (
    COVER_ANCHOR_ROW,
    COVER_ARM_ROW,
    COVER_ENTRY_COL,
    COVER_PARTICIPANT_ROW,
    ELIG_ANSWER_COL,
    FORM_DATE_ROW,
    LOG_FIRST_ITEM_COL,
    LOG_FIRST_RECORD_ROW,
    FormSheet,
    Layout,
)
from exports.xlsx.results import Entries, cell_place
from planner.review import Capture, CrfReport, LogSlot, Place, Slot
from planner.review.review import Reviewer as _Reviewer

__all__ = ["KEYS", "Reviewer", "WorkbookPlaces", "capture", "review"]

KEYS: Final[tuple[str, ...]] = ("sheet", "cell")
"""The fields of a place in a workbook."""

_COVER_ROWS: Final = {"participant": COVER_PARTICIPANT_ROW, "arm": COVER_ARM_ROW, "anchor": COVER_ANCHOR_ROW}


class WorkbookPlaces:
    """Where the CRF workbook of a :class:`Layout` keeps each value (:class:`planner.review.Places`)."""

    keys: tuple[str, ...] = KEYS

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.checklist = layout.eligibility is not None
        slots: list[Slot | LogSlot] = []
        for sheet in layout.forms:
            if isinstance(sheet, FormSheet):
                slots.extend(Slot(sheet.form, c.key, c.visit, c.heading) for c in sheet.columns)
            else:
                slots.append(LogSlot(sheet.form))
        self._slots = tuple(slots)
        self._derived = {} if layout.derived is None else {
            (placed.derivation.id, placed.visit): cell_place(layout.derived.title, f"{_letter(placed.col)}{placed.row}")
            for placed in layout.derived.cells}
        self._answers = {} if layout.eligibility is None else {
            cid: cell_place(layout.eligibility.title, f"{_letter(ELIG_ANSWER_COL)}{row}")
            for cid, row in layout.eligibility.rows}

    def slots(self) -> tuple[Slot | LogSlot, ...]:
        return self._slots

    def cover(self, key: str) -> Place:
        return cell_place(self.layout.cover, f"{_letter(COVER_ENTRY_COL)}{_COVER_ROWS[key]}")

    def _sheet(self, form_id: str) -> FormSheet:
        sheet = self.layout.sheet_of(form_id)
        assert isinstance(sheet, FormSheet)
        return sheet

    def date(self, form_id: str, key: str) -> Place:
        sheet = self._sheet(form_id)
        column = next(c for c in sheet.columns if c.key == key)
        return cell_place(sheet.title, f"{_letter(column.col)}{FORM_DATE_ROW}")

    def item(self, form_id: str, key: str, name: str) -> Place:
        sheet = self._sheet(form_id)
        column = next(c for c in sheet.columns if c.key == key)
        return cell_place(sheet.title, f"{_letter(column.col)}{sheet.item_rows[name]}")

    def log_item(self, form_id: str, number: int, name: str) -> Place:
        sheet = self.layout.sheet_of(form_id)
        assert sheet is not None
        col = LOG_FIRST_ITEM_COL + [it.name for it in sheet.form.items].index(name)
        return cell_place(sheet.title, f"{_letter(col)}{LOG_FIRST_RECORD_ROW + number - 1}")

    def answer(self, criterion_id: str) -> Place:
        return self._answers[criterion_id]

    def derived(self, derivation_id: str, key: str) -> Place:
        return self._derived.get((derivation_id, key), Place())

    def at_visit(self, name: str, visit_id: str) -> Place | None:
        found = self.layout.item_cell(name, visit_id)
        return None if found is None else cell_place(found[0], f"{_letter(found[2])}{found[1]}")

    def log(self, form_id: str) -> Place | None:
        sheet = self.layout.sheet_of(form_id)
        return None if sheet is None else cell_place(sheet.title, None)


def capture(layout: Layout, entries: Entries) -> Capture:
    """The cells of one workbook as the review reads them (each :class:`Cell` is an entry with its place)."""
    return Capture(
        cover=entries.cover, forms=entries.forms,
        logs={form_id: tuple((row - LOG_FIRST_RECORD_ROW + 1, found) for row, found in records)
              for form_id, records in entries.logs.items()},
        answers=entries.answers, participant_id=entries.metadata.participant_id)


class Reviewer:
    """The review of one protocol's workbooks, prepared once and reused for each workbook."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.reviewer = _Reviewer(WorkbookPlaces(layout), layout.protocol)

    def review(self, entries: Entries) -> CrfReport:
        """Review the entries of one workbook."""
        return self.reviewer.review(capture(self.layout, entries))


def review(layout: Layout, entries: Entries) -> CrfReport:
    """Review the entries of one workbook against the protocol of ``layout``.

    To review many workbooks of one protocol, make one :class:`Reviewer` and
    call its :meth:`~Reviewer.review` for each.
    """
    return Reviewer(layout).review(entries)
