"""Classification criteria: 2010 ACR/EULAR rheumatoid arthritis, 2013 ACR/EULAR SSc.

Both are points scores with a cut-off; the sources are the 2010 and 2013
ACR/EULAR criteria, as the project's literature notes summarise them and, for
the domain values, the published criteria tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from planner.expr.nodes import Ref, ifelse
from planner.scores._validate import whole
from planner.scores.formula import Derivation, points, total, whole_in, yes_no

if TYPE_CHECKING:
    from planner.expr.nodes import Expr

RA_2010_THRESHOLD: Final = 6
RA_2010_JOINT_POINTS: Final = (0, 1, 2, 3, 5)
RA_2010_SEROLOGY_POINTS: Final = (0, 2, 3)
SSC_2013_THRESHOLD: Final = 9
SSC_2013_MAX: Final = 28
"""9 (proximal skin thickening) + 19 (the highest score of all other items)."""

SSC_2013_ITEMS: Final = (
    "skin_thickening_proximal_to_mcp",
    "puffy_fingers",
    "sclerodactyly",
    "digital_tip_ulcers",
    "pitting_scars",
    "telangiectasia",
    "abnormal_nailfold_capillaries",
    "pah_or_ild",
    "raynaud",
    "ssc_antibodies",
)


def _if(name: str, then: object, otherwise: object = 0) -> Expr:
    return ifelse(Ref(name), then, otherwise)


RA_2010: Final = Derivation(
    "ra_2010_score", "2010 ACR/EULAR RA classification score", "points 0–10 (classified at ≥ 6)",
    (points("joints", *RA_2010_JOINT_POINTS), points("serology", *RA_2010_SEROLOGY_POINTS),
     whole_in("acute_phase", 0, 1), whole_in("duration", 0, 1)),
    total("joints", "serology", "acute_phase", "duration"), "2010 ACR/EULAR RA classification criteria",
    monotone=True, whole=True)
SSC_2013: Final = Derivation(
    "ssc_2013_score", "2013 ACR/EULAR SSc classification score", "points 0–28 (classified at ≥ 9)",
    tuple(yes_no(n) for n in SSC_2013_ITEMS),
    _if("skin_thickening_proximal_to_mcp", 9)
    + _if("sclerodactyly", 4, _if("puffy_fingers", 2))  # only the higher of the two counts
    + _if("pitting_scars", 3, _if("digital_tip_ulcers", 2))  # likewise
    + _if("telangiectasia", 2) + _if("abnormal_nailfold_capillaries", 2) + _if("pah_or_ild", 2)
    + _if("raynaud", 3) + _if("ssc_antibodies", 3),
    "2013 ACR/EULAR SSc classification criteria", monotone=True, whole=True)


def ra_2010_joint_score(large_joints: int, small_joints: int) -> int:
    """Points of the joint-involvement domain of the 2010 ACR/EULAR RA criteria.

    Source: 2010 ACR/EULAR RA classification criteria (the project's
    literature notes give only the domain range 0–5): 1 large joint = 0; 2–10 large joints = 1;
    1–3 small joints (with or without large) = 2; 4–10 small joints (with or
    without large) = 3; > 10 joints with at least one small joint = 5.
    Inputs: ``large_joints`` 0–10 (shoulders, elbows, hips, knees, ankles);
    ``small_joints`` 0–58, a plausibility limit (the 68-joint count less the
    10 large joints), not a figure from the criteria. Joints outside both
    lists (temporomandibular, acromioclavicular, sternoclavicular), which the
    criteria also count towards "> 10 joints", are not supported here.
    """
    large = whole("large_joints", large_joints, 0, 10)
    small = whole("small_joints", small_joints, 0, 58)
    if large + small > 10 and small >= 1:
        return 5
    if small >= 4:
        return 3
    if small >= 1:
        return 2
    if large >= 2:
        return 1
    return 0


def ra_2010_score(joints: int, serology: int, acute_phase: int, duration: int) -> int:
    """Total of the 2010 ACR/EULAR RA classification criteria (0–10).

    Source: 2010 ACR/EULAR RA classification criteria (joints 0–5, serology
    0–3, acute-phase reactants 0–1, duration 0–1). The published tables give only some values in those
    ranges, and only those are accepted: ``joints`` one of 0, 1, 2, 3, 5
    (see :func:`ra_2010_joint_score`); ``serology`` one of 0 (RF and ACPA
    negative), 2 (low-positive), 3 (high-positive); ``acute_phase`` 0 or 1
    (abnormal CRP or ESR); ``duration`` 0 or 1 (symptoms ≥ 6 weeks).
    """
    return int(RA_2010.compute({"joints": joints, "serology": serology, "acute_phase": acute_phase,
                                "duration": duration}))


def ra_2010_classified(score: int) -> bool:
    """Whether a 2010 ACR/EULAR RA criteria total classifies as definite RA (≥ 6/10).

    Source: 2010 ACR/EULAR RA classification criteria. Input: ``score`` a whole number 0–10.
    """
    return whole("score", score, 0, 10) >= RA_2010_THRESHOLD


def ssc_2013_score(
    *,
    skin_thickening_proximal_to_mcp: bool = False,
    puffy_fingers: bool = False,
    sclerodactyly: bool = False,
    digital_tip_ulcers: bool = False,
    pitting_scars: bool = False,
    telangiectasia: bool = False,
    abnormal_nailfold_capillaries: bool = False,
    pah_or_ild: bool = False,
    raynaud: bool = False,
    ssc_antibodies: bool = False,
) -> int:
    """Total of the 2013 ACR/EULAR systemic sclerosis classification criteria (0–28).

    Source: 2013 ACR/EULAR SSc classification criteria. Points: skin thickening of the fingers of both
    hands extending proximal to the MCP joints 9 (sufficient on its own);
    puffy fingers 2 or sclerodactyly 4 (only the higher counts); digital tip
    ulcers 2 or pitting scars 3 (only the higher counts); telangiectasia 2;
    abnormal nailfold capillaries 2; PAH and/or ILD 2; Raynaud's phenomenon 3;
    SSc-related autoantibodies 3.

    The sufficient item is combined with the others by plain addition: the
    total is the sum of all items, proximal thickening counting 9. So any
    patient with it scores ≥ 9 and is classified, and the other items still
    show in the total (useful for describing a cohort).

    Inputs: keyword-only ``bool`` values; an item not passed counts as absent.
    """
    return int(SSC_2013.compute({
        "skin_thickening_proximal_to_mcp": skin_thickening_proximal_to_mcp, "puffy_fingers": puffy_fingers,
        "sclerodactyly": sclerodactyly, "digital_tip_ulcers": digital_tip_ulcers, "pitting_scars": pitting_scars,
        "telangiectasia": telangiectasia, "abnormal_nailfold_capillaries": abnormal_nailfold_capillaries,
        "pah_or_ild": pah_or_ild, "raynaud": raynaud, "ssc_antibodies": ssc_antibodies}))


def ssc_2013_classified(score: int) -> bool:
    """Whether a 2013 ACR/EULAR SSc criteria total classifies as definite SSc (≥ 9).

    Source: 2013 ACR/EULAR SSc classification criteria. Input: ``score`` a whole number 0–28.
    """
    return whole("score", score, 0, SSC_2013_MAX) >= SSC_2013_THRESHOLD
