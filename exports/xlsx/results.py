"""What read-back works with and returns: the entered cells, findings, derived values, the report.

Finding codes (:data:`CODES`) are stable: scripts and the ``--json`` output
rely on them.
"""

from __future__ import annotations

from typing import Any, Final

from attrs import asdict, frozen

from exports.xlsx.meta import Metadata

CODES: Final = {  # code → what it means
    "CRF-TYPE": "a value of the wrong type",
    "CRF-RANGE": "a number outside the item's range",
    "CRF-CODE": "a value not in the codelist (or not Yes/No)",
    "CRF-MISSING": "a required value is missing",
    "CRF-WINDOW": "a date of assessment outside the visit window",
    "CRF-DERIVED": "a published score rejected the entered inputs",
    "CRF-ELIGIBILITY": "not eligible by the entered data or the checklist, or the two disagree",
    "CRF-MONITOR": "a safety monitoring rule fires",
}


@frozen
class Finding:
    """One problem in a filled CRF: its code, what is wrong, and where."""

    code: str
    message: str
    visit: str | None = None
    sheet: str | None = None
    cell: str | None = None
    item: str | None = None

    @property
    def where(self) -> str:
        """``Sheet!G12`` (or the sheet alone) for messages."""
        if self.sheet is None:
            return ""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet


@frozen
class DerivedValue:
    """A derived value recomputed from the entries at a visit (or over the study)."""

    id: str
    label: str
    visit: str
    value: float | int | None


@frozen
class CrfReport:
    """The review of one filled workbook."""

    protocol_id: str
    protocol_version: str
    participant_id: str | None
    findings: tuple[Finding, ...]
    derived: tuple[DerivedValue, ...]
    eligible: bool | None
    not_started: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return asdict(self, recurse=True) | {"clean": self.clean}


@frozen
class Cell:
    """An entered value and where it is (``coordinate`` like ``G12``)."""

    value: Any
    coordinate: str


@frozen
class Entries:
    """Everything entered in one workbook, by layout position (blank cells left out)."""

    cover: dict[str, Cell]  # participant, site, arm, anchor
    forms: dict[str, dict[str, dict[str, Cell]]]  # form id → column key → item name (or "") → cell
    logs: dict[str, list[tuple[int, dict[str, Cell]]]]  # form id → (row, item name → cell) per record
    answers: dict[str, Cell]  # criterion id → answer
    metadata: Metadata
