"""Converting one cell to the type of its data-dictionary item.

Cells come as text (CSV, JSON strings) or as typed values (XLSX numbers,
booleans and dates; JSON numbers and booleans). Each is converted to the
item's :class:`~planner.model.DataType` or refused with a message that says
what was expected; a blank cell is ``None`` (missing), never a default.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from typing import Literal

from planner.model import Codelist, DataType, Item, Range
from planner.participants.records import Value

TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})

_INT = re.compile(r"[+-]?\d+")
_DEC = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CellError(ValueError):
    """A cell that cannot be converted; the message says what was expected.

    ``kind`` says which: ``"type"`` (not a value of the item's type),
    ``"range"`` (outside the item's range) or ``"code"`` (not a code of its
    codelist, or not yes/no).
    """

    def __init__(self, message: str, kind: Literal["type", "range", "code"] = "type") -> None:
        super().__init__(message)
        self.kind = kind


def is_blank(raw: object) -> bool:
    """Whether a cell is empty: ``None`` or only white space."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def number_text(value: int | float) -> str:
    """A number as a person would type it: ``101`` rather than ``101.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def convert(raw: object, item: Item, codelist: Codelist | None = None, factor: float | None = None) -> Value | None:
    """``raw`` converted to ``item``'s type, or ``None`` when blank.

    ``factor`` converts a decimal given in another unit to the item's unit
    (from a ``name [unit]`` column header). Values outside the item's
    declared range and codes outside its codelist are refused.
    """
    if is_blank(raw):
        return None
    if isinstance(raw, str):
        raw = raw.strip()
    kind = item.type
    value: Value
    if kind is DataType.INTEGER:
        value = _integer(raw)
    elif kind is DataType.DECIMAL:
        value = _decimal(raw)
        if factor is not None:
            value = float(f"{value * factor:.12g}")  # 1.1 × 1000 is 1100, not 1100.0000000000002
    elif kind is DataType.BOOLEAN:
        value = _boolean(raw)
    elif kind is DataType.DATE:
        value = _date(raw)
    elif kind is DataType.CODED:
        value = _coded(raw, codelist)
    else:
        value = _text(raw)
    accepted = item.accepted
    if accepted is not None and isinstance(value, (int, float)) and value not in accepted:
        if not isinstance(item.range, Range) or item.range.low is None:  # the floor is the unit's, not declared
            raise CellError(f"{number_text(value)} is below zero, and a value in {item.unit} cannot be negative", "range")
        raise CellError(f"{number_text(value)} is outside the item's range {item.range}", "range")
    return value


def _integer(raw: object) -> int:
    if isinstance(raw, bool):
        raise CellError(f"expected a whole number, got {'yes' if raw else 'no'}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise CellError(f"expected a whole number, got {raw}")
    if isinstance(raw, str) and _INT.fullmatch(raw):
        return int(raw)
    raise CellError(f"expected a whole number, got {_show(raw)}")


def _decimal(raw: object) -> float:
    if isinstance(raw, bool):
        raise CellError(f"expected a number, got {'yes' if raw else 'no'}")
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise CellError(f"expected a finite number, got {raw}")
        return float(raw)
    if isinstance(raw, str):
        if _DEC.fullmatch(raw):
            return float(raw)
        if _DEC.fullmatch(raw.replace(",", ".", 1)):
            raise CellError(f"expected a number with a decimal point, got {raw!r} (write {raw.replace(',', '.', 1)})")
    raise CellError(f"expected a number, got {_show(raw)}")


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CellError(f"expected yes/no (also y/n, true/false, 1/0), got {_show(raw)}", "code")


def _date(raw: object) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0, 0):
            raise CellError(f"expected a date, got a date with a time of day ({raw.isoformat(sep=' ')})")
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and _DATE.fullmatch(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise CellError(f"{raw!r} is not a calendar date") from None
    raise CellError(f"expected a date as YYYY-MM-DD, got {_show(raw)}")


def _coded(raw: object, codelist: Codelist | None) -> str:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise CellError(f"expected a code, got {_show(raw)}")
    code = raw if isinstance(raw, str) else number_text(raw)
    if codelist is None:
        return code
    codes = codelist.codes()
    if code in codes:
        return code
    hint = _closest_code(code, codelist)
    listed = ", ".join(codes)
    raise CellError(f"{code!r} is not in codelist {codelist.id} ({listed})" + (f"; did you mean {hint!r}?" if hint else ""),
                    "code")


def _closest_code(code: str, codelist: Codelist) -> str | None:
    """The code a person probably meant: same code in other case, its decode, or a near spelling."""
    folded = code.casefold()
    for term in codelist.terms:
        if folded in (term.code.casefold(), term.decode.casefold()):
            return term.code
    close = difflib.get_close_matches(code, codelist.codes(), n=1, cutoff=0.6)
    return close[0] if close else None


def _text(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        raise CellError(f"expected text, got {'yes' if raw else 'no'}")
    if isinstance(raw, (int, float)):
        return number_text(raw)
    if isinstance(raw, dt.date):
        return raw.isoformat()
    raise CellError(f"expected text, got {_show(raw)}")


def _show(raw: object) -> str:
    if isinstance(raw, str):
        return repr(raw)
    if isinstance(raw, (dt.date, dt.time)):
        return f"{type(raw).__name__} {raw.isoformat()}"
    if isinstance(raw, (list, dict)):
        return "a list" if isinstance(raw, list) else "an object"
    return repr(raw)
