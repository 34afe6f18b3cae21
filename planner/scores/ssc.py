"""Systemic sclerosis measures: modified Rodnan skin score and lung function.

Sources, as the project's literature notes give them: mRSS after Clements
1995; the EUSTAR improvement rule; FVC progression in SSc-ILD after Vonk 2021.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from planner.expr.nodes import Ref
from planner.scores._validate import real, snap, whole
from planner.scores.formula import Derivation, real_in, total, whole_in

MRSS_SITES: Final = (
    "fingers_right",
    "fingers_left",
    "hands_right",
    "hands_left",
    "forearms_right",
    "forearms_left",
    "upper_arms_right",
    "upper_arms_left",
    "face",
    "anterior_chest",
    "abdomen",
    "thighs_right",
    "thighs_left",
    "legs_right",
    "legs_left",
    "feet_right",
    "feet_left",
)
"""The 17 body sites of the mRSS, each graded 0–3."""

MRSS_MAX: Final = 3 * len(MRSS_SITES)
FVC_PCT_PRED_MAX: Final = 200.0
"""Plausibility limit for FVC % predicted (not from a source)."""

MRSS: Final = Derivation(
    "mrss_total", "Modified Rodnan skin score", "score 0–51",
    tuple(whole_in(site, 0, 3) for site in MRSS_SITES), total(*MRSS_SITES),
    "Clements 1995", monotone=True, whole=True)
FVC_CHANGE: Final = Derivation(
    "fvc_change", "Change in FVC", "% predicted (percentage points, current − baseline)",
    (real_in("baseline_pct_pred", 0.0, FVC_PCT_PRED_MAX, low_open=True),
     real_in("current_pct_pred", 0.0, FVC_PCT_PRED_MAX, low_open=True)),
    Ref("current_pct_pred") - Ref("baseline_pct_pred"),
    "Smolecule 2026 (FVC change as an SSc endpoint)")


def mrss_total(sites: Mapping[str, int]) -> int:
    """The modified Rodnan skin score: the sum of 17 site grades (0–51).

    Source: Clements 1995, as the project's literature notes give it.
    Input: a mapping with exactly the 17 names of :data:`MRSS_SITES`, each a
    whole number 0–3 (0 normal, 1 mild, 2 moderate, 3 severe thickening). A
    missing or unknown site name is an error, so a misspelt site cannot be
    silently left out of the total.
    """
    return int(MRSS.evaluate(MRSS.check(sites, "sites")))


def eustar_mrss_improvement(baseline: int, current: int) -> bool:
    """Whether the mRSS improved by the EUSTAR rule: a fall > 5 points and ≥ 25 %.

    Source: the EUSTAR improvement rule, as the project's literature notes give it. The 25 % is of the baseline
    score; both conditions must hold. A baseline of 0 can never improve.
    Inputs: ``baseline`` and ``current`` mRSS totals, whole numbers 0–51.
    """
    before = whole("baseline", baseline, 0, MRSS_MAX)
    after = whole("current", current, 0, MRSS_MAX)
    fall = before - after
    return fall > 5 and 4 * fall >= before


def fvc_change(baseline_pct_pred: float, current_pct_pred: float) -> float:
    """The absolute change in FVC, in percentage points of predicted (current − baseline).

    Source: Smolecule 2026 (FVC change as a secondary endpoint in SSc); FVC
    in SSc-ILD as the project's literature notes give it. A fall gives a negative number; the decline that
    :func:`ssc_ild_progression` takes is its negation.
    Inputs: both FVC values in % predicted, > 0 and ≤ 200 (the upper limit is
    a plausibility bound, not from a source).
    """
    return FVC_CHANGE.compute({"baseline_pct_pred": baseline_pct_pred, "current_pct_pred": current_pct_pred})


def ssc_ild_progression(
    fvc_decline_pct_points: float,
    dlco_decline_pct: float | None = None,
) -> bool | None:
    """Whether SSc-ILD progressed by the FVC/DLCO rule, or ``None`` if unknown.

    Source: Vonk 2021, as the project's literature notes give it: progression = FVC decline
    ≥ 10 % predicted, or 5–10 % with DLCO decline ≥ 15 %.

    The notes do not say whether "decline" is relative (per cent of the
    baseline value) or absolute. Here ``fvc_decline_pct_points`` is ABSOLUTE:
    percentage points of predicted (baseline % pred − current % pred; a
    positive number is a fall). ``dlco_decline_pct`` is taken in the same
    absolute sense and compared with 15 as given. The bands are
    decline ≥ 10 → ``True``; 5 ≤ decline < 10 → ``True`` if DLCO decline ≥ 15,
    ``False`` if it is smaller, ``None`` if DLCO is not given;
    decline < 5 → ``False`` (whatever DLCO did).
    Inputs: both declines finite, −200 to 200 (a rise is a negative decline);
    ``dlco_decline_pct`` may be ``None`` (not measured).
    """
    fvc = snap(real("fvc_decline_pct_points", fvc_decline_pct_points, -200.0, 200.0))
    dlco = (
        None
        if dlco_decline_pct is None
        else snap(real("dlco_decline_pct", dlco_decline_pct, -200.0, 200.0))
    )
    if fvc >= 10.0:
        return True
    if fvc < 5.0:
        return False
    if dlco is None:
        return None
    return dlco >= 15.0
