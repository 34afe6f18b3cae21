"""Rheumatoid-arthritis disease activity: DAS28, EULAR response, SDAI, CDAI.

Formulas and cut-offs are those of the project's literature notes
(docs/sources.md, "Scores and grades"), which name no primary paper for them. Argument ranges:
TJC28 and SJC28 are whole numbers 0–28; the patient global health (GH) is
0–100 mm on a visual analogue scale; the patient and evaluator globals of
SDAI/CDAI are 0–10 cm; ESR (mm/h) must be > 0 because DAS28-ESR takes its
logarithm; CRP must be ≥ 0.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from planner.expr.nodes import Ref, ln, sqrt
from planner.scores._validate import finite, real, snap
from planner.scores.formula import Derivation, real_in, total, whole_in

_REFERENCE: Final = "project literature notes; no primary paper named (docs/sources.md)"
_JOINTS: Final = (whole_in("tjc28", 0, 28), whole_in("sjc28", 0, 28))
_GLOBALS: Final = (real_in("patient_global_cm", 0.0, 10.0), real_in("physician_global_cm", 0.0, 10.0))
_GH: Final = real_in("gh_mm", 0.0, 100.0)
_TJC, _SJC, _GH_MM = Ref("tjc28"), Ref("sjc28"), Ref("gh_mm")

DAS28_ESR: Final = Derivation(
    "das28_esr", "DAS28-ESR", "score (dimensionless)",
    (*_JOINTS, real_in("esr_mm_h", 0.0, low_open=True), _GH),
    0.56 * sqrt(_TJC) + 0.28 * sqrt(_SJC) + 0.70 * ln(Ref("esr_mm_h")) + 0.014 * _GH_MM,
    _REFERENCE)
DAS28_CRP: Final = Derivation(
    "das28_crp", "DAS28-CRP", "score (dimensionless)",
    (*_JOINTS, real_in("crp_mg_l", 0.0), _GH),
    0.56 * sqrt(_TJC) + 0.28 * sqrt(_SJC) + 0.36 * ln(Ref("crp_mg_l") + 1.0) + 0.014 * _GH_MM + 0.96,
    _REFERENCE)
SDAI: Final = Derivation(
    "sdai", "Simplified Disease Activity Index", "score, 0 upwards (CRP unbounded)",
    (*_JOINTS, *_GLOBALS, real_in("crp_mg_dl", 0.0)),
    _TJC + _SJC + total("patient_global_cm", "physician_global_cm") + Ref("crp_mg_dl"),
    _REFERENCE)
CDAI: Final = Derivation(
    "cdai", "Clinical Disease Activity Index", "score 0–76",
    (*_JOINTS, *_GLOBALS),
    _TJC + _SJC + total("patient_global_cm", "physician_global_cm"),
    _REFERENCE, monotone=True)

DAS28_REMISSION_BELOW: Final = 2.6
DAS28_MODERATE_FROM: Final = 3.2
DAS28_HIGH_ABOVE: Final = 5.1
DAS28_BOUNDARY_CONVENTION: Final = "remission < 2.6 ≤ low < 3.2 ≤ moderate ≤ 5.1 < high"
"""Which category each DAS28 cut-off belongs to (the sources leave it open at 3.2)."""

SDAI_CUTOFFS: Final = (3.3, 11.0, 26.0)
"""Upper bounds (inclusive) of SDAI remission, low and moderate; above the last is high."""

CDAI_CUTOFFS: Final = (2.8, 10.0, 22.0)
"""Upper bounds (inclusive) of CDAI remission, low and moderate; above the last is high."""


class DiseaseActivity(StrEnum):
    """A disease-activity category of DAS28, SDAI or CDAI."""

    REMISSION = "remission"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class EularResponse(StrEnum):
    """A EULAR response category (DAS28-based)."""

    GOOD = "good"
    MODERATE = "moderate"
    NONE = "none"


def das28_esr(tjc28: int, sjc28: int, esr_mm_h: float, gh_mm: float) -> float:
    """DAS28-ESR = 0.56·√TJC28 + 0.28·√SJC28 + 0.70·ln(ESR) + 0.014·GH.

    Source: the project's literature notes (no primary paper named there).
    Inputs: ``tjc28``, ``sjc28`` whole numbers 0–28; ``esr_mm_h`` > 0 (mm/h);
    ``gh_mm`` 0–100 (patient global health, mm VAS). An ESR below 1 mm/h
    makes the log term negative, so the result can be slightly below 0.
    """
    return DAS28_ESR.compute({"tjc28": tjc28, "sjc28": sjc28, "esr_mm_h": esr_mm_h, "gh_mm": gh_mm})


def das28_crp(tjc28: int, sjc28: int, crp_mg_l: float, gh_mm: float) -> float:
    """DAS28-CRP = 0.56·√TJC28 + 0.28·√SJC28 + 0.36·ln(CRP + 1) + 0.014·GH + 0.96.

    Source: the project's literature notes (no primary paper named there).
    Inputs: ``tjc28``, ``sjc28`` whole numbers 0–28; ``crp_mg_l`` ≥ 0 (mg/L,
    not mg/dL); ``gh_mm`` 0–100 (patient global health, mm VAS).
    """
    return DAS28_CRP.compute({"tjc28": tjc28, "sjc28": sjc28, "crp_mg_l": crp_mg_l, "gh_mm": gh_mm})


def das28_category(value: float) -> DiseaseActivity:
    """The disease-activity category of a DAS28 value (ESR or CRP form).

    Source: the project's literature notes: remission < 2.6, low < 3.2,
    moderate 3.2–5.1, high > 5.1. They leave the owner of 3.2 to us; the convention
    here (:data:`DAS28_BOUNDARY_CONVENTION`) is
    ``remission < 2.6 ≤ low < 3.2 ≤ moderate ≤ 5.1 < high``:
    2.6 is low, 3.2 is moderate, 5.1 is moderate. Note that the EULAR
    response criteria (:func:`eular_response`) count a current DAS28 of
    exactly 3.2 as "≤ 3.2", i.e. on the low side.
    Input: any finite number (DAS28-ESR can be slightly negative).
    """
    x = snap(finite("value", value))
    if x < DAS28_REMISSION_BELOW:
        return DiseaseActivity.REMISSION
    if x < DAS28_MODERATE_FROM:
        return DiseaseActivity.LOW
    if x <= DAS28_HIGH_ABOVE:
        return DiseaseActivity.MODERATE
    return DiseaseActivity.HIGH


def eular_response(baseline_das28: float, current_das28: float) -> EularResponse:
    """The EULAR response from a baseline and a current DAS28.

    Source: the project's literature notes: improvement = baseline − current; good =
    improvement > 1.2 and current ≤ 3.2; none = improvement ≤ 0.6, or
    improvement ≤ 1.2 with current > 5.1; otherwise moderate.
    Inputs: two finite DAS28 values (the same form, ESR or CRP, at both visits;
    this function cannot check that). A worsening is a negative improvement
    and gives "none".
    """
    baseline = finite("baseline_das28", baseline_das28)
    current = snap(finite("current_das28", current_das28))
    improvement = snap(baseline - current)
    if improvement > 1.2 and current <= 3.2:
        return EularResponse.GOOD
    if improvement <= 0.6 or (improvement <= 1.2 and current > 5.1):
        return EularResponse.NONE
    return EularResponse.MODERATE


def sdai(
    tjc28: int,
    sjc28: int,
    patient_global_cm: float,
    physician_global_cm: float,
    crp_mg_dl: float,
) -> float:
    """SDAI = TJC28 + SJC28 + patient global + evaluator global + CRP (mg/dL).

    Source: the project's literature notes give the SDAI cut-offs; the sum
    itself is the standard definition (the notes cite no primary paper).
    Inputs: ``tjc28``, ``sjc28`` whole numbers 0–28; both globals 0–10 cm;
    ``crp_mg_dl`` ≥ 0 in mg/dL (not mg/L: divide mg/L by 10).
    """
    return SDAI.compute({"tjc28": tjc28, "sjc28": sjc28, "patient_global_cm": patient_global_cm,
                         "physician_global_cm": physician_global_cm, "crp_mg_dl": crp_mg_dl})


def cdai(
    tjc28: int,
    sjc28: int,
    patient_global_cm: float,
    physician_global_cm: float,
) -> float:
    """CDAI = TJC28 + SJC28 + patient global + evaluator global (0–76).

    Source: the project's literature notes give the CDAI cut-offs; the sum
    itself is the standard definition (the notes cite no primary paper).
    Inputs: ``tjc28``, ``sjc28`` whole numbers 0–28; both globals 0–10 cm.
    """
    return CDAI.compute({"tjc28": tjc28, "sjc28": sjc28, "patient_global_cm": patient_global_cm,
                         "physician_global_cm": physician_global_cm})


def _by_cutoffs(x: float, cutoffs: tuple[float, float, float]) -> DiseaseActivity:
    remission, low, moderate = cutoffs
    if x <= remission:
        return DiseaseActivity.REMISSION
    if x <= low:
        return DiseaseActivity.LOW
    if x <= moderate:
        return DiseaseActivity.MODERATE
    return DiseaseActivity.HIGH


def sdai_category(value: float) -> DiseaseActivity:
    """The SDAI category: remission ≤ 3.3, low ≤ 11, moderate ≤ 26, high > 26.

    Source: the project's literature notes. Every cut-off belongs to the lower category.
    Input: a finite SDAI ≥ 0 (no upper limit, as CRP has none).
    """
    return _by_cutoffs(snap(real("value", value, 0.0)), SDAI_CUTOFFS)


def cdai_category(value: float) -> DiseaseActivity:
    """The CDAI category: remission ≤ 2.8, low ≤ 10, moderate ≤ 22, high > 22.

    Source: the project's literature notes. Every cut-off belongs to the lower category.
    Input: a CDAI in 0–76.
    """
    return _by_cutoffs(snap(real("value", value, 0.0, 76.0)), CDAI_CUTOFFS)
