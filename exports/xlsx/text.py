"""Spreadsheet hygiene for text: sheet titles, cell text, header/footer and message limits.

Excel's rules, which a workbook must respect to open without a repair prompt:

* a sheet title has 1–31 characters, none of ``\\ * ? : / [ ]``, does not
  begin or end with an apostrophe, is unique ignoring case, and is not
  ``History`` (reserved);
* data-validation titles have at most 32 characters, an input message at most
  255 and an error message at most 225;
* a cell holds at most 32,767 characters and no control characters.

Text from a protocol that begins with ``= + - @`` is written as text, never as
a formula (STYLE.md habit 12): the cell gets the string type and Excel's
"quote prefix", so editing the cell later does not turn it into a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles.cell_style import StyleArray

_FORBIDDEN: Final = re.compile(r"[\\*?:/\[\]]")
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_LEAD: Final = ("=", "+", "-", "@")
TITLE_MAX: Final = 31
CELL_MAX: Final = 32_767
PROMPT_MAX: Final = 255
ERROR_MAX: Final = 225
DV_TITLE_MAX: Final = 32


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_title(text: str) -> str:
    """A legal sheet title for ``text`` (not yet made unique)."""
    title = _CONTROL.sub("", _FORBIDDEN.sub(" ", text))
    title = " ".join(title.split()).strip("'").strip()
    title = title[:TITLE_MAX].rstrip().strip("'")
    if not title or title.lower() == "history":
        title = f"Sheet {title}".strip()[:TITLE_MAX]
    return title


class TitleBook:
    """Hands out clean sheet titles that are unique within one workbook (ignoring case)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = {t.lower() for t in taken}

    def take(self, text: str) -> str:
        """A clean, unused title for ``text``; repeats get `` (2)``, `` (3)`` … within 31 characters."""
        base = clean_title(text)
        title, n = base, 1
        while title.lower() in self._taken:
            n += 1
            suffix = f" ({n})"
            title = base[: TITLE_MAX - len(suffix)].rstrip() + suffix
        self._taken.add(title.lower())
        return title


def cell_text(text: str) -> str:
    """``text`` without control characters and within Excel's cell limit."""
    text = _CONTROL.sub("", text) if _CONTROL.search(text) else text
    return clip(text, CELL_MAX)


def put_text(cell: Cell | MergedCell, text: str) -> None:
    """Write ``text`` into ``cell`` as a string, never as a formula or an error code.

    Set the cell's style first: assigning a style afterwards resets the quote
    prefix that keeps formula-looking text inert (see ``styles.write_text``).
    """
    if isinstance(cell, MergedCell):
        raise TypeError(f"cell {cell.coordinate} is inside a merged range; write to its first cell")
    value = cell_text(text)
    # Bound directly as a string: the ``value`` setter would scan the (already cleaned) text again and turn
    # "=…" into a formula and "#N/A" into an error.
    cell._value = value  # type: ignore[attr-defined]
    cell.data_type = "s"
    if value.startswith(_FORMULA_LEAD):
        own_style(cell)
        cell.quotePrefix = True


def own_style(cell: Cell | MergedCell) -> None:
    """Give ``cell`` its own copy of its style array (it may share one; see ``styles.Styler``)."""
    cell._style = StyleArray(cell._style)  # type: ignore[union-attr]


def header_text(text: str) -> str:
    """Text for a page header or footer: ``&`` starts a code there, so it is doubled."""
    return _CONTROL.sub("", text).replace("&", "&&")


def formula_string(text: str) -> str:
    """A string literal for a formula: quotes doubled, inside double quotes."""
    return '"' + text.replace('"', '""') + '"'
