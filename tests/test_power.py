"""Sample sizes against published worked examples, and the solver's properties.

Published figures:
- Cohen J. A power primer. Psychol Bull 1992;112(1):155–159, Table 2 (n per
  group for α = .05 two-sided, power .80, small/medium/large effects): the
  t-test for two means (d = .2/.5/.8: 393, 64, 26), the difference of two
  independent proportions (h = .2/.5/.8: 392, 63, 25), and one-way ANOVA with
  3, 4 and 5 groups (f = .1/.25/.4: 322/52/21, 274/45/18, 240/39/16). The
  table rounds to the nearest whole number; a protocol needs the number
  rounded up, which can be one more (f = .4 with 3 groups: 21.1 → 22).
- statsmodels' documentation of ``FTestPowerF2`` (an F test of one constraint,
  R² = 0.1 so f² = 0.111, α = 0.1, power 0.9: df2 = 76.46, nobs = 78.46).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.model import PowerTest
from planner.power import (
    Design,
    PowerError,
    Solved,
    detectable,
    power_at,
    proportion_effect,
    sizes_for,
    solve,
)

T = Design(PowerTest.TWO_SAMPLE_T, (1, 1))
P = Design(PowerTest.TWO_PROPORTIONS, (1, 1))


def _unrounded_per_group(design: Design, effect: float) -> float:
    from statsmodels.stats import power as smp

    if design.test is PowerTest.ONE_WAY_ANOVA:
        total = smp.FTestAnovaPower().solve_power(effect_size=effect, alpha=0.05, power=0.8, k_groups=design.groups)
        return float(total) / design.groups
    solver = smp.TTestIndPower() if design.test is PowerTest.TWO_SAMPLE_T else smp.NormalIndPower()
    return float(solver.solve_power(effect_size=effect, alpha=0.05, power=0.8))


COHEN_1992_TABLE_2 = [
    (T, 0.2, 393), (T, 0.5, 64), (T, 0.8, 26),
    (P, 0.2, 392), (P, 0.5, 63), (P, 0.8, 25),
    *[(Design(PowerTest.ONE_WAY_ANOVA, (1,) * k), f, n)
      for k, row in ((3, (322, 52, 21)), (4, (274, 45, 18)), (5, (240, 39, 16)))
      for f, n in zip((0.1, 0.25, 0.4), row, strict=True)],
]


@pytest.mark.parametrize(("design", "effect", "cohen"), COHEN_1992_TABLE_2,
                         ids=[f"{d.test.value}-k{d.groups}-{e}" for d, e, _ in COHEN_1992_TABLE_2])
def test_cohen_1992_table_2(design: Design, effect: float, cohen: int) -> None:
    exact = _unrounded_per_group(design, effect)
    assert cohen == round(exact) or (design.test is PowerTest.TWO_SAMPLE_T and cohen == math.ceil(exact))
    sizes = sizes_for(design, effect, 0.05, 0.8)
    assert (math.ceil(exact - 1e-9),) * design.groups == sizes  # rounded up, every group alike


def test_anova_takes_the_total_over_all_groups() -> None:
    # FTestAnovaPower's nobs is the TOTAL (REFERENCE.md §4): f = 0.25, 4 groups → 179.4 in all, 45 per group
    assert (45, 45, 45, 45) == sizes_for(Design(PowerTest.ONE_WAY_ANOVA, (1,) * 4), 0.25, 0.05, 0.8)


def test_statsmodels_documented_ftest_f2_example() -> None:
    # FTestPowerF2's documented example pins its convention (df_num, df_denom named as they are, unlike
    # FTestPower): one constraint, f² = 0.1/0.9, α = 0.1, power 0.9 → df2 = 76.46, nobs = df2 + 1 + 1 = 78.46
    from statsmodels.stats import power as smp

    df2 = smp.FTestPowerF2().solve_power(effect_size=0.1 / 0.9, alpha=0.1, power=0.9, df_num=1)
    assert 76.46 == pytest.approx(df2, abs=0.005)


@pytest.mark.parametrize(("factors", "f", "total"), [((2, 2), 0.25, 100), ((2, 3), 0.4, 60), ((3, 3), 0.3, 90)])
def test_interaction_power_is_the_noncentral_f_of_cohen(factors: tuple[int, int], f: float, total: int) -> None:
    # Cohen 1988 §8.3 (and G*Power's "main effects and interactions"): the interaction of an a × b design
    # has df ((a−1)(b−1), N − ab) and noncentrality λ = f²N; computed here straight from SciPy's ncf
    from scipy import stats

    cells, df1 = math.prod(factors), math.prod(k - 1 for k in factors)
    design = Design(PowerTest.FACTORIAL_INTERACTION, (1,) * cells, factors)
    crit = stats.f.ppf(0.95, df1, total - cells)
    expected = float(stats.ncf.sf(crit, df1, total - cells, f * f * total))
    assert expected == pytest.approx(power_at(design, f, 0.05, (total // cells,) * cells), rel=1e-6)


def test_one_factor_interaction_is_one_way_anova() -> None:
    # the interaction machinery with a single factor of k levels is the one-way ANOVA F test
    from statsmodels.stats import power as smp

    for k, n, f in ((3, 30, 0.4), (5, 60, 0.3)):
        expected = smp.FTestAnovaPower().power(effect_size=f, nobs=n, alpha=0.05, k_groups=k)
        got = smp.FTestPowerF2().power(effect_size=f * f, df_num=k - 1, df_denom=n - k, alpha=0.05, ncc=1)
        assert expected == pytest.approx(got, rel=1e-9)


def test_proportion_effect_is_cohens_h() -> None:
    # Cohen 1988 Table 6.2.1: φ = 2 arcsin √p; φ(0.5) = π/2 and φ(0.4) = 1.3694
    assert 1.5708 - 1.3694 == pytest.approx(proportion_effect(0.5, 0.4), abs=1e-4)


def test_allocation_ratio_enlarges_the_total() -> None:
    equal = sizes_for(T, 0.5, 0.05, 0.8)
    unequal = sizes_for(Design(PowerTest.TWO_SAMPLE_T, (2, 1)), 0.5, 0.05, 0.8)
    assert unequal[0] == 2 * unequal[1]
    assert sum(unequal) > sum(equal)  # 2:1 costs about 12% more (Pocock's rule: (1+r)²/4r = 9/8)
    assert 9 / 8 == pytest.approx(sum(unequal) / sum(equal), abs=0.03)


def test_attrition_is_added_per_arm() -> None:
    c = solve(T, alpha=0.05, effect=0.8, power=0.8, attrition=0.1)
    assert (Solved.N, (26, 26), (29, 29)) == (c.solved, c.analysed, c.enrolled)  # 26 / 0.9 = 28.9 → 29


def test_exactly_one_of_n_effect_and_power_is_solved() -> None:
    with pytest.raises(PowerError):
        solve(T, alpha=0.05, effect=0.5)
    with pytest.raises(PowerError):
        solve(T, alpha=0.05, effect=0.5, power=0.8, enrolled=(10, 10))


DESIGNS = st.one_of(
    st.builds(lambda a, b: Design(PowerTest.TWO_SAMPLE_T, (a, b)), st.integers(1, 3), st.integers(1, 3)),
    st.builds(lambda a, b: Design(PowerTest.TWO_PROPORTIONS, (a, b)), st.integers(1, 3), st.integers(1, 3)),
    st.builds(lambda k: Design(PowerTest.ONE_WAY_ANOVA, (1,) * k), st.integers(2, 6)),
    st.builds(lambda a, b: Design(PowerTest.FACTORIAL_INTERACTION, (1,) * (a * b), (a, b)),
              st.integers(2, 3), st.integers(2, 3)),
)


@settings(max_examples=40, deadline=None)
@given(DESIGNS, st.floats(0.3, 1.5), st.sampled_from((0.01, 0.05)), st.floats(0.7, 0.95))
def test_solving_for_n_then_power_gives_at_least_the_power(design: Design, effect: float, alpha: float,
                                                           power: float) -> None:
    sizes = sizes_for(design, effect, alpha, power)
    assert power <= power_at(design, effect, alpha, sizes)
    # and one round fewer in the ratios falls short, so the number is the smallest in those ratios
    fewer = tuple(s - r for s, r in zip(sizes, design.ratios, strict=True))
    if min(fewer) >= 2 and sum(fewer) > math.prod(design.factors or (design.groups,)):
        assert power_at(design, effect, alpha, fewer) < power or any(
            s != r * sizes[0] // design.ratios[0] for s, r in zip(sizes, design.ratios, strict=True))


@settings(max_examples=40, deadline=None)
@given(DESIGNS, st.integers(6, 60), st.floats(0.6, 0.95))
def test_detectable_effect_gives_back_the_power(design: Design, per_ratio: int, power: float) -> None:
    sizes = tuple(per_ratio * r for r in design.ratios)
    effect = detectable(design, 0.05, power, sizes)
    assert power == pytest.approx(power_at(design, effect, 0.05, sizes), abs=1e-6)
    c = solve(design, alpha=0.05, power=power, enrolled=sizes)
    assert (Solved.EFFECT, effect) == (c.solved, c.effect_size)


@settings(max_examples=30, deadline=None)
@given(DESIGNS, st.floats(0.2, 1.2), st.integers(6, 40))
def test_power_rises_with_n_and_with_effect(design: Design, effect: float, per_ratio: int) -> None:
    sizes = tuple(per_ratio * r for r in design.ratios)
    more = tuple(s + r for s, r in zip(sizes, design.ratios, strict=True))
    assert power_at(design, effect, 0.05, sizes) <= power_at(design, effect, 0.05, more)
    assert power_at(design, effect, 0.05, sizes) <= power_at(design, effect * 1.1, 0.05, sizes)


def test_a_very_large_effect_needs_the_fewest_the_test_allows() -> None:
    # statsmodels finds no root below 2 per group (it warns and returns NaN): the fewest computable is the answer
    assert (2, 2) == sizes_for(T, 9.9, 0.05, 0.8)
    assert 0.8 <= power_at(T, 9.9, 0.05, (2, 2))


def test_an_effect_too_small_for_any_study_is_said_to_be() -> None:
    with pytest.raises(PowerError, match=r"\$\.sample_size\.effect_size: an effect of 1e-06 needs more than 1,000,000"):
        sizes_for(T, 1e-6, 0.05, 0.8)


def test_too_few_left_after_attrition_is_refused() -> None:
    with pytest.raises(PowerError, match=r"\$\.sample_size\.target: 2 enrolled leave 0 \+ 0 to analyse"):
        solve(T, alpha=0.05, effect=0.8, enrolled=(1, 1), attrition=0.1)
