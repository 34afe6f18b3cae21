"""An entered CRF value as the type of its item, or the problem with it (for :mod:`planner.review`, whatever the source).

Entered text is read leniently where it is unambiguous: numbers typed as
text (with a decimal comma too), ISO dates as text, ``yes``/``no`` in any case.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from typing import Any

from planner.model import DataType, Item, Range

_YES = {"yes": True, "y": True, "no": False, "n": False}


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def convert(item: Item, value: Any, codes: tuple[str, ...], decodes: Mapping[str, str]) -> tuple[Any, str | None]:
    """The entered value as the item's type, or ``(None, problem)``; the problem's code comes first."""
    t = item.type
    if t in (DataType.INTEGER, DataType.DECIMAL):
        number: Any = value
        if isinstance(value, str):
            number = _number(value)
        if isinstance(number, bool) or not isinstance(number, int | float):
            return None, f"CRF-TYPE|{value!r} is not a number"
        if t is DataType.INTEGER:
            if not float(number).is_integer():
                return None, f"CRF-TYPE|{value!r} is not a whole number"
            number = int(number)
        if isinstance(item.range, Range) and number not in item.range:
            return None, f"CRF-RANGE|{value!r} is outside the allowed range {item.range}"
        return number, None
    if t is DataType.DATE:
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()), None
            except ValueError:
                pass
        return None, f"CRF-TYPE|{value!r} is not a date (YYYY-MM-DD)"
    if t is DataType.BOOLEAN:
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.strip().lower() in _YES:
            return _YES[value.strip().lower()], None
        return None, f"CRF-CODE|{value!r} is not Yes or No"
    if t is DataType.CODED:
        code = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
        if code in codes:
            return code, None
        hint = next((c for c, d in decodes.items() if d.casefold() == code.casefold()), None)
        hint = hint or next(iter(difflib.get_close_matches(code, codes, n=1)), None)
        tip = f"; did you mean {hint!r}?" if hint else f"; allowed: {', '.join(codes)}"
        return None, f"CRF-CODE|{value!r} is not a code of {item.codelist}{tip}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(), None
    return str(value), None
