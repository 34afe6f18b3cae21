"""Sample size, randomisation, blinding and the statistical plan."""

from __future__ import annotations

import enum

from attrs import field, frozen

from planner.model.values import TBC, _Validator, at_least, each_at_least, non_empty, tuple_field


def _levels() -> _Validator:
    """Each factor of a factorial design has at least two levels."""

    def test(v: object) -> str | None:
        for x in v if isinstance(v, tuple) else ():
            if isinstance(x, int) and not isinstance(x, bool) and x < 2:
                return f"a factor has {x!r} levels; each factor has at least 2"
        return None

    return _Validator("factor_levels", test)


class PowerTest(enum.StrEnum):
    """Tests whose sample size the planner can recompute (statsmodels)."""

    TWO_SAMPLE_T = "two-sample t-test"
    ONE_WAY_ANOVA = "one-way ANOVA"
    TWO_PROPORTIONS = "two proportions"
    FACTORIAL_INTERACTION = "factorial interaction"


@frozen
class SampleSize:
    """Target number and its justification (SPIRIT 14, ARRIVE 2b).

    ``target`` is the total number of participants or animals enrolled.
    ``planner.power`` calculates with statsmodels from the ``test``, the
    ``effect_size`` (Cohen's d for a t-test, f for ANOVA and the factorial
    interaction, h for two proportions), ``alpha``, ``power``, the arms'
    allocation ratios and ``attrition`` (the fraction expected to drop out),
    solving for whichever of the number, the effect size and the power is not
    given. ``effect_source`` is the reference key the effect size comes from;
    an effect size no source gives is ``{tbc: reason}``, and the calculation
    then shows a range. ``factors`` lists the levels of each factor of a
    factorial design (``[2, 2]`` for 2 × 2), used by the factorial
    interaction test. ``source`` is the reference key of the target.
    """

    target: int | TBC
    justification: str | TBC
    effect_size: float | TBC | None = None
    alpha: float | TBC | None = None
    power: float | TBC | None = None
    test: PowerTest | TBC | None = None
    groups: int | None = field(default=None, validator=at_least(2))
    attrition: float | TBC | None = None
    source: str | None = None
    effect_source: str | None = None
    factors: tuple[int, ...] = tuple_field(validator=_levels())


class RandomisationMethod(enum.StrEnum):
    NONE = "none"
    SIMPLE = "simple"
    PERMUTED_BLOCK = "permuted block"
    STRATIFIED_BLOCK = "stratified permuted block"
    MINIMISATION = "minimisation"


@frozen
class Randomisation:
    """How allocation is generated and concealed (SPIRIT 16a–c, ARRIVE 4).

    ``block_size`` is a fixed block size; ``block_sizes`` lists randomly
    varying sizes instead (each block's size drawn with equal chance from the
    list). ``strata`` names the coded or yes/no items whose levels get a list
    each. ``blocking_factor`` names the nuisance variable whose units are the
    blocks in an animal study (``cage``, ``batch``, ``litter``): the block size
    is then the number of animals per unit. ``planner.allocation`` generates
    the list. ``key_holder`` is who holds the unblinded allocation key and
    releases allocations (a trial statistician, or for an animal study someone
    outside the experiment, as the NC3Rs EDA advises); ``concealment`` is how
    the allocation stays hidden until assignment (SPIRIT 16b).
    """

    method: RandomisationMethod | TBC
    description: str
    block_size: int | TBC | None = field(default=None, validator=at_least(1))
    strata: tuple[str, ...] = tuple_field()
    seed: int | TBC | None = field(default=None, validator=at_least(0))
    concealment: str | TBC | None = None
    source: str | None = None
    block_sizes: tuple[int, ...] = tuple_field(validator=each_at_least(1))
    blocking_factor: str | None = field(default=None, validator=non_empty())
    key_holder: str | TBC | None = field(default=None, validator=non_empty())


class Masking(enum.StrEnum):
    OPEN = "open label"
    SINGLE = "single blind"
    DOUBLE = "double blind"
    ASSESSOR = "outcome-assessor blind"


@frozen
class Blinding:
    """Who is blinded to allocation (SPIRIT 17, ARRIVE 5).

    ``unblinding`` is the emergency unblinding procedure of a blinded trial: who
    may break the code, how, and how it is recorded (SPIRIT 17b). ``assessment``
    says how outcomes judged by an assessor (joint counts, skin scores, histology)
    are kept unbiased — an assessor unaware of the allocation, or why not (ARRIVE 5,
    SPIRIT 17a).
    """

    masking: Masking | TBC
    description: str | TBC
    blinded_roles: tuple[str, ...] = tuple_field()
    unblinding: str | TBC | None = None
    assessment: str | TBC | None = field(default=None, validator=non_empty())


@frozen
class Statistics:
    """The statistical plan in brief (SPIRIT 20, ARRIVE 7)."""

    primary_analysis: str | TBC
    secondary_analyses: str | TBC | None = None
    analysis_population: str | TBC | None = None
    missing_data: str | TBC | None = None
    software: str | TBC | None = None
