"""Fill a CRF workbook programmatically: for tests, benchmarks, demonstrations and data migration.

:class:`Filling` holds the values of one participant by form, visit and
item; :func:`fill` writes them into the entry cells of an exported workbook
(through the :mod:`~exports.xlsx.layout`, so nothing else changes) and
returns the new workbook bytes. :func:`plausible_filling` makes a complete,
type-correct filling from a protocol's data dictionary, for a protocol's
author to adjust.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import Any

from attrs import field, frozen
from openpyxl import load_workbook

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
)
from exports.xlsx.text import put_text
from planner.model import Category, DataType, Item, Protocol, Range

DATE = ""
"""The item key of a form's "date of assessment" in :attr:`Filling.forms`."""


@frozen
class Filling:
    """One participant's entries: cover fields, form values by visit, log records, checklist answers.

    ``forms`` maps form id → visit id → item name → value (the key
    :data:`DATE` is the date of assessment); ``logs`` maps a log form id to
    its records; ``answers`` maps criterion id to ``"Yes"``/``"No"``/``"Unknown"``.
    """

    participant: str | None = None
    site: str | None = None
    arm: str | None = None
    day0: dt.date | None = None
    forms: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(factory=dict)
    logs: Mapping[str, Sequence[Mapping[str, Any]]] = field(factory=dict)
    answers: Mapping[str, str] = field(factory=dict)


def _put(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value


def fill(source: bytes, layout: Layout, filling: Filling) -> bytes:
    """The workbook ``source`` with the entries of ``filling`` written into it."""
    wb = load_workbook(io.BytesIO(source))
    cover = wb[layout.cover]
    for row, value in ((COVER_PARTICIPANT_ROW, filling.participant), (COVER_SITE_ROW, filling.site),
                       (COVER_ARM_ROW, filling.arm), (COVER_ANCHOR_ROW, filling.day0)):
        if value is not None:
            _put(cover.cell(row, COVER_ENTRY_COL), value)
    if layout.eligibility is not None:
        ws = wb[layout.eligibility.title]
        for cid, row in layout.eligibility.rows:
            if cid in filling.answers:
                _put(ws.cell(row, ELIG_ANSWER_COL), filling.answers[cid])
    for form_id, by_visit in filling.forms.items():
        sheet = layout.sheet_of(form_id)
        if not isinstance(sheet, FormSheet):
            raise KeyError(f"{form_id!r} is not a non-repeating form of the layout")
        ws = wb[sheet.title]
        for visit_id, values in by_visit.items():
            column = sheet.column(visit_id) if visit_id != "unscheduled" else sheet.columns[0]
            if column is None:
                raise KeyError(f"form {form_id!r} is not collected at visit {visit_id!r}")
            for name, value in values.items():
                row = FORM_DATE_ROW if name == DATE else sheet.item_rows[name]
                _put(ws.cell(row, column.col), value)
    for form_id, records in filling.logs.items():
        sheet = layout.sheet_of(form_id)
        if sheet is None or isinstance(sheet, FormSheet):
            raise KeyError(f"{form_id!r} is not a log form of the layout")
        ws = wb[sheet.title]
        for i, record in enumerate(records):
            for name, value in record.items():
                _put(ws.cell(LOG_FIRST_RECORD_ROW + i, sheet.item_cols[name]), value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plausible_value(item: Item, codes: Mapping[str, tuple[str, ...]], day: dt.date) -> Any:
    """A value of the right type (inside the item's range): the middle of a range, the first code, "No"."""
    if item.type in (DataType.INTEGER, DataType.DECIMAL):
        low, high = (item.range.low, item.range.high) if isinstance(item.range, Range) else (None, None)
        if low is not None and high is not None:
            middle = (low + high) / 2
        else:
            middle = low if low is not None else (high if high is not None else 1)
        return int(middle) if item.type is DataType.INTEGER else float(middle)
    if item.type is DataType.DATE:
        return day
    if item.type is DataType.BOOLEAN:
        return "No"
    if item.type is DataType.CODED:
        return codes.get(item.codelist or "", ("",))[0]
    return f"{item.label} (example)"


def plausible_filling(protocol: Protocol, layout: Layout, *, participant: str = "P001",
                      day0: dt.date = dt.date(2026, 1, 5), log_records: int = 1,
                      overrides: Mapping[str, Any] | None = None) -> Filling:
    """A complete filling of every form at every visit, dated on the nominal visit days.

    ``overrides`` replaces the value of an item (by name; ``form.item`` for
    log items) everywhere it is entered.
    """
    codes = {c.id: c.codes() for c in protocol.dictionary.codelists}
    overrides = overrides or {}
    forms: dict[str, dict[str, dict[str, Any]]] = {}
    logs: dict[str, list[dict[str, Any]]] = {}
    for sheet in layout.forms:
        form = sheet.form
        if isinstance(sheet, FormSheet):
            for column in sheet.columns:
                v = column.visit
                day = day0 + dt.timedelta(days=v.day) if v is not None and isinstance(v.day, int) else day0
                values: dict[str, Any] = {DATE: day}
                for it in form.items:
                    values[it.name] = overrides.get(it.name, plausible_value(it, codes, day))
                forms.setdefault(form.id, {})[column.key] = values
        else:
            logs[form.id] = [{it.name: overrides.get(f"{form.id}.{it.name}", plausible_value(it, codes, day0))
                              for it in form.items} for _ in range(log_records)]
    answers = {c.id: "Yes" if c.category is Category.INCLUSION else "No" for c in protocol.eligibility}
    arm = protocol.arms[0].id if protocol.arms else None
    return Filling(participant, "Site 1", arm, day0, forms, logs, answers)
