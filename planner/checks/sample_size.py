"""Recompute a protocol's sample size with statsmodels (an optional dependency).

statsmodels is imported only when a recomputation is asked for. Without it,
:func:`recompute` returns :class:`NotVerified` saying how to enable it, and
the design check reports that the number was not verified.

Effect sizes follow statsmodels: Cohen's d for a two-sample t-test, Cohen's f
for one-way ANOVA, Cohen's h for two proportions. ``FTestAnovaPower`` returns
the TOTAL number over all groups; the t-test and two-proportion solvers return
the number per group.
"""

from __future__ import annotations

import math

from attrs import frozen

from planner.model import PowerTest, SampleSize

ENABLE = "install statsmodels (pip install 'protocol-planner[stats]' or pip install statsmodels)"


@frozen
class Recomputed:
    """The number needed: per group (rounded up), total, and total after attrition."""

    per_group: int
    groups: int
    total: int
    with_attrition: int
    method: str


@frozen
class NotVerified:
    """Why the number could not be recomputed."""

    reason: str


def recompute(ss: SampleSize, groups: int) -> Recomputed | NotVerified:
    """The sample size ``ss`` implies, for ``groups`` groups (``ss.groups`` wins)."""
    if ss.test is None or ss.effect_size is None or ss.alpha is None or ss.power is None:
        return NotVerified("the test, effect size, alpha and power are not all given")
    if not (0 < ss.alpha < 1 and 0 < ss.power < 1 and ss.effect_size > 0):
        return NotVerified("alpha, power or effect size is out of range")
    try:
        from statsmodels.stats import power as smp
    except ImportError:
        return NotVerified(f"statsmodels is not installed; {ENABLE}")
    k = ss.groups or groups
    if ss.test is PowerTest.ONE_WAY_ANOVA:
        if k < 2:
            return NotVerified("one-way ANOVA needs at least two groups")
        total = float(smp.FTestAnovaPower().solve_power(
            effect_size=ss.effect_size, nobs=None, alpha=ss.alpha, power=ss.power, k_groups=k))
        per_group = math.ceil(total / k)
        method = f"statsmodels FTestAnovaPower (total over {k} groups, rounded up per group)"
    else:
        solver = smp.TTestIndPower() if ss.test is PowerTest.TWO_SAMPLE_T else smp.NormalIndPower()
        n1 = float(solver.solve_power(effect_size=ss.effect_size, nobs1=None, alpha=ss.alpha, power=ss.power,
                                      ratio=1.0))
        per_group, k = math.ceil(n1), 2
        method = f"statsmodels {type(solver).__name__} (per group, 2 groups)"
    total = per_group * k
    attrition = ss.attrition if isinstance(ss.attrition, float) else 0.0
    with_attrition = math.ceil(total / (1.0 - attrition)) if 0.0 <= attrition < 1.0 else total
    return Recomputed(per_group, k, total, with_attrition, method)
