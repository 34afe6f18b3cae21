"""XLSForm (ODK Central, KoboToolbox, OpenClinica 4): the study as one form with ``survey``, ``choices`` and ``settings``.

:func:`exports.xlsform.form.build` makes the rows (one group per CRF form, a
repeat per log form, questions with constraints, calculations for scores,
eligibility and safety rules); :func:`workbook` writes them with openpyxl;
:mod:`exports.xlsform.validate` converts the workbook with pyxform and runs
ODK Validate on the XForm (the tests run both). Rules and scores are written
in ODK XPath by :mod:`exports.xlsform.xpath`, the ODK dialect of the one
XPath walk in :mod:`planner.expr.formal`.

Text enters the cells as text: characters XML refuses become U+FFFD, a
leading ``= + - @`` never makes a formula, and ``${`` in a label, hint or
message gets an invisible WORD JOINER (U+2060) after its ``$`` so that pyxform
does not read it as a reference to a question (see docs/export-xlsform.md).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import IO, Any

from exports.xlsform.form import CHOICE_COLUMNS, SETTINGS_COLUMNS, SURVEY_COLUMNS, XLSForm, build
from exports.xlsform.names import Unmappable
from planner.model import Protocol

__all__ = ["Unmappable", "XLSForm", "build", "to_bytes", "workbook", "write"]

TEXT_COLUMNS = frozenset({"label", "hint", "constraint_message", "form_title"})
"""Columns pyxform reads ``${name}`` references in but that hold protocol text."""
WORD_JOINER = "\u2060"


def text_cell(column: str, text: str) -> str:
    """``text`` as a cell of ``column`` must hold it: protocol text keeps no ``${`` for pyxform to resolve."""
    return text.replace("${", "$" + WORD_JOINER + "{") if column in TEXT_COLUMNS else text


def workbook(form: XLSForm, protocol: Protocol) -> Any:
    """The openpyxl workbook of ``form``: ``survey``, ``choices``, ``settings`` and ``about``."""
    from openpyxl import Workbook

    from exports.xlsx import text

    def put_text(cell: Any, value: str) -> None:
        cell.style = "Normal"  # a cell of its own style first: put_text's quote prefix (for a leading '=') needs one
        text.put_text(cell, value)

    wb = Workbook()
    wb.remove(wb.worksheets[0])
    sheets = (("survey", SURVEY_COLUMNS, form.survey), ("choices", CHOICE_COLUMNS, form.choices),
              ("settings", SETTINGS_COLUMNS, [form.settings]))
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
        for c, column in enumerate(columns, 1):
            put_text(ws.cell(1, c), column)
        for r, row in enumerate(rows, 2):
            for c, column in enumerate(columns, 1):
                if row.get(column):
                    put_text(ws.cell(r, c), text_cell(column, row[column]))
    about = wb.create_sheet("about")
    lines = [("protocol", f"{protocol.id} version {protocol.version}"),
             ("written by", "protocol-planner (export --to xlsform); pyxform reads the survey, choices and settings "
                            "sheets and ignores this one"), *form.about]
    for r, (what, why) in enumerate(lines, 1):
        put_text(about.cell(r, 1), what)
        put_text(about.cell(r, 2), why)
    wb.properties.creator = "protocol-planner"
    wb.properties.created = dt.datetime.combine(protocol.date, dt.time())
    return wb


def to_bytes(protocol: Protocol) -> bytes:
    """The XLSForm workbook of ``protocol`` (.xlsx), or :class:`Unmappable` naming every name it cannot carry."""
    buffer = io.BytesIO()
    workbook(build(protocol), protocol).save(buffer)
    return buffer.getvalue()


def write(protocol: Protocol, stream: IO[bytes]) -> None:
    stream.write(to_bytes(protocol))
