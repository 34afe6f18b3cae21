"""Sample size and power with statsmodels: solve for the number, the detectable effect or the power.

One calculation serves ``check`` (DES004, DES016), the ``sample-size``
command and the PDF protocol's power curve. Effect sizes follow
statsmodels and Cohen (1988): Cohen's d for a two-sample t-test
(``TTestIndPower``), Cohen's f for one-way ANOVA (``FTestAnovaPower``, whose
``nobs`` is the TOTAL over all groups) and for the interaction of a factorial
design (``FTestPowerF2`` with f², numerator df ∏(levels − 1), denominator df
N − cells), Cohen's h for two proportions (``NormalIndPower``; build h with
:func:`proportion_effect`).

Sizes are per arm, in the arms' allocation ratios: a two-group test takes
``ratio = n2 / n1``; ANOVA and the interaction take the total and share it
in the ratios (f is then understood over the design's own weights). Each
arm's analysed number is rounded up, and the enrolled number is that divided
by ``1 − attrition``, rounded up. Going the other way (power or detectable
effect at a stated target), each arm's analysed number is its enrolled number
times ``1 − attrition``, rounded down.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Sequence

from attrs import frozen

from planner.model import TBC, PowerTest, Protocol, SampleSize

COHEN = {  # Cohen (1988): conventional small, medium and large effects for each index
    PowerTest.TWO_SAMPLE_T: (0.2, 0.5, 0.8),
    PowerTest.TWO_PROPORTIONS: (0.2, 0.5, 0.8),
    PowerTest.ONE_WAY_ANOVA: (0.1, 0.25, 0.4),
    PowerTest.FACTORIAL_INTERACTION: (0.1, 0.25, 0.4),
}
INDEX = {PowerTest.TWO_SAMPLE_T: "d", PowerTest.TWO_PROPORTIONS: "h", PowerTest.ONE_WAY_ANOVA: "f",
         PowerTest.FACTORIAL_INTERACTION: "f"}
MAX_N = 1_000_000
"""Largest total the solver looks at; a larger need is reported as such."""


class Solved(enum.StrEnum):
    N = "number"
    EFFECT = "detectable effect"
    POWER = "power"


class PowerError(ValueError):
    """The inputs cannot be calculated: one problem per line, each with its ``$.`` path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@frozen
class Design:
    """What the test compares: arms' allocation ratios, and for a factorial design the levels."""

    test: PowerTest
    ratios: tuple[int, ...]
    factors: tuple[int, ...] = ()

    @property
    def groups(self) -> int:
        return len(self.ratios)

    @property
    def method(self) -> str:
        return {
            PowerTest.TWO_SAMPLE_T: "statsmodels TTestIndPower (per group)",
            PowerTest.TWO_PROPORTIONS: "statsmodels NormalIndPower (per group)",
            PowerTest.ONE_WAY_ANOVA: f"statsmodels FTestAnovaPower (total over {self.groups} groups)",
            PowerTest.FACTORIAL_INTERACTION: f"statsmodels FTestPowerF2 (interaction of a "
                                             f"{' × '.join(map(str, self.factors))} design, total over cells)",
        }[self.test]


@frozen
class Calculation:
    """One solved calculation: every input and output, and which one was solved."""

    design: Design
    solved: Solved
    effect_size: float
    alpha: float
    power: float
    analysed: tuple[int, ...]
    enrolled: tuple[int, ...]
    attrition: float

    @property
    def total(self) -> int:
        return sum(self.analysed)

    @property
    def total_enrolled(self) -> int:
        return sum(self.enrolled)


def proportion_effect(p1: float, p2: float) -> float:
    """Cohen's h between two proportions (statsmodels ``proportion_effectsize``), as a positive number."""
    from statsmodels.stats.proportion import proportion_effectsize

    return abs(float(proportion_effectsize(p1, p2)))


