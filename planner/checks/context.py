"""What checks need to know about a protocol, computed once per run.

:class:`Context` wraps a :class:`~planner.model.Protocol` with lookups the
checks share: items by rule name, visits by id, which forms are collected
before treatment, which forms a measure or derivation needs, readable
breadcrumbs, and every value still "to be confirmed".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any, TypeVar

from planner.checks import names
from planner.checks.names import NameProblem
from planner.checks.risks import RiskTable, table
from planner.derive import inputs
from planner.model import (
    TBC,
    Arm,
    Derivation,
    EpochType,
    Form,
    Intervention,
    Item,
    MonitoringRule,
    Protocol,
    Role,
    Visit,
)
from planner.model.unconfirmed import Unconfirmed, crumb, label, unconfirmed, walk

__all__ = ["ACTIVE_ROLES", "PRE_TREATMENT_EPOCHS", "Context", "crumb", "label", "walk"]

T = TypeVar("T")

PRE_TREATMENT_EPOCHS = frozenset({EpochType.SCREENING, EpochType.BASELINE})

#: Roles whose agents count for combination and risk checks.
ACTIVE_ROLES = frozenset({Role.INVESTIGATIONAL, Role.BACKGROUND})

class Context:
    """A protocol and the lookups its checks share (computed lazily, once)."""

    def __init__(self, protocol: Protocol, risks: RiskTable | None = None) -> None:
        self.protocol = protocol
        self.risks = risks if risks is not None else table()
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per run, for results several checks share."""
        if key not in self._memo:
            self._memo[key] = compute()
        result: T = self._memo[key]
        return result

    # -- dictionary -------------------------------------------------------

    @cached_property
    def items(self) -> dict[str, tuple[Form, Item]]:
        """Items by the name rules use (``form.item`` in a repeating form)."""
        return self.protocol.dictionary.items()

    @cached_property
    def name_problems(self) -> tuple[NameProblem, ...]:
        """Every name a rule reads that the protocol does not define (:mod:`planner.checks.names`)."""
        return names.problems(self.protocol)

    def names_at(self, prefix: str) -> Iterator[NameProblem]:
        """The :attr:`name_problems` of the rules whose path starts with ``prefix``."""
        return (n for n in self.name_problems if n.path.startswith(prefix))

    @cached_property
    def item_paths(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for i, f in enumerate(self.protocol.dictionary.forms):
            for j, it in enumerate(f.items):
                out[f"{f.id}.{it.name}" if f.repeating else it.name] = f"$.dictionary.forms[{i}].items[{j}]"
        return out

    @cached_property
    def form_ids(self) -> frozenset[str]:
        return frozenset(f.id for f in self.protocol.dictionary.forms)

    @cached_property
    def derivations(self) -> dict[str, Derivation]:
        return {d.id: d for d in self.protocol.derivations}

    def item(self, name: str) -> Item | None:
        found = self.items.get(name)
        return None if found is None else found[1]

    def unit_of(self, name: str) -> str | TBC | None:
        """The declared unit of an item or derivation (``None`` if none or unknown)."""
        it = self.item(name)
        if it is not None:
            return it.unit
        d = self.derivations.get(name)
        return None if d is None else d.unit

    def needs(self, name: str, _seen: frozenset[str] = frozenset()) -> tuple[frozenset[str], frozenset[str]]:
        """Forms a name needs collected, and the names it uses that nothing defines.

        An item needs its form; a repeating form (in ``count``) needs itself;
        a derivation needs the forms of its inputs (method bindings or
        expression references), followed recursively.
        """
        if name in self.items:
            return frozenset({self.items[name][0].id}), frozenset()
        if name in self.form_ids:
            return frozenset({name}), frozenset()
        d = self.derivations.get(name)
        if d is None or name in _seen:
            return frozenset(), frozenset() if d is not None else frozenset({name})
        forms: set[str] = set()
        unknown: set[str] = set()
        for used in inputs(d):
            f, u = self.needs(used, _seen | {name})
            forms |= f
            unknown |= u
        return frozenset(forms), frozenset(unknown)

    # -- schedule ---------------------------------------------------------

    @cached_property
    def visits(self) -> dict[str, Visit]:
        return {v.id: v for v in self.protocol.schedule.visits}

    def is_pre_treatment(self, visit: Visit) -> bool:
        """A screening or baseline visit: its epoch is one, or its day is ≤ 0."""
        epoch = self.protocol.schedule.epoch(visit.epoch)
        if epoch is not None and epoch.type in PRE_TREATMENT_EPOCHS:
            return True
        return isinstance(visit.day, int) and visit.day <= 0

    @cached_property
    def pre_treatment_forms(self) -> frozenset[str]:
        """Forms collected at a screening or baseline visit."""
        return frozenset(f for v in self.protocol.schedule.visits if self.is_pre_treatment(v) for f in v.forms)

    @cached_property
    def on_treatment_forms(self) -> frozenset[str]:
        """Forms collected at a visit after the start of treatment."""
        return frozenset(f for v in self.protocol.schedule.visits if not self.is_pre_treatment(v) for f in v.forms)

    # -- arms and rules -----------------------------------------------------

    def active(self, arm: Arm) -> tuple[tuple[int, Intervention], ...]:
        """``(index, intervention)`` for the arm's investigational and background agents."""
        return tuple((i, x) for i, x in enumerate(arm.interventions) if x.role in ACTIVE_ROLES)

    def rules_for(self, arm: Arm) -> tuple[MonitoringRule, ...]:
        """Monitoring rules that apply to ``arm`` (a rule without arms applies to all)."""
        return tuple(r for r in self.protocol.monitoring if not r.arms or arm.id in r.arms)

    # -- values to be confirmed ------------------------------------------------

    @cached_property
    def pending(self) -> tuple[Unconfirmed, ...]:
        """Every ``TBC`` field and every quantity marked ``verify``, with its path (the model's one walk)."""
        return unconfirmed(self.protocol)
