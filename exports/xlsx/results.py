"""What the workbook reader finds: the entered cells of one filled CRF, by layout position.

The review of those entries is format-neutral (:mod:`planner.review`);
:mod:`exports.xlsx.review` hands it these cells as a
:class:`~planner.review.Capture`.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from exports.xlsx.meta import Metadata
from planner.review.capture import Place


@frozen
class Cell:
    """An entered value and where it is (``coordinate`` like ``G12`` on ``sheet``): a review :class:`Entry`.

    The :attr:`place` is made only when a finding needs it: a workbook holds
    thousands of cells and most are fine.
    """

    value: Any
    coordinate: str
    sheet: str

    @property
    def place(self) -> Place:
        return cell_place(self.sheet, self.coordinate)


def cell_place(sheet: str, cell: str | None) -> Place:
    """A place in a workbook: ``sheet`` and ``cell`` for scripts, ``Sheet!G12`` for people."""
    return Place((("sheet", sheet), ("cell", cell)), f"{sheet}!{cell}" if cell else sheet)


@frozen
class Entries:
    """Everything entered in one workbook, by layout position (blank cells left out)."""

    cover: dict[str, Cell]  # participant, site, arm, anchor
    forms: dict[str, dict[str, dict[str, Cell]]]  # form id → column key → item name (or "") → cell
    logs: dict[str, list[tuple[int, dict[str, Cell]]]]  # form id → (row, item name → cell) per record
    answers: dict[str, Cell]  # criterion id → answer
    metadata: Metadata
