"""Data validation of entry cells: dropdowns, whole and decimal ranges, dates, yes/no, text length.

Each item gets a :class:`Rule` (a hashable description); cells with the
same rule on one sheet share one ``<dataValidation>`` element with many
ranges, which keeps the file small and quick to write. Every rule stops a
wrong entry with an error message that says what is allowed, and shows an
input message when the cell is selected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final, Literal

from attrs import frozen
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from exports.xlsx.text import DV_TITLE_MAX, ERROR_MAX, PROMPT_MAX, clean
from planner.model import TBC, Codelist, DataType, Item, Range, show

TEXT_MAX: Final = 2000
FIRST_DATE: Final = dt.date(1900, 1, 1)
LAST_DATE: Final = dt.date(2199, 12, 31)
_WHOLE_MIN, _WHOLE_MAX = -2_147_483_648, 2_147_483_647
_DECIMAL_LIMIT = "1E+300"


Kind = Literal["whole", "decimal", "list", "date", "textLength"]
Operator = Literal["between", "greaterThanOrEqual", "lessThanOrEqual"]


def serial(day: dt.date) -> int:
    """Excel's serial number of a date (1900 date system)."""
    return (day - dt.date(1899, 12, 30)).days


@frozen
class Rule:
    """One kind of validation: Excel's type, operator and formulas, with its messages."""

    type: Kind
    operator: Operator | None
    formula1: str
    formula2: str | None
    title: str
    prompt: str
    error: str


YES_NO: Final = Rule("list", None, '"Yes,No"', None, "Yes or No", "Choose Yes or No.",
                     "Choose Yes or No from the list.")
YES_NO_UNKNOWN: Final = Rule("list", None, '"Yes,No,Unknown"', None, "Yes, No or Unknown",
                             "Choose Yes, No or Unknown.", "Choose Yes, No or Unknown from the list.")
ANY_DATE: Final = Rule("date", "between", str(serial(FIRST_DATE)), str(serial(LAST_DATE)), "Date",
                       "A date, e.g. 2026-03-31.", "Enter a date (YYYY-MM-DD) between 1900 and 2199.")
SHORT_TEXT: Final = Rule("textLength", "lessThanOrEqual", str(TEXT_MAX), None, "Text",
                         f"Text, at most {TEXT_MAX} characters.", f"Text of at most {TEXT_MAX} characters.")


