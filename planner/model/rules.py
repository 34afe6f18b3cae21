"""Objectives and endpoints, eligibility criteria and safety monitoring rules."""

from __future__ import annotations

import enum

from attrs import field, frozen

from planner import ctcae
from planner.expr.nodes import Expr
from planner.model.values import TBC, FieldError, each, identifier, non_empty, tuple_field, unique


class Level(enum.StrEnum):
    """Objective and endpoint level (USDM)."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    EXPLORATORY = "exploratory"


@frozen
class Derivation:
    """A named value computed from items (USDM BiomedicalConcept-like).

    Either ``method`` names a published score in :mod:`planner.scores`
    (``das28_crp``), with ``inputs`` binding each of its parameters to an item
    as ``"parameter=item"`` pairs; or ``expression`` computes it with a rule
    expression (``count(digital_ulcer, where=digital_ulcer.new_ulcer)``).
    """

    id: str = field(validator=identifier())
    label: str = field(validator=non_empty())
    unit: str | None = None
    method: str | None = None
    inputs: tuple[str, ...] = tuple_field()
    expression: Expr | None = None
    definition: str | TBC | None = None
    source: str | None = None

    def bindings(self) -> dict[str, str]:
        """``{parameter: item}`` from ``inputs``; a bare name binds to itself."""
        out: dict[str, str] = {}
        for pair in self.inputs:
            param, _, item = pair.partition("=")
            out[param.strip()] = (item or param).strip()
        return out


@frozen
class Endpoint:
    """What is measured, when, and what counts as success.

    ``measure`` is an item name or a derivation id; ``timepoints`` are visit
    ids (or "to be confirmed"); ``success`` is a rule over the measure, or text
    for a between-group comparison in ``comparison``. ``decision`` records why
    this endpoint was chosen where no source names it, or why it covers only
    part of a mixed population (design check DES030).
    """

    id: str = field(validator=identifier())
    level: Level
    text: str = field(validator=non_empty())
    measure: str
    timepoints: tuple[str, ...] | TBC = ()
    change_from_baseline: bool = False
    comparison: str | TBC | None = None
    success: Expr | TBC | None = None
    source: str | None = None
    decision: str | TBC | None = field(default=None, validator=non_empty())


@frozen
class Objective:
    """A study objective with its endpoints (USDM Objective)."""

    id: str = field(validator=identifier())
    level: Level
    text: str = field(validator=non_empty())
    endpoints: tuple[Endpoint, ...] = tuple_field(validator=unique(lambda e: e.id, "endpoint id"))


class Category(enum.StrEnum):
    """Inclusion or exclusion (USDM EligibilityCriterion category)."""

    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@frozen
class Criterion:
    """An eligibility criterion: the human text and, where possible, a rule.

    A criterion that no rule over the data dictionary can express carries
    ``assessed_by_investigator=True`` instead, so the gap is explicit. A
    criterion the protocol needs but no source gives (a pregnancy exclusion
    the sources do not state) has a ``source`` in the ``TBC`` state, so it is
    listed with the values to be confirmed rather than passed off as sourced.
    """

    id: str = field(validator=identifier())
    category: Category
    text: str
    rule: Expr | None = None
    assessed_by_investigator: bool = False
    source: str | TBC | None = None


class Action(enum.StrEnum):
    """What to do when a monitoring rule fires."""

    DO_NOT_START = "do not start"
    REPEAT_TEST = "repeat test"
    INTERRUPT = "interrupt"
    HOLD = "hold"
    DOSE_REDUCE = "reduce dose"
    DISCONTINUE = "discontinue"
    NOTIFY = "notify"
    EUTHANISE = "humane endpoint: euthanise"


class Timing(enum.StrEnum):
    """When a monitoring rule applies."""

    BEFORE_START = "before start"
    ON_TREATMENT = "on treatment"


@frozen
class CtcaeGrading:
    """The CTCAE v5.0 term of a monitoring rule and the item whose observed value it grades.

    ``item`` is the data-dictionary item graded (``anc``); ``uln_item`` the
    item holding the upper limit of normal, for a term graded in multiples of
    ULN (``alt_uln``); ``grade`` the grade the rule's threshold corresponds to,
    for display. When the rule fires, the grade reported is computed from the
    observed value (:func:`planner.ctcae.grade`), not taken from ``grade``.
    """

    term: ctcae.Term
    item: str = field(validator=non_empty())
    uln_item: str | None = None
    grade: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.grade is not None and not 1 <= self.grade <= 5:
            raise FieldError("grade", f"CTCAE grades are 1 to 5, not {self.grade}")
        if self.uln_item is not None and not ctcae.uln_based(self.term):
            raise FieldError("uln_item", f"{self.term.value!r} is not graded in multiples of ULN: remove 'uln_item'")

    def describe(self) -> str:
        """``"Neutrophil count decreased, grade 3"`` (the term alone when the rule states no grade)."""
        return ctcae.describe(self.term, self.grade)


@frozen
class MonitoringRule:
    """A safety rule: when ``condition`` holds, take ``action``.

    ``arms`` are the arm ids it applies to (empty: every arm); ``risks`` the
    risks it covers (keys of the risk table, e.g. ``serious_infection``);
    ``frequency`` how often it is checked; ``ctcae`` the CTCAE v5.0 terms the
    threshold belongs to, each with the item graded when the rule fires (two
    for a rule on ALT or AST).
    """

    id: str = field(validator=identifier())
    name: str = field(validator=non_empty())
    condition: Expr
    action: Action
    action_text: str = field(validator=non_empty())
    timing: Timing = Timing.ON_TREATMENT
    arms: tuple[str, ...] = tuple_field()
    risks: tuple[str, ...] = tuple_field()
    frequency: str | TBC = field(default="at every scheduled visit")
    ctcae: tuple[CtcaeGrading, ...] = tuple_field(
        validator=[each(CtcaeGrading, "CTCAE grading"), unique(lambda g: g.term.value, "CTCAE term")])
    source: str | None = None

