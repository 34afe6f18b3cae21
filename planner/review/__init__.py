"""Review of entered clinical data, whatever its source: types, ranges, codes, windows, scores, rules.

An adapter reads its source (the CRF workbook: :mod:`exports.xlsx.review`)
into a :class:`Capture` and says where each value is (:class:`Places`);
:class:`Reviewer` (loaded on first use) reviews it into a :class:`CrfReport`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from planner.review.capture import NOWHERE, STUDY, Capture, Entered, Entry, LogSlot, Place, Places, Slot
from planner.review.report import CODES, CrfReport, DerivedValue, Finding

if TYPE_CHECKING:
    from planner.review.review import Reviewer

__all__ = ["CODES", "NOWHERE", "STUDY", "Capture", "CrfReport", "DerivedValue", "Entered", "Entry", "Finding", "LogSlot", "Place",
           "Places", "Reviewer", "Slot"]


def __getattr__(name: str) -> Any:
    if name == "Reviewer":  # the reviewer loads the screener and the monitor: only when a review runs
        from planner.review.review import Reviewer

        return Reviewer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