def _num(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _unit(item: Item) -> str:
    if isinstance(item.unit, TBC):
        return " (unit TO BE CONFIRMED)"
    return f" {item.unit}" if item.unit and item.unit != "1" else ""


def numeric_rule(item: Item) -> Rule:
    """A whole or decimal number, in the item's range when the protocol gives one."""
    whole = item.type is DataType.INTEGER
    kind: Kind = "whole" if whole else "decimal"
    noun = "a whole number" if whole else "a number"
    unit = _unit(item)
    rng = item.accepted  # the item's range, floored at zero where the unit cannot be negative
    if rng is not None and (rng.low is not None or rng.high is not None):
        if rng.low is not None and rng.high is not None:
            op: Operator = "between"
            f1, f2 = _num(rng.low), _num(rng.high)
            span = f"from {_num(rng.low)} to {_num(rng.high)}"
        elif rng.low is not None:
            op, f1, f2, span = "greaterThanOrEqual", _num(rng.low), None, f"of at least {_num(rng.low)}"
        else:
            assert rng.high is not None
            op, f1, f2, span = "lessThanOrEqual", _num(rng.high), None, f"of at most {_num(rng.high)}"
        note = f" Range {show(item.range)}." if isinstance(item.range, TBC) else ""
        return Rule(kind, op, f1, f2, "Allowed values", clean(f"{noun.capitalize()} {span}{unit}.{note}", PROMPT_MAX),
                    f"Enter {noun} {span}{unit}.")
    low, high = (str(_WHOLE_MIN), str(_WHOLE_MAX)) if whole else ("-" + _DECIMAL_LIMIT, _DECIMAL_LIMIT)
    note = f" Range {show(item.range)}." if isinstance(item.range, TBC) else ""
    return Rule(kind, "between", low, high, "Allowed values", clean(f"{noun.capitalize()}{unit}.{note}", PROMPT_MAX),
                f"Enter {noun}{unit}.")


def code_rule(codelist: Codelist, source: str) -> Rule:
    """A dropdown of the codelist's codes (listed on the Codes sheet at ``source``)."""
    pairs = "; ".join(f"{t.code} = {t.decode}" for t in codelist.terms)
    return Rule("list", None, source, None, codelist.name, f"Choose a code: {pairs}",
                f"Choose a code of '{codelist.name}' from the list: {pairs}")


def item_rule(item: Item, code_sources: Mapping[str, tuple[Codelist, str]]) -> Rule:
    """The validation rule of an item's entry cells."""
    if item.type in (DataType.INTEGER, DataType.DECIMAL):
        return numeric_rule(item)
    if item.type is DataType.BOOLEAN:
        return YES_NO
    if item.type is DataType.DATE:
        return ANY_DATE
    if item.type is DataType.CODED and item.codelist is not None and item.codelist in code_sources:
        codelist, source = code_sources[item.codelist]
        return code_rule(codelist, source)
    return SHORT_TEXT


def allowed_text(item: Item, codelists: Mapping[str, Codelist]) -> str:
    """What the "Allowed values" column shows for an item."""
    if item.type is DataType.CODED:
        codelist = codelists.get(item.codelist or "")
        if codelist is None:
            return f"codes of {item.codelist}"
        return "\n".join(f"{t.code} = {t.decode}" for t in codelist.terms)
    if item.type is DataType.BOOLEAN:
        return "Yes / No"
    if item.type is DataType.DATE:
        return "date (YYYY-MM-DD)"
    if item.type is DataType.TEXT:
        return "text"
    noun = "whole number" if item.type is DataType.INTEGER else "number"
    if isinstance(item.range, Range):
        return f"{noun} {item.accepted}"
    floor = f" {item.accepted}" if item.accepted is not None else ""  # ≥ 0 for a quantity that cannot be negative
    if isinstance(item.range, TBC):
        return f"{noun}{floor}; range {show(item.range)}"
    return f"{noun}{floor}"


class Validations:
    """Collects the cells of each rule on one sheet, then adds one validation per rule.

    A block directly below the previous block of the same rule, over the same
    columns, extends it: consecutive items that share a rule get one range.
    """

    def __init__(self) -> None:
        self._blocks: dict[Rule, list[int]] = {}  # min_col, min_row, max_col, max_row of each block, in a row

    def add(self, rule: Rule, row: int, col: int, last_row: int | None = None, last_col: int | None = None) -> None:
        """Validate the cells from ``(row, col)`` to ``(last_row, last_col)`` with ``rule``."""
        last_row, last_col = last_row or row, last_col or col
        blocks = self._blocks.setdefault(rule, [])
        if blocks and blocks[-4] == col and blocks[-2] == last_col and blocks[-1] == row - 1:
            blocks[-1] = last_row
        else:
            blocks += (col, row, last_col, last_row)

    def apply(self, ws: Worksheet) -> None:
        """Add the collected validations to ``ws``."""
        for rule, blocks in self._blocks.items():
            dv = DataValidation(
                type=rule.type, operator=rule.operator, formula1=rule.formula1, formula2=rule.formula2,
                allow_blank=True, showErrorMessage=True, showInputMessage=True, errorStyle="stop",
                errorTitle=clean(rule.title, DV_TITLE_MAX), error=clean(rule.error, ERROR_MAX),
                promptTitle=clean(rule.title, DV_TITLE_MAX), prompt=clean(rule.prompt, PROMPT_MAX),
            )
            dv.sqref = MultiCellRange([CellRange(min_col=blocks[i], min_row=blocks[i + 1], max_col=blocks[i + 2],
                                                 max_row=blocks[i + 3]) for i in range(0, len(blocks), 4)])
            ws.add_data_validation(dv)
