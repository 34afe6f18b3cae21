"""Tests of planner.scores against hand-computed values (REFERENCE.md §2).

Each expected number is worked out by hand in the comment beside it; the
logarithms and square roots are quoted to 8 decimals.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import planner.scores
from planner.scores import (
    DAS28_BOUNDARY_CONVENTION,
    DERIVATIONS,
    MRSS_SITES,
    PER_PAW_0_3,
    PER_PAW_0_4,
    CiaScheme,
    DiseaseActivity,
    EularResponse,
    PasiRegion,
    ScoreInputError,
    cdai,
    cdai_category,
    cia_clinical_score,
    das28_category,
    das28_crp,
    das28_esr,
    eular_response,
    eustar_mrss_improvement,
    fvc_change,
    mrss_total,
    pasi,
    ra_2010_classified,
    ra_2010_joint_score,
    ra_2010_score,
    sdai,
    sdai_category,
    ssc_2013_classified,
    ssc_2013_score,
    ssc_ild_progression,
)
from planner.scores.pasi import PASI_INPUTS

R = DiseaseActivity.REMISSION
L = DiseaseActivity.LOW
M = DiseaseActivity.MODERATE
H = DiseaseActivity.HIGH

joints = st.integers(0, 28)
gh = st.floats(0, 100)


def _sites(**grades: int) -> dict[str, int]:
    """All 17 mRSS sites at 0, with the given ones overridden."""
    return {site: grades.get(site, 0) for site in MRSS_SITES}


# -- DAS28 ------------------------------------------------------------------


def test_das28_esr_hand_computed() -> None:
    # TJC 9, SJC 4, ESR 28, GH 60:
    # 0.56·√9 + 0.28·√4 + 0.70·ln 28 + 0.014·60
    # = 0.56·3 + 0.28·2 + 0.70·3.33220451 + 0.84
    # = 1.68 + 0.56 + 2.33254316 + 0.84 = 5.41254316
    assert pytest.approx(5.41254316, abs=1e-8) == das28_esr(9, 4, 28, 60)
    # TJC 16, SJC 9, ESR 1 (ln 1 = 0), GH 100: 0.56·4 + 0.28·3 + 0 + 1.4 = 4.48
    assert pytest.approx(4.48) == das28_esr(16, 9, 1, 100)
    # ESR 0.5 mm/h, nothing else: 0.70·ln 0.5 = 0.70·(−0.69314718) = −0.48520303
    assert pytest.approx(-0.48520303, abs=1e-8) == das28_esr(0, 0, 0.5, 0)


def test_das28_crp_hand_computed() -> None:
    # TJC 4, SJC 2, CRP 10 mg/L, GH 50:
    # 0.56·√4 + 0.28·√2 + 0.36·ln(10 + 1) + 0.014·50 + 0.96
    # = 1.12 + 0.28·1.41421356 + 0.36·2.39789527 + 0.7 + 0.96
    # = 1.12 + 0.39597980 + 0.86324230 + 0.7 + 0.96 = 4.03922210
    assert pytest.approx(4.03922210, abs=1e-8) == das28_crp(4, 2, 10, 50)
    # All zero: ln(0 + 1) = 0, so only the constant 0.96 is left.
    assert pytest.approx(0.96) == das28_crp(0, 0, 0, 0)
    # Maximum joints and GH, CRP 0: 0.56·√28 + 0.28·√28 + 1.4 + 0.96
    # = 0.84·5.29150262 + 2.36 = 4.44486220 + 2.36 = 6.80486220
    assert pytest.approx(6.80486220, abs=1e-8) == das28_crp(28, 28, 0, 100)


def test_integral_floats_count_as_whole_numbers() -> None:
    assert das28_crp(4, 2, 10, 50) == das28_crp(4.0, 2.0, 10, 50)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-0.5, R),
        (0.0, R),
        (2.59, R),
        (2.6, L),  # 2.6 is low
        (3.19, L),
        (3.2, M),  # 3.2 is moderate
        (5.1, M),  # 5.1 is moderate
        (5.11, H),
        (9.0, H),
    ],
)
def test_das28_category_boundaries(value: float, expected: DiseaseActivity) -> None:
    assert expected == das28_category(value)


def test_das28_category_snaps_float_noise() -> None:
    # In binary floating point 0.2 + 0.7 + 2.3 = 3.1999999999999997, which is 3.2;
    # likewise 0.1 + 0.2 + 2.3 = 2.5999999999999996 is 2.6.
    assert M == das28_category(0.2 + 0.7 + 2.3)
    assert L == das28_category(0.1 + 0.2 + 2.3)


def test_the_stated_das28_convention_is_the_one_the_function_applies() -> None:
    # "a < x ≤ b": the boundary x belongs to the category on the side of "≤".
    tokens = DAS28_BOUNDARY_CONVENTION.split()
    boundaries = 0
    for i in range(2, len(tokens) - 2, 4):
        left, op_left, x, op_right, right = tokens[i - 2:i + 3]
        owner = left if op_left == "≤" else right
        assert "≤" in (op_left, op_right)
        assert DiseaseActivity(owner) == das28_category(float(x))
        assert DiseaseActivity(left) == das28_category(float(x) - 0.01)
        assert DiseaseActivity(right) == das28_category(float(x) + 0.01)
        boundaries += 1
    assert 3 == boundaries


@given(
    st.integers(0, 27),
    joints,
    st.floats(0.5, 150),
    gh,
)
def test_das28_esr_increases_with_tender_joints(tjc: int, sjc: int, esr: float, g: float) -> None:
    assert das28_esr(tjc, sjc, esr, g) < das28_esr(tjc + 1, sjc, esr, g)


@given(joints, st.integers(0, 27), st.floats(0, 300), gh)
def test_das28_crp_increases_with_swollen_joints(tjc: int, sjc: int, crp: float, g: float) -> None:
    assert das28_crp(tjc, sjc, crp, g) < das28_crp(tjc, sjc + 1, crp, g)


@given(joints, joints, st.floats(0, 300), st.floats(0, 300), gh)
def test_das28_crp_monotone_in_crp(tjc: int, sjc: int, a: float, b: float, g: float) -> None:
    low, high = sorted((a, b))
    assert das28_crp(tjc, sjc, low, g) <= das28_crp(tjc, sjc, high, g)


@given(st.floats(-5, 12), st.floats(-5, 12))
def test_das28_category_is_monotone(a: float, b: float) -> None:
    order = list(DiseaseActivity)
    low, high = sorted((a, b))
    assert order.index(das28_category(low)) <= order.index(das28_category(high))


# -- EULAR response ---------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (6.0, 3.0, EularResponse.GOOD),  # improvement 3.0 > 1.2, current ≤ 3.2
        (6.0, 3.2, EularResponse.GOOD),  # current exactly 3.2 is "≤ 3.2"
        (6.0, 3.3, EularResponse.MODERATE),  # improvement 2.7 but current > 3.2
        (4.0, 2.8, EularResponse.MODERATE),  # improvement exactly 1.2 is not > 1.2
        (4.4, 3.2, EularResponse.MODERATE),  # 4.4 − 3.2 = 1.2000000000000002 → 1.2
        (7.0, 5.5, EularResponse.MODERATE),  # improvement 1.5 > 1.2, current > 5.1
        (6.5, 5.3, EularResponse.NONE),  # improvement 1.2 ≤ 1.2 with current > 5.1
        (6.3, 5.1, EularResponse.MODERATE),  # improvement 1.2, current 5.1 is not > 5.1
        (4.0, 3.4, EularResponse.NONE),  # 4.0 − 3.4 = 0.6000000000000001 → 0.6 ≤ 0.6
        (4.0, 3.3, EularResponse.MODERATE),  # improvement 0.7, current ≤ 5.1
        (3.0, 3.5, EularResponse.NONE),  # worse
    ],
)
def test_eular_response(baseline: float, current: float, expected: EularResponse) -> None:
    assert expected == eular_response(baseline, current)


@given(st.floats(0, 10), st.floats(0, 10))
def test_eular_good_needs_low_current(baseline: float, current: float) -> None:
    response = eular_response(baseline, current)
    if response is EularResponse.GOOD:
        assert current <= 3.2 + 1e-9
        assert baseline - current > 1.2 - 1e-9
    if baseline - current <= 0.6 - 1e-9:
        assert EularResponse.NONE == response


# -- SDAI and CDAI ----------------------------------------------------------


def test_sdai_and_cdai_hand_computed() -> None:
    # SDAI = 4 + 2 + 5.5 + 3.0 + 1.2 = 15.7;  CDAI = 4 + 2 + 5.5 + 3.0 = 14.5
    assert pytest.approx(15.7) == sdai(4, 2, 5.5, 3.0, 1.2)
    assert pytest.approx(14.5) == cdai(4, 2, 5.5, 3.0)
    # Maxima: CDAI 28 + 28 + 10 + 10 = 76
    assert pytest.approx(76.0) == cdai(28, 28, 10, 10)


@given(joints, joints, st.floats(0, 10), st.floats(0, 10), st.floats(0, 30))
def test_sdai_is_cdai_plus_crp(tjc: int, sjc: int, pga: float, ega: float, crp: float) -> None:
    assert pytest.approx(cdai(tjc, sjc, pga, ega) + crp) == sdai(tjc, sjc, pga, ega, crp)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, R), (3.3, R), (3.31, L), (11, L), (11.01, M), (26, M), (26.01, H), (90, H)],
)
def test_sdai_category_boundaries(value: float, expected: DiseaseActivity) -> None:
    assert expected == sdai_category(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, R), (2.8, R), (2.81, L), (10, L), (10.01, M), (22, M), (22.01, H), (76, H)],
)
def test_cdai_category_boundaries(value: float, expected: DiseaseActivity) -> None:
    assert expected == cdai_category(value)


def test_sdai_category_snaps_a_computed_sum() -> None:
    # 1 + 1 + (0.1 + 0.1) + 1.1 = 3.3000000000000003 in binary floating point,
    # which is 3.3: remission, not low.
    assert 3.3 != sdai(1, 1, 0.1, 0.1, 1.1)
    assert R == sdai_category(sdai(1, 1, 0.1, 0.1, 1.1))


# -- PASI -------------------------------------------------------------------


def test_pasi_hand_computed() -> None:
    regions = {
        "head": PasiRegion(erythema=2, induration=1, scaling=1, area=2),  # 0.1·4·2 = 0.8
        "arms": PasiRegion(erythema=3, induration=2, scaling=2, area=3),  # 0.2·7·3 = 4.2
        "trunk": PasiRegion(erythema=1, induration=1, scaling=0, area=1),  # 0.3·2·1 = 0.6
        "legs": PasiRegion(erythema=4, induration=3, scaling=3, area=4),  # 0.4·10·4 = 16
    }
    # 0.8 + 4.2 + 0.6 + 16 = 21.6
    assert 21.6 == pasi(regions)


def test_pasi_extremes() -> None:
    clear = PasiRegion(0, 0, 0, 0)
    worst = PasiRegion(4, 4, 4, 6)
    assert 0.0 == pasi(dict.fromkeys(("head", "arms", "trunk", "legs"), clear))
    # (0.1 + 0.2 + 0.3 + 0.4)·12·6 = 72
    assert 72.0 == pasi(dict.fromkeys(("head", "arms", "trunk", "legs"), worst))


grade = st.integers(0, 4)
region = st.builds(PasiRegion, grade, grade, grade, st.integers(0, 6))


@given(region, region, region, region)
def test_pasi_is_the_weighted_sum(
    head: PasiRegion, arms: PasiRegion, trunk: PasiRegion, legs: PasiRegion
) -> None:
    value = pasi({"head": head, "arms": arms, "trunk": trunk, "legs": legs})
    by_hand = sum(
        w * (r.erythema + r.induration + r.scaling) * r.area
        for w, r in ((0.1, head), (0.2, arms), (0.3, trunk), (0.4, legs))
    )
    assert 0 <= value <= 72
    assert pytest.approx(by_hand) == value


def test_pasi_region_errors() -> None:
    with pytest.raises(ScoreInputError, match="erythema=5 is outside 0–4"):
        PasiRegion(erythema=5, induration=0, scaling=0, area=0)
    with pytest.raises(ScoreInputError, match="area=7 is outside 0–6"):
        PasiRegion(erythema=0, induration=0, scaling=0, area=7)
    with pytest.raises(ScoreInputError, match="scaling=1.5 is not a whole number"):
        PasiRegion(erythema=0, induration=0, scaling=1.5, area=0)  # type: ignore[arg-type]
    clear = PasiRegion(0, 0, 0, 0)
    with pytest.raises(ScoreInputError, match="missing legs"):
        pasi({"head": clear, "arms": clear, "trunk": clear})
    with pytest.raises(ScoreInputError, match="unknown 'neck'"):
        pasi({"head": clear, "arms": clear, "trunk": clear, "legs": clear, "neck": clear})
    with pytest.raises(ScoreInputError, match="is not a PasiRegion"):
        pasi({"head": clear, "arms": clear, "trunk": clear, "legs": (0, 0, 0, 0)})  # type: ignore[dict-item]


# -- mRSS and EUSTAR improvement ----------------------------------------------


def test_mrss_sites() -> None:
    assert 17 == len(MRSS_SITES) == len(set(MRSS_SITES))


def test_mrss_total_hand_computed() -> None:
    # fingers 2 + 2, hands 1 + 1, face 1, everything else 0: 7
    sites = _sites(fingers_right=2, fingers_left=2, hands_right=1, hands_left=1, face=1)
    assert 7 == mrss_total(sites)
    assert 51 == mrss_total(dict.fromkeys(MRSS_SITES, 3))  # 17·3


@given(st.lists(st.integers(0, 3), min_size=17, max_size=17))
def test_mrss_total_is_the_sum(grades: list[int]) -> None:
    assert sum(grades) == mrss_total(dict(zip(MRSS_SITES, grades, strict=True)))


def test_mrss_errors() -> None:
    sites = _sites()
    del sites["face"]
    with pytest.raises(ScoreInputError, match="missing face"):
        mrss_total(sites)
    with pytest.raises(ScoreInputError, match="did you mean 'fingers_right'"):
        mrss_total({**_sites(), "finger_right": 1})
    with pytest.raises(ScoreInputError, match="abdomen=4 is outside 0–3"):
        mrss_total(_sites(abdomen=4))
    with pytest.raises(ScoreInputError, match="abdomen=-1 is outside 0–3"):
        mrss_total(_sites(abdomen=-1))


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (20, 14, True),  # fall 6 > 5 and 6/20 = 30 % ≥ 25 %
        (20, 15, False),  # fall 5 is not > 5
        (24, 18, True),  # fall 6, 6/24 = 25 % exactly
        (28, 22, False),  # fall 6 but 6/28 = 21 %
        (6, 0, True),  # fall 6, 100 %
        (10, 12, False),  # worse
    ],
)
def test_eustar_mrss_improvement(baseline: int, current: int, expected: bool) -> None:
    assert expected == eustar_mrss_improvement(baseline, current)


@given(st.integers(0, 51), st.integers(0, 51))
def test_eustar_improvement_definition(baseline: int, current: int) -> None:
    fall = baseline - current
    expected = fall > 5 and fall >= 0.25 * baseline
    assert expected == eustar_mrss_improvement(baseline, current)


# -- FVC and SSc-ILD progression ------------------------------------------------


def test_fvc_change() -> None:
    assert pytest.approx(-7.5) == fvc_change(80, 72.5)  # 72.5 − 80
    assert pytest.approx(4.0) == fvc_change(60, 64)


@pytest.mark.parametrize(
    ("fvc", "dlco", "expected"),
    [
        (10, None, True),  # ≥ 10 on its own
        (12, 0, True),  # DLCO does not matter above 10
        (9.99, None, None),  # 5–10 without DLCO: unknown
        (7, 15, True),  # 5–10 with DLCO ≥ 15
        (7, 14.9, False),
        (5, None, None),  # 5 is inside 5–10
        (5, 20, True),
        (4.99, 20, False),  # below 5: never
        (0, None, False),
        (-3, None, False),  # FVC rose
    ],
)
def test_ssc_ild_progression(fvc: float, dlco: float | None, expected: bool | None) -> None:
    assert expected == ssc_ild_progression(fvc, dlco)


def test_ssc_ild_progression_snaps_float_noise() -> None:
    # 66.6 − 56.6 = 9.999999999999993 in binary floating point: a 10-point decline.
    assert True is ssc_ild_progression(-fvc_change(66.6, 56.6))


# -- 2013 ACR/EULAR SSc -------------------------------------------------------


def test_ssc_2013_items() -> None:
    assert 0 == ssc_2013_score()
    assert 9 == ssc_2013_score(skin_thickening_proximal_to_mcp=True)
    assert 2 == ssc_2013_score(puffy_fingers=True)
    assert 4 == ssc_2013_score(sclerodactyly=True)
    assert 2 == ssc_2013_score(digital_tip_ulcers=True)
    assert 3 == ssc_2013_score(pitting_scars=True)
    assert 2 == ssc_2013_score(telangiectasia=True)
    assert 2 == ssc_2013_score(abnormal_nailfold_capillaries=True)
    assert 2 == ssc_2013_score(pah_or_ild=True)
    assert 3 == ssc_2013_score(raynaud=True)
    assert 3 == ssc_2013_score(ssc_antibodies=True)


def test_ssc_2013_higher_only() -> None:
    assert 4 == ssc_2013_score(puffy_fingers=True, sclerodactyly=True)  # not 2 + 4
    assert 3 == ssc_2013_score(digital_tip_ulcers=True, pitting_scars=True)  # not 2 + 3


def test_ssc_2013_totals_and_classification() -> None:
    everything = dict.fromkeys(inspect.signature(ssc_2013_score).parameters, True)
    # 9 + 4 + 3 + 2 + 2 + 2 + 3 + 3 = 28
    assert 28 == ssc_2013_score(**everything)
    # sclerodactyly 4 + Raynaud 3 + antibodies 3 = 10: classified
    assert 10 == ssc_2013_score(sclerodactyly=True, raynaud=True, ssc_antibodies=True)
    # puffy fingers 2 + Raynaud 3 + capillaries 2 = 7: not classified
    assert 7 == ssc_2013_score(puffy_fingers=True, raynaud=True, abnormal_nailfold_capillaries=True)
    assert [False, True, True] == [ssc_2013_classified(s) for s in (8, 9, 28)]


@given(st.fixed_dictionaries({name: st.booleans() for name in (
    "puffy_fingers",
    "sclerodactyly",
    "digital_tip_ulcers",
    "pitting_scars",
    "telangiectasia",
    "abnormal_nailfold_capillaries",
    "pah_or_ild",
    "raynaud",
    "ssc_antibodies",
)}))
def test_ssc_2013_proximal_thickening_is_sufficient(items: dict[str, bool]) -> None:
    without = ssc_2013_score(**items)
    with_it = ssc_2013_score(skin_thickening_proximal_to_mcp=True, **items)
    assert without + 9 == with_it
    assert ssc_2013_classified(with_it)
    assert without <= 19


def test_ssc_2013_errors() -> None:
    with pytest.raises(ScoreInputError, match="raynaud=1 is not a bool"):
        ssc_2013_score(raynaud=1)  # type: ignore[arg-type]
    with pytest.raises(ScoreInputError, match="score=29 is outside 0–28"):
        ssc_2013_classified(29)


# -- 2010 ACR/EULAR RA --------------------------------------------------------


@pytest.mark.parametrize(
    ("large", "small", "expected"),
    [
        (0, 0, 0),
        (1, 0, 0),  # 1 large joint
        (2, 0, 1),  # 2–10 large
        (10, 0, 1),
        (0, 1, 2),  # 1–3 small
        (5, 3, 2),  # 1–3 small with large, 8 joints in all
        (0, 4, 3),  # 4–10 small
        (6, 4, 3),  # 10 joints in all is not > 10
        (0, 10, 3),
        (7, 4, 5),  # 11 joints, at least one small
        (10, 1, 5),
        (0, 11, 5),
    ],
)
def test_ra_2010_joint_score(large: int, small: int, expected: int) -> None:
    assert expected == ra_2010_joint_score(large, small)


@given(st.integers(0, 9), st.integers(0, 57))
def test_ra_2010_joint_score_is_monotone(large: int, small: int) -> None:
    score = ra_2010_joint_score(large, small)
    assert score <= ra_2010_joint_score(large + 1, small)
    assert score <= ra_2010_joint_score(large, small + 1)


def test_ra_2010_score_and_classification() -> None:
    assert 10 == ra_2010_score(5, 3, 1, 1)  # 5 + 3 + 1 + 1
    assert 5 == ra_2010_score(3, 0, 1, 1)  # 3 + 0 + 1 + 1: not RA
    assert 6 == ra_2010_score(3, 2, 1, 0)  # 3 + 2 + 1 + 0: RA
    assert [False, True, True] == [ra_2010_classified(s) for s in (5, 6, 10)]


def test_ra_2010_errors() -> None:
    with pytest.raises(ScoreInputError, match="joints=4 is not one of 0, 1, 2, 3, 5"):
        ra_2010_score(4, 0, 0, 0)
    with pytest.raises(ScoreInputError, match="serology=1 is not one of 0, 2, 3"):
        ra_2010_score(0, 1, 0, 0)
    with pytest.raises(ScoreInputError, match="joints=6 is outside 0–5"):
        ra_2010_score(6, 0, 0, 0)
    with pytest.raises(ScoreInputError, match="acute_phase=2 is outside 0–1"):
        ra_2010_score(0, 0, 2, 0)
    with pytest.raises(ScoreInputError, match="duration=-1 is outside 0–1"):
        ra_2010_score(0, 0, 0, -1)
    with pytest.raises(ScoreInputError, match="score=11 is outside 0–10"):
        ra_2010_classified(11)
    with pytest.raises(ScoreInputError, match="large_joints=11 is outside 0–10"):
        ra_2010_joint_score(11, 0)
    with pytest.raises(ScoreInputError, match="small_joints=-1 is outside 0–58"):
        ra_2010_joint_score(0, -1)


# -- rodent CIA -----------------------------------------------------------------


def test_cia_clinical_score() -> None:
    assert 7 == cia_clinical_score([0, 1, 2, 4])  # 0 + 1 + 2 + 4
    assert 16 == cia_clinical_score([4, 4, 4, 4], PER_PAW_0_4)
    assert 12 == cia_clinical_score((3, 3, 3, 3), PER_PAW_0_3)
    assert (16, 12) == (PER_PAW_0_4.max_total, PER_PAW_0_3.max_total)


@given(st.lists(st.integers(0, 4), min_size=4, max_size=4))
def test_cia_score_is_the_sum(paws: list[int]) -> None:
    assert sum(paws) == cia_clinical_score(paws)


def test_cia_errors() -> None:
    with pytest.raises(ScoreInputError, match="paws has 3 scores; the scheme needs 4"):
        cia_clinical_score([1, 2, 3])
    with pytest.raises(ScoreInputError, match=r"paw_3=5 is outside 0–4"):
        cia_clinical_score([0, 0, 5, 0])
    with pytest.raises(ScoreInputError, match=r"paw_4=4 is outside 0–3"):
        cia_clinical_score([0, 0, 0, 4], PER_PAW_0_3)
    with pytest.raises(ScoreInputError, match="per_paw_max=0 is outside 1–100"):
        CiaScheme(per_paw_max=0)
    with pytest.raises(ScoreInputError, match="paws=5 is outside 1–4"):
        CiaScheme(per_paw_max=4, paws=5)


# -- input-range errors of the activity scores ----------------------------------

RANGE_ERRORS: list[tuple[Callable[..., object], tuple[Any, ...], str, str]] = [
    (das28_esr, (29, 0, 10, 0), "tjc28", "tjc28=29 is outside 0–28"),
    (das28_esr, (-1, 0, 10, 0), "tjc28", "tjc28=-1 is outside 0–28"),
    (das28_esr, (0, 29, 10, 0), "sjc28", "sjc28=29 is outside 0–28"),
    (das28_esr, (2.5, 0, 10, 0), "tjc28", "tjc28=2.5 is not a whole number (allowed 0–28)"),
    (das28_esr, (True, 0, 10, 0), "tjc28", "tjc28=True is not a whole number (allowed 0–28)"),
    (das28_esr, (0, 0, 0, 0), "esr_mm_h", "esr_mm_h=0 is outside the range > 0"),
    (das28_esr, (0, 0, -5, 0), "esr_mm_h", "esr_mm_h=-5 is outside the range > 0"),
    (das28_esr, (0, 0, math.inf, 0), "esr_mm_h", "esr_mm_h=inf is not a finite number"),
    (das28_esr, (0, 0, 10, 100.5), "gh_mm", "gh_mm=100.5 is outside 0–100"),
    (das28_esr, (0, 0, 10, -1), "gh_mm", "gh_mm=-1 is outside 0–100"),
    (das28_esr, (0, 0, 10, math.nan), "gh_mm", "gh_mm=nan is not a finite number"),
    (das28_esr, (0, 0, "10", 0), "esr_mm_h", "esr_mm_h='10' is not a number"),
    (das28_crp, (0, 0, -0.1, 0), "crp_mg_l", "crp_mg_l=-0.1 is outside the range ≥ 0"),
    (das28_crp, (0, 0, math.nan, 0), "crp_mg_l", "crp_mg_l=nan is not a finite number"),
    (das28_crp, (0, 0, 1, 101), "gh_mm", "gh_mm=101 is outside 0–100"),
    (das28_crp, (0, 30, 1, 50), "sjc28", "sjc28=30 is outside 0–28"),
    (das28_category, (math.nan,), "value", "value=nan is not a finite number"),
    (eular_response, (math.inf, 3), "baseline_das28", "baseline_das28=inf is not a finite"),
    (eular_response, (5, math.nan), "current_das28", "current_das28=nan is not a finite"),
    (sdai, (29, 0, 0, 0, 0), "tjc28", "tjc28=29 is outside 0–28"),
    (sdai, (0, 0, 10.5, 0, 0), "patient_global_cm", "patient_global_cm=10.5 is outside 0–10"),
    (sdai, (0, 0, 0, -1, 0), "physician_global_cm", "physician_global_cm=-1 is outside 0–10"),
    (sdai, (0, 0, 0, 0, -1), "crp_mg_dl", "crp_mg_dl=-1 is outside the range ≥ 0"),
    (cdai, (0, 29, 0, 0), "sjc28", "sjc28=29 is outside 0–28"),
    (cdai, (0, 0, 11, 0), "patient_global_cm", "patient_global_cm=11 is outside 0–10"),
    (sdai_category, (-0.1,), "value", "value=-0.1 is outside the range ≥ 0"),
    (cdai_category, (76.5,), "value", "value=76.5 is outside 0–76"),
    (eustar_mrss_improvement, (52, 0), "baseline", "baseline=52 is outside 0–51"),
    (eustar_mrss_improvement, (10, -1), "current", "current=-1 is outside 0–51"),
    (fvc_change, (0, 80), "baseline_pct_pred", "baseline_pct_pred=0 is outside the range > 0 and ≤ 200"),
    (fvc_change, (80, 201), "current_pct_pred", "current_pct_pred=201 is outside the range > 0 and ≤ 200"),
    (fvc_change, (80, math.nan), "current_pct_pred", "current_pct_pred=nan is not a finite"),
    (
        ssc_ild_progression,
        (201, None),
        "fvc_decline_pct_points",
        "fvc_decline_pct_points=201 is outside -200 to 200",
    ),
    (ssc_ild_progression, (7, math.inf), "dlco_decline_pct", "dlco_decline_pct=inf is not"),
]


@pytest.mark.parametrize(
    ("function", "args", "argument", "message"),
    RANGE_ERRORS,
    ids=[f"{f.__name__}-{arg}-{i}" for i, (f, _, arg, _) in enumerate(RANGE_ERRORS)],
)
def test_range_errors(
    function: Callable[..., object], args: tuple[Any, ...], argument: str, message: str
) -> None:
    with pytest.raises(ScoreInputError) as caught:
        function(*args)
    assert argument == caught.value.argument
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


# -- the registry ---------------------------------------------------------------


def test_registry_names() -> None:
    expected = {
        "das28_esr",
        "das28_crp",
        "sdai",
        "cdai",
        "pasi",
        "mrss_total",
        "fvc_change",
        "ssc_2013_score",
        "ra_2010_score",
        "cia_clinical_score",
    }
    assert expected == set(DERIVATIONS)
    assert all(name == d.name for name, d in DERIVATIONS.items())


@pytest.mark.parametrize("name", sorted(DERIVATIONS))
def test_registry_inputs_match_the_function(name: str) -> None:
    derivation = DERIVATIONS[name]
    if name == "mrss_total":
        assert MRSS_SITES == derivation.inputs
    elif name == "cia_clinical_score":
        assert ("paw_1", "paw_2", "paw_3", "paw_4") == derivation.inputs
    elif name == "pasi":  # the function takes four regions; the derivation their 16 grades
        assert PASI_INPUTS == derivation.inputs
    else:  # the public function of the same name takes the derivation's inputs, in order
        function = getattr(planner.scores, name)
        assert tuple(inspect.signature(function).parameters) == derivation.inputs
    assert derivation.formula.refs() == set(derivation.inputs)
    assert derivation.source and derivation.label and derivation.unit_or_scale


def test_registry_compute() -> None:
    das = {"tjc28": 4, "sjc28": 2, "crp_mg_l": 10, "gh_mm": 50}
    assert das28_crp(4, 2, 10, 50) == DERIVATIONS["das28_crp"].compute(das)
    esr = {"tjc28": 16, "sjc28": 9, "esr_mm_h": 1, "gh_mm": 100}
    assert pytest.approx(4.48) == DERIVATIONS["das28_esr"].compute(esr)
    sdai_values = {
        "tjc28": 4,
        "sjc28": 2,
        "patient_global_cm": 5.5,
        "physician_global_cm": 3.0,
        "crp_mg_dl": 1.2,
    }
    assert pytest.approx(15.7) == DERIVATIONS["sdai"].compute(sdai_values)
    cdai_values = {k: v for k, v in sdai_values.items() if k != "crp_mg_dl"}
    assert pytest.approx(14.5) == DERIVATIONS["cdai"].compute(cdai_values)
    sites = _sites(fingers_right=2, fingers_left=2, hands_right=1, hands_left=1, face=1)
    assert 7 == DERIVATIONS["mrss_total"].compute(sites)
    fvc = {"baseline_pct_pred": 80, "current_pct_pred": 72.5}
    assert pytest.approx(-7.5) == DERIVATIONS["fvc_change"].compute(fvc)
    ssc = dict.fromkeys(DERIVATIONS["ssc_2013_score"].inputs, False)
    assert 10 == DERIVATIONS["ssc_2013_score"].compute(
        {**ssc, "sclerodactyly": True, "raynaud": True, "ssc_antibodies": True}
    )
    ra = {"joints": 3, "serology": 2, "acute_phase": 1, "duration": 0}
    assert 6 == DERIVATIONS["ra_2010_score"].compute(ra)
    paws = {"paw_1": 0, "paw_2": 1, "paw_3": 2.0, "paw_4": 4}  # 2.0 is a whole number
    assert 7 == DERIVATIONS["cia_clinical_score"].compute(paws)


def test_registry_compute_errors() -> None:
    cdai_derivation = DERIVATIONS["cdai"]
    values = {"tjc28": 1, "sjc28": 1, "patient_global_cm": 1, "physician_global_cm": 1}
    with pytest.raises(ScoreInputError, match="missing sjc28"):
        cdai_derivation.compute({k: v for k, v in values.items() if k != "sjc28"})
    with pytest.raises(ScoreInputError, match="unknown 'tjc_28' .did you mean 'tjc28'"):
        cdai_derivation.compute({**values, "tjc_28": 3})
    with pytest.raises(ScoreInputError, match="paw_1=5 is outside 0–4"):
        DERIVATIONS["cia_clinical_score"].compute({"paw_1": 5, "paw_2": 0, "paw_3": 0, "paw_4": 0})
