"""What the review of one participant's entered data returns: findings, derived values, the verdict.

Finding codes (:data:`CODES`) are stable: scripts and the ``--json`` output
rely on them, whatever the source of the data.
"""

from __future__ import annotations

from typing import Any, Final

from attrs import field, frozen

from planner.review.capture import NOWHERE, Place

__all__ = ["CODES", "CrfReport", "DerivedValue", "Finding"]

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
    """One problem in the entered data: its code, what is wrong, and where."""

    code: str
    message: str
    visit: str | None = None
    item: str | None = None
    place: Place = NOWHERE

    @property
    def where(self) -> str:
        """Where it is, for people (``Labs!G12``; empty for the participant as a whole)."""
        return self.place.text


@frozen
class DerivedValue:
    """A derived value recomputed from the entries at a visit (or over the study)."""

    id: str
    label: str
    visit: str
    value: float | int | None


@frozen
class CrfReport:
    """The review of one participant's entered data (one filled workbook, one REDCap record …)."""

    protocol_id: str
    protocol_version: str
    participant_id: str | None
    findings: tuple[Finding, ...]
    derived: tuple[DerivedValue, ...]
    eligible: bool | None
    not_started: tuple[str, ...]
    place_keys: tuple[str, ...] = field(default=(), repr=False)
    """The fields of the source's places (``sheet``, ``cell``), given for every finding in :meth:`to_dict`."""

    @property
    def clean(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: each finding with its code, message, visit, place fields and item."""
        def finding(f: Finding) -> dict[str, Any]:
            fields = dict(f.place.fields)
            return {"code": f.code, "message": f.message, "visit": f.visit,
                    **{k: fields.get(k) for k in self.place_keys}, "item": f.item}

        return {"protocol_id": self.protocol_id, "protocol_version": self.protocol_version,
                "participant_id": self.participant_id, "findings": [finding(f) for f in self.findings],
                "derived": [{"id": d.id, "label": d.label, "visit": d.visit, "value": d.value} for d in self.derived],
                "eligible": self.eligible, "not_started": list(self.not_started), "clean": self.clean}