def power_at(design: Design, effect: float, alpha: float, sizes: Sequence[int]) -> float:
    """The power of the test with ``sizes`` analysed per arm."""
    from statsmodels.stats import power as smp

    t, total = design.test, sum(sizes)
    if t in (PowerTest.TWO_SAMPLE_T, PowerTest.TWO_PROPORTIONS):
        solver = smp.TTestIndPower() if t is PowerTest.TWO_SAMPLE_T else smp.NormalIndPower()
        if min(sizes) < 2:
            return float("nan")
        got = float(solver.power(effect_size=effect, nobs1=sizes[0], alpha=alpha, ratio=sizes[1] / sizes[0]))
        if math.isnan(got):  # SciPy's noncentral t gives NaN far in its tail, where power is ≈ 1;
            got = float(smp.NormalIndPower().power(effect_size=effect, nobs1=sizes[0], alpha=alpha,
                                                   ratio=sizes[1] / sizes[0]))  # the normal limit is exact there
        return got
    if t is PowerTest.ONE_WAY_ANOVA:
        if total <= design.groups:
            return float("nan")
        return float(smp.FTestAnovaPower().power(effect_size=effect, nobs=total, alpha=alpha,
                                                 k_groups=design.groups))
    df_num, cells = _interaction(design)
    if total <= cells:
        return float("nan")
    return float(smp.FTestPowerF2().power(effect_size=effect ** 2, df_num=df_num, df_denom=total - cells,
                                          alpha=alpha, ncc=cells - df_num))


def _interaction(design: Design) -> tuple[int, int]:
    return math.prod(k - 1 for k in design.factors), math.prod(design.factors)


def _share(design: Design, total: float) -> tuple[int, ...]:
    whole = sum(design.ratios)
    return tuple(math.ceil(total * r / whole - 1e-9) for r in design.ratios)


def sizes_for(design: Design, effect: float, alpha: float, power: float) -> tuple[int, ...]:
    """The analysed number per arm that gives at least ``power``."""
    import warnings

    # statsmodels warns when it finds no root, and its NaN is handled here; importing it first matters, as
    # the import itself installs an "always" filter for that warning, which would win inside the block
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _sizes_for(design, effect, alpha, power)


def _sizes_for(design: Design, effect: float, alpha: float, power: float) -> tuple[int, ...]:
    from statsmodels.stats import power as smp

    t = design.test
    if t in (PowerTest.TWO_SAMPLE_T, PowerTest.TWO_PROPORTIONS):
        solver = smp.TTestIndPower() if t is PowerTest.TWO_SAMPLE_T else smp.NormalIndPower()
        r1, r2 = design.ratios
        n1 = float(solver.solve_power(effect_size=effect, nobs1=None, alpha=alpha, power=power, ratio=r2 / r1))
        # statsmodels finds no root when even the fewest have the power (a very large effect): count up instead
        sizes = _share(design, n1 * (r1 + r2) / r1) if math.isfinite(n1) else smallest(design)
    elif t is PowerTest.ONE_WAY_ANOVA:
        total = float(smp.FTestAnovaPower().solve_power(effect_size=effect, nobs=None, alpha=alpha, power=power,
                                                        k_groups=design.groups))
        sizes = _share(design, total) if math.isfinite(total) else smallest(design)
    else:
        df_num, cells = _interaction(design)
        df_denom = float(smp.FTestPowerF2().solve_power(effect_size=effect ** 2, df_num=df_num, df_denom=None,
                                                        alpha=alpha, power=power, ncc=cells - df_num))
        sizes = _share(design, df_denom + cells) if math.isfinite(df_denom) else smallest(design)
    if math.isnan(power_at(design, effect, alpha, sizes)):
        sizes = smallest(design)  # fewer than the test can be computed for: count up from the least
    # rounding each arm up can only raise power; ratios that round unevenly are checked
    while power_at(design, effect, alpha, sizes) < power and sum(sizes) < MAX_N:
        sizes = tuple(s + r for s, r in zip(sizes, design.ratios, strict=True))
    if sum(sizes) >= MAX_N:
        raise PowerError([f"$.sample_size.effect_size: an effect of {effect:g} needs more than {MAX_N:,} in all "
                          "to reach the power; check the effect size (a standardised effect, e.g. Cohen's d)"])
    return sizes


def smallest(design: Design) -> tuple[int, ...]:
    """The fewest per arm, in the ratios, that the test can be computed for."""
    units = 1
    while math.isnan(power_at(design, 0.5, 0.05, tuple(units * r for r in design.ratios))):
        units += 1
    return tuple(units * r for r in design.ratios)


