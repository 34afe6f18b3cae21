"""Spreadsheet hygiene for text: every string that enters the CRF workbook goes through :func:`clean`.

Excel's rules, which a workbook must respect to open without a repair prompt:

* every part is XML 1.0, which cannot hold the control characters
  ``\\x00``–``\\x08``, ``\\x0b``, ``\\x0c``, ``\\x0e``–``\\x1f``, lone surrogates,
  U+FFFE or U+FFFF: :func:`clean` replaces each with U+FFFD (``�``), so the
  reader sees that something was there (rules in :mod:`planner.cleantext`);
* a sheet title has 1–31 characters, none of ``\\ * ? : / [ ]``, does not
  begin or end with an apostrophe, is unique ignoring case, and is not
  ``History`` (reserved) — :func:`clean_title` and :class:`TitleBook`, shared
  with the results workbook of ``screen`` and ``monitor``;
* data-validation titles have at most 32 characters, an input message at most
  255 and an error message at most 225; a cell holds at most 32,767
  characters: :func:`clean` cuts text to its limit, ending with ``…``.

Cells, data-validation titles and messages, page headers and footers, string
literals in formulas and the document properties are all cleaned here; sheet
titles through :func:`clean_title`, which applies the same character rule.

Text from a protocol that begins with ``= + - @`` is written as text, never as
a formula (STYLE.md habit 12): the cell gets the string type and Excel's
"quote prefix", so editing the cell later does not turn it into a formula.
"""

from __future__ import annotations

from typing import Final

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles.cell_style import StyleArray

from planner.cleantext import TITLE_MAX, TitleBook, clean_title, clip, xml_chars

__all__ = ["CELL_MAX", "DV_TITLE_MAX", "ERROR_MAX", "PROMPT_MAX", "TITLE_MAX", "TitleBook", "clean", "clean_title",
           "formula_string", "header_text", "own_style", "put_text"]

_FORMULA_LEAD: Final = ("=", "+", "-", "@")
CELL_MAX: Final = 32_767
PROMPT_MAX: Final = 255
ERROR_MAX: Final = 225
DV_TITLE_MAX: Final = 32


def clean(text: str, limit: int = CELL_MAX) -> str:
    """``text`` as the workbook can hold it: only XML 1.0 characters (others become ``�``), at most ``limit``.

    The one gate for text entering the CRF workbook: cells, data-validation
    titles (``DV_TITLE_MAX``) and messages (``PROMPT_MAX``, ``ERROR_MAX``),
    headers, formula strings and document properties. Text past ``limit``
    (counted as Excel does, in UTF-16 code units) ends with ``…``.
    """
    return clip(xml_chars(text), limit)


def cell_text(text: str) -> str:
    """``text`` as a cell holds it (see :func:`clean`)."""
    return clean(text, CELL_MAX)


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
    return clean(text).replace("&", "&&")


def formula_string(text: str) -> str:
    """A string literal for a formula: quotes doubled, inside double quotes."""
    return '"' + clean(text).replace('"', '""') + '"'
