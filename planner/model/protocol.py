"""The protocol: identity, provenance and every part of the design."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from functools import cached_property

from attrs import field, frozen

from planner.expr.nodes import Expr
from planner.model.design import Arm
from planner.model.dictionary import DataDictionary, Form, Item
from planner.model.pathway import Pathway
from planner.model.population import AnimalDetails, ClinicalPopulation, Procedure, StudyKind
from planner.model.rules import Criterion, Derivation, MonitoringRule, Objective
from planner.model.schedule import Schedule
from planner.model.stats import Blinding, Randomisation, SampleSize, Statistics
from planner.model.values import TBC, identifier, non_empty, slug, tuple_field, unique


class Status(enum.StrEnum):
    DRAFT = "draft"
    FINAL = "final"
    APPROVED = "approved"
    AMENDED = "amended"


@frozen
class Reference:
    """A numbered citation; ``key`` is what values cite (``chen2023``)."""

    key: str = field(validator=identifier())
    citation: str = field(validator=non_empty())
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    note: str | None = None


@frozen
class RiskDecision:
    """A recorded decision to accept a combination warning or contraindication of the risk table.

    ``about`` is the id of the table's warning or contraindication
    (``jak_with_biologic``, ``iguratimod_pregnancy``); ``arms`` the arm ids it
    covers (empty: every arm); ``reason`` why the protocol accepts it and how
    the risk is managed; ``source`` the reference key that supports the reason.
    """

    about: str = field(validator=identifier())
    reason: str = field(validator=non_empty())
    arms: tuple[str, ...] = tuple_field()
    source: str | None = None


@frozen
class Resolution:
    """The names a rule may use: ``items`` maps each to its form and item."""

    items: dict[str, tuple[Form, Item]]

    def unit_of(self) -> dict[str, str | None]:
        return {name: (it.unit if isinstance(it.unit, str) else None) for name, (_, it) in self.items.items()}


@frozen
class Protocol:
    """A study protocol (USDM Study / StudyVersion / StudyDesign in one object).

    Build one in Python (see ``protocols/``) or load one from YAML/JSON with
    :func:`planner.serialize.load`. Cross-object consistency (an endpoint's
    visit exists, a rule's item is collected at screening) is the work of
    :mod:`planner.checks`, not of this class.
    """

    id: str = field(validator=slug())
    title: str = field(validator=non_empty())
    short_title: str = field(validator=non_empty())
    version: str = field(validator=non_empty())
    date: dt.date
    status: Status
    kind: StudyKind
    sponsor: str | TBC
    investigator: str | TBC
    rationale: str = field(validator=non_empty())
    design: str = field(validator=non_empty())
    schedule: Schedule
    dictionary: DataDictionary
    population: ClinicalPopulation | None = None
    animals: AnimalDetails | None = None
    procedures: tuple[Procedure, ...] = tuple_field(validator=unique(lambda p: p.id, "procedure id"))
    arms: tuple[Arm, ...] = tuple_field(validator=unique(lambda a: a.id, "arm id"))
    objectives: tuple[Objective, ...] = tuple_field(validator=unique(lambda o: o.id, "objective id"))
    derivations: tuple[Derivation, ...] = tuple_field(validator=unique(lambda d: d.id, "derivation id"))
    eligibility: tuple[Criterion, ...] = tuple_field(validator=unique(lambda c: c.id, "criterion id"))
    monitoring: tuple[MonitoringRule, ...] = tuple_field(validator=unique(lambda m: m.id, "monitoring rule id"))
    sample_size: SampleSize | None = None
    randomisation: Randomisation | None = None
    blinding: Blinding | None = None
    statistics: Statistics | None = None
    pathways: tuple[Pathway, ...] = tuple_field(validator=unique(lambda p: p.id, "pathway id"))
    risk_decisions: tuple[RiskDecision, ...] = tuple_field(
        validator=unique(lambda d: f"{d.about} for {', '.join(d.arms) or 'every arm'}", "risk decision"))
    references: tuple[Reference, ...] = tuple_field(validator=unique(lambda r: r.key, "reference key"))

    # -- navigation ---------------------------------------------------------

    def reference(self, key: str) -> Reference | None:
        return next((r for r in self.references if r.key == key), None)

    def arm(self, arm_id: str) -> Arm | None:
        return next((a for a in self.arms if a.id == arm_id), None)

    def derivation(self, derivation_id: str) -> Derivation | None:
        return next((d for d in self.derivations if d.id == derivation_id), None)

    def endpoints(self) -> Iterator[tuple[str, object]]:
        """``(path, endpoint)`` for every endpoint of every objective."""
        for i, obj in enumerate(self.objectives):
            for j, ep in enumerate(obj.endpoints):
                yield f"$.objectives[{i}].endpoints[{j}]", ep

    def expressions(self) -> Iterator[tuple[str, Expr]]:
        """``(path, expression)`` for every rule expression in the protocol."""
        for i, c in enumerate(self.eligibility):
            if c.rule is not None:
                yield f"$.eligibility[{i}].rule", c.rule
        for i, m in enumerate(self.monitoring):
            yield f"$.monitoring[{i}].condition", m.condition
        for i, d in enumerate(self.derivations):
            if d.expression is not None:
                yield f"$.derivations[{i}].expression", d.expression
        for path, ep in self.endpoints():
            success = getattr(ep, "success", None)
            if isinstance(success, Expr):
                yield f"{path}.success", success

    @cached_property
    def resolution(self) -> Resolution:
        """The names rules may use, resolved against the dictionary (computed once).

        Which names a rule reads that the protocol does not define is the work
        of :mod:`planner.checks.names`.
        """
        return Resolution(self.dictionary.items())
