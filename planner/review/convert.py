"""An entered value as the type of its item, or the problem with it, for the review.

The conversion is the one screening uses (:func:`planner.participants.cells.convert`),
so a value means the same in a candidate file and in a CRF: numbers, dates as
``YYYY-MM-DD``, yes/no (also y/n, true/false, 1/0), codes of the codelist
(with a did-you-mean), the item's range. Its problem gets the review's code.
"""

from __future__ import annotations

from typing import Any

from planner.model import Codelist, Item
from planner.participants.cells import CellError
from planner.participants.cells import convert as convert_cell

_CODES = {"type": "CRF-TYPE", "range": "CRF-RANGE", "code": "CRF-CODE"}


def convert(item: Item, value: Any, codelist: Codelist | None) -> tuple[Any, str | None]:
    """The entered value as the item's type, or ``(None, "CODE|problem")``."""
    try:
        return convert_cell(value, item, codelist), None
    except CellError as exc:
        return None, f"{_CODES[exc.kind]}|{exc}"