def detectable(design: Design, alpha: float, power: float, sizes: Sequence[int]) -> float:
    """The smallest effect the test detects with ``power`` at ``sizes`` analysed per arm."""
    from scipy.optimize import brentq

    if not power_at(design, 1e-6, alpha, sizes) < power:
        return 0.0
    high = 1.0
    while power_at(design, high, alpha, sizes) < power:
        high *= 2
        if high > 1e3:
            return float("inf")
    return float(brentq(lambda e: power_at(design, e, alpha, sizes) - power, 1e-6, high, xtol=1e-10))


def enrol(analysed: Sequence[int], attrition: float) -> tuple[int, ...]:
    """The number to enrol per arm so that ``analysed`` remain after ``attrition``."""
    return tuple(math.ceil(n / (1.0 - attrition) - 1e-9) for n in analysed)


def analysable(enrolled: Sequence[int], attrition: float) -> tuple[int, ...]:
    """The number per arm expected to remain after ``attrition``."""
    return tuple(math.floor(n * (1.0 - attrition) + 1e-9) for n in enrolled)


def solve(design: Design, *, alpha: float, effect: float | None = None, power: float | None = None,
          enrolled: Sequence[int] | None = None, attrition: float = 0.0) -> Calculation:
    """Solve for whichever of the number (``enrolled``), ``effect`` and ``power`` is not given."""
    missing = [name for name, v in (("number", enrolled), ("effect size", effect), ("power", power)) if v is None]
    if len(missing) != 1:
        raise PowerError([f"give exactly two of the number, the effect size and the power (missing: "
                          f"{', '.join(missing) or 'none'})"])
    if enrolled is None:
        assert effect is not None and power is not None
        analysed = sizes_for(design, effect, alpha, power)
        return Calculation(design, Solved.N, effect, alpha, power, analysed, enrol(analysed, attrition), attrition)
    analysed = analysable(enrolled, attrition)
    if math.isnan(power_at(design, 0.5, alpha, analysed)):
        raise PowerError([f"$.sample_size.target: {sum(enrolled)} enrolled leave {' + '.join(map(str, analysed))} "
                          f"to analyse after attrition, too few for a {design.test.value}; give more"])
    if power is None:
        assert effect is not None
        got = power_at(design, effect, alpha, analysed)
        return Calculation(design, Solved.POWER, effect, alpha, got, analysed, tuple(enrolled), attrition)
    found = detectable(design, alpha, power, analysed)
    return Calculation(design, Solved.EFFECT, found, alpha, power, analysed, tuple(enrolled), attrition)


# -- from a protocol --------------------------------------------------------------------------


@frozen
class Inputs:
    """What a protocol gives for the calculation, with the gaps named.

    ``test`` is the protocol's, or ``assumed`` says it was chosen from the
    number of arms because the protocol leaves it to be confirmed. ``alpha``
    and ``power`` are the protocol's, or the conventional 0.05 and 0.8 when
    ``conventional`` names them. ``effect`` is None when no source gives it.
    """

    design: Design
    assumed: str | None
    alpha: float
    power: float | None
    effect: float | None
    enrolled: tuple[int, ...] | None
    attrition: float
    conventional: tuple[str, ...]
    effect_reason: str | None


