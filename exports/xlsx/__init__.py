"""Excel case-report forms: one workbook per protocol (or per participant), and their read-back.

``write(protocol, stream, participant_id=None, log_rows=20)`` writes the CRF
workbook to a binary stream (the interface of :mod:`exports`). The workbook
has a cover sheet, the schedule of activities, the eligibility checklist, one
sheet per form, the derived values, the codes and a hidden metadata sheet;
see docs/export-xlsx.md. Read a filled workbook back with
:func:`exports.xlsx.read.read_crf`.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import BinaryIO

from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.workbook.workbook import Workbook

from exports.xlsx import forms, meta, sheets, styles
from exports.xlsx.context import Context
from exports.xlsx.layout import FormSheet, Layout, plan
from exports.xlsx.text import clean
from exports.xlsx.validation import Validations
from planner.model import Protocol

__all__ = ["Layout", "build_workbook", "plan", "write"]


def build_workbook(protocol: Protocol, *, participant_id: str | None = None, log_rows: int = 20) -> Workbook:
    """The CRF workbook of ``protocol`` (with ``participant_id`` filled in, if given)."""
    layout = plan(protocol, participant_id=participant_id, log_rows=log_rows)
    return render(layout)


def render(layout: Layout, *, shared_styles: bool = False) -> Workbook:
    """A workbook laid out as ``layout`` says.

    With ``shared_styles``, cells of one style share one style array (faster;
    see ``styles.Styler``): only for a workbook that is saved at once, since
    setting a style attribute of one of its cells would restyle all cells of
    that style.
    """
    wb = Workbook()
    ctx = Context(wb, layout, shared_styles=shared_styles)
    titles = [layout.cover, layout.schedule]
    titles += [layout.eligibility.title] if layout.eligibility is not None else []
    titles += [s.title for s in layout.forms]
    titles += [layout.derived.title] if layout.derived is not None else []
    titles += [layout.codes, layout.meta]
    first = wb.active
    assert first is not None
    first.title = titles[0]
    for title in titles[1:]:
        wb.create_sheet(title)
    dvs = {title: Validations() for title in titles}

    sheets.codes(ctx, wb[layout.codes])
    wb[layout.meta].sheet_state = "veryHidden"
    sheets.cover(ctx, wb[layout.cover], dvs[layout.cover])
    sheets.schedule(ctx, wb[layout.schedule])
    if layout.eligibility is not None:
        sheets.eligibility(ctx, wb[layout.eligibility.title], dvs[layout.eligibility.title])
    for sheet in layout.forms:
        if isinstance(sheet, FormSheet):
            forms.form_sheet(ctx, wb[sheet.title], sheet, dvs[sheet.title])
        else:
            forms.log_sheet(ctx, wb[sheet.title], sheet, dvs[sheet.title])
    if layout.derived is not None:
        sheets.derived(ctx, wb[layout.derived.title])
    forms.monitoring(ctx, {s.title: wb[s.title] for s in layout.forms})

    p = layout.protocol
    meta.write(wb[layout.meta], meta.Metadata(
        p.id, p.version, meta.content_hash(p), layout.participant_id,
        tuple(meta.range_ref(*block) for block in layout.entry_ranges())))
    for title in titles:
        dvs[title].apply(wb[title])
        styles.protect(wb[title])
    ctx.style.check()
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    wb.properties.creator = "protocol-planner"
    wb.properties.title = clean(f"Case report form: {p.short_title}", 200)
    wb.properties.subject = clean(f"{p.id} v{p.version}")
    wb.properties.keywords = clean(f"protocol-planner CRF {p.id}")
    wb.properties.created = dt.datetime.combine(p.date, dt.time())
    return wb


def write(protocol: Protocol, stream: BinaryIO, *, participant_id: str | None = None, log_rows: int = 20) -> None:
    """Write the CRF workbook of ``protocol`` to ``stream`` (binary, .xlsx)."""
    from exports.xlsx.seal import seal

    layout = plan(protocol, participant_id=participant_id, log_rows=log_rows)
    buffer = io.BytesIO()
    render(layout, shared_styles=True).save(buffer)
    stream.write(seal(buffer.getvalue()))  # what we wrote, part by part, for the overwrite guard