def _number(v: float | TBC | None) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _arm_sizes(p: Protocol, ss: SampleSize, ratios: tuple[int, ...]) -> tuple[int, ...] | None:
    planned = [a.planned_size for a in p.arms]
    if planned and all(isinstance(n, int) for n in planned) and len(planned) == len(ratios):
        return tuple(n for n in planned if isinstance(n, int))
    if isinstance(ss.target, int):
        whole = sum(ratios)
        if ss.target % whole == 0:
            return tuple(ss.target // whole * r for r in ratios)
        return _share(Design(PowerTest.ONE_WAY_ANOVA, ratios), ss.target)
    return None


def inputs(p: Protocol) -> Inputs:
    """The calculation's inputs from ``p``; :class:`PowerError` when it cannot be set up."""
    ss = p.sample_size
    if ss is None:
        raise PowerError(["$.sample_size: the protocol states no sample size; add 'sample_size'"])
    problems: list[str] = []
    ratios = tuple(a.allocation_ratio for a in p.arms) or (1, 1)
    if ss.groups is not None and ss.groups != len(ratios):
        ratios = (1,) * ss.groups
    assumed: str | None = None
    test = ss.test if isinstance(ss.test, PowerTest) else None
    if test is None:
        if len(ratios) < 2:
            problems.append("$.sample_size.test: a single group has no comparison to power; "
                            "state the test and the groups it compares")
        else:
            test = PowerTest.TWO_SAMPLE_T if len(ratios) == 2 else PowerTest.ONE_WAY_ANOVA
            why = ss.test.reason if isinstance(ss.test, TBC) else "the protocol names no test"
            assumed = f"{test.value} assumed from the {len(ratios)} arms ({why})"
    factors = ss.factors
    if test is PowerTest.FACTORIAL_INTERACTION:
        if len(factors) < 2:
            problems.append("$.sample_size.factors: the factorial interaction needs the levels of at least two "
                            "factors, e.g. [2, 2]")
        elif math.prod(factors) != len(ratios):
            problems.append(f"$.sample_size.factors: {' × '.join(map(str, factors))} = {math.prod(factors)} "
                            f"cells, but there are {len(ratios)} arms; give one arm per cell")
    elif test in (PowerTest.TWO_SAMPLE_T, PowerTest.TWO_PROPORTIONS) and len(ratios) != 2:
        problems.append(f"$.sample_size.test: a {test.value} compares two groups, but there are {len(ratios)} "
                        "arms; use one-way ANOVA, or state groups: 2")
    conventional: list[str] = []
    alpha, power = _number(ss.alpha), _number(ss.power)
    effect = _number(ss.effect_size)
    attrition = _number(ss.attrition) or 0.0
    ranges: list[tuple[str, float | None, Callable[[float], bool], str]] = [
        ("alpha", alpha, lambda x: 0 < x < 1, "a probability between 0 and 1, e.g. 0.05"),
        ("power", power, lambda x: 0 < x < 1, "a probability between 0 and 1, e.g. 0.8"),
        ("effect_size", effect, lambda x: 0 < x < 10, "a standardised effect above 0 and below 10 (Cohen's d, f or h)"),
        ("attrition", attrition, lambda x: 0 <= x < 1, "the fraction expected to drop out, from 0 to below 1, e.g. 0.1")]
    for name, v, ok, want in ranges:
        if v is not None and not ok(v):
            problems.append(f"$.sample_size.{name}: {v:g} is out of range; give {want}")
    if problems:
        raise PowerError(problems)
    assert test is not None
    if alpha is None:
        alpha = 0.05
        conventional.append("alpha 0.05")
    design = Design(test, ratios, factors)
    enrolled = _arm_sizes(p, ss, ratios)
    if power is None and (effect is None or enrolled is None):
        power = 0.8
        conventional.append("power 0.8")
    reason = None
    if effect is None:
        reason = ss.effect_size.reason if isinstance(ss.effect_size, TBC) else "the protocol states no effect size"
    return Inputs(design, assumed, alpha, power, effect, enrolled, attrition, tuple(conventional), reason)


def calculate(p: Protocol) -> Calculation | None:
    """The protocol's own calculation: None when it leaves more than one of n, effect and power open."""
    i = inputs(p)
    if i.assumed is not None:
        return None
    given = [i.effect is not None, i.power is not None and "power 0.8" not in i.conventional,
             i.enrolled is not None]
    if sum(given) < 2:
        return None
    if all(given):  # all three stated: the number is what the check compares
        return solve(i.design, alpha=i.alpha, effect=i.effect, power=i.power, attrition=i.attrition)
    return solve(i.design, alpha=i.alpha, effect=i.effect, power=i.power if given[1] else None,
                 enrolled=i.enrolled, attrition=i.attrition)


def effect_range(i: Inputs) -> tuple[float, ...]:
    """The effects to show: the stated one, or Cohen's small, medium and large when it is to be confirmed."""
    return (i.effect,) if i.effect is not None else COHEN[i.design.test]
