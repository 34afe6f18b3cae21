"""Monitoring observations against a protocol's safety rules.

For each observation row (one participant at one visit) every monitoring
rule that applies is evaluated on the row's values (derived values included):

- a rule *applies* unless the row gives an arm the rule is not for, or its
  timing does not fit the visit, or the visit does not collect what it reads:
  ``before start`` rules apply only at visits before treatment starts (epoch
  type screening or baseline, or day ≤ 0); ``on treatment`` rules apply at
  every visit except those of a screening epoch or with a day below 0; a rule
  whose forms the schedule does not collect at the visit applies only when
  the row gives some of its items all the same;
- a rule that is true *fires*: its action, action text and source are
  reported, with each CTCAE term it gives graded from the row's observed
  value of the term's item (:func:`planner.ctcae.grade`; no grade when it
  cannot be computed, never the grade written on the rule);
- a rule that is unknown is *not evaluable*, with the items that are missing.

Rules that do not apply are listed with the reason, so nothing disappears.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import frozen

from planner import ctcae, units
from planner.expr import compile_rule, evaluate
from planner.model import Action, CtcaeGrading, EpochType, MonitoringRule, Protocol, Timing, Visit
from planner.participants.derived import Derivations, facts
from planner.participants.records import Participant, Sheet


class Phase(enum.StrEnum):
    """Where a visit lies relative to the start of treatment."""

    BEFORE_START = "before start"  # screening
    START = "start of treatment"  # baseline or day 0: before-start and on-treatment rules both apply
    ON_TREATMENT = "on treatment"


def visit_phase(protocol: Protocol, visit: Visit) -> Phase:
    """The phase of ``visit`` from its epoch type and day (a day "to be confirmed" is ignored)."""
    epoch = protocol.schedule.epoch(visit.epoch)
    etype = epoch.type if epoch is not None else None
    day = visit.day if isinstance(visit.day, int) else None
    if etype is EpochType.SCREENING or (day is not None and day < 0):
        return Phase.BEFORE_START
    if etype is EpochType.BASELINE or day == 0:
        return Phase.START
    return Phase.ON_TREATMENT


@frozen
class Graded:
    """A CTCAE term of a fired rule, graded from the observed value of its item.

    ``grade`` is computed from ``value`` (0: within normal limits); ``None``
    when it cannot be, with the reason in ``note``. ``rule_grade`` is the
    grade the rule's threshold corresponds to, as the rule states it.
    """

    term: ctcae.Term
    item: str
    value: float | None
    unit: str | None
    grade: int | None
    rule_grade: int | None = None
    note: str | None = None

    def text(self) -> str:
        """``Neutrophil count decreased, grade 4 (anc = 450 /mm3)`` or ``..., not gradable: why``."""
        shown = "" if self.value is None else f" ({self.item} = {self.value:g}{f' {self.unit}' if self.unit else ''})"
        if self.grade is None:
            return f"{self.term.value}, not gradable: {self.note or 'no grade'}{shown}"
        return f"{ctcae.describe(self.term, self.grade)}{shown}"


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def grade_observed(g: CtcaeGrading, record: Mapping[str, Any], unit_of: Mapping[str, str | None]) -> Graded:
    """The CTCAE grade of ``g.item``'s value in ``record`` (with the ULN item's value where the term needs it)."""
    value, unit = _number(record.get(g.item)), unit_of.get(g.item)

    def ungraded(note: str) -> Graded:
        return Graded(g.term, g.item, value, unit, None, g.grade, note)

    if value is None:
        return ungraded(f"{g.item} not given")
    if not isinstance(unit, str):
        return ungraded(f"the unit of {g.item} is not stated")
    uln: float | None = None
    if ctcae.uln_based(g.term) and unit != "xULN":
        if g.uln_item is None:
            return ungraded("the rule names no ULN item")
        uln, uln_unit = _number(record.get(g.uln_item)), unit_of.get(g.uln_item)
        if uln is None:
            return ungraded(f"{g.uln_item} not given")
        if uln_unit != unit:
            if not (isinstance(uln_unit, str) and units.is_known(uln_unit) and units.is_known(unit)
                    and units.convertible(uln_unit, unit)):
                return ungraded(f"{g.uln_item} ({uln_unit}) is not in a unit of {g.item} ({unit})")
            uln *= units.factor(uln_unit, unit)
    try:
        grade = ctcae.grade(g.term, value, unit, uln=uln)
    except ValueError as exc:
        return ungraded(str(exc))
    if grade is None:
        return ungraded(f"grade 1 or normal: the {ctcae.limit(g.term).value} is not known")
    return Graded(g.term, g.item, value, unit, grade, g.grade)


@frozen
class Firing:
    """A rule that fired, with what to do.

    ``ctcae`` grades each CTCAE term of the rule from the row's values;
    ``arm_unconfirmed`` is true when the rule is for some arms only and the
    row did not say which arm the participant is in.
    """

    rule: str
    name: str
    action: Action
    action_text: str
    ctcae: tuple[Graded, ...]
    source: str | None
    arms: tuple[str, ...]
    arm_unconfirmed: bool
    because: tuple[str, ...]

    @property
    def grade(self) -> int | None:
        """The highest grade computed over the rule's CTCAE terms (``None``: none could be computed)."""
        return max((g.grade for g in self.ctcae if g.grade is not None), default=None)


@frozen
class NotEvaluable:
    """A rule whose condition is unknown on this row, and the items that would decide it."""

    rule: str
    name: str
    missing: tuple[str, ...]
    because: tuple[str, ...] = ()


@frozen
class NotApplied:
    """A rule that does not apply to this row, and why."""

    rule: str
    reason: str


@frozen
class VisitResult:
    """The rules for one participant at one visit: each rule is in exactly one of
    ``fired``, ``not_evaluable``, ``not_applied`` and ``not_fired`` (evaluated false)."""

    participant: str
    visit: str
    arm: str | None
    row: int
    phase: Phase
    fired: tuple[Firing, ...]
    not_evaluable: tuple[NotEvaluable, ...]
    not_applied: tuple[NotApplied, ...]
    not_fired: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@frozen
class MonitoringReport:
    """Monitoring of every observation row of a file against one protocol version."""

    protocol: str
    version: str
    source: str
    results: tuple[VisitResult, ...]
    notes: tuple[str, ...] = ()
    row_label: str = "row"

    def summary(self) -> dict[str, int]:
        """Counts of rows, rules fired, rows with a rule fired, and rules not evaluable."""
        return {
            "rows": len(self.results),
            "fired": sum(len(r.fired) for r in self.results),
            "rows_with_firing": sum(1 for r in self.results if r.fired),
            "not_evaluable": sum(len(r.not_evaluable) for r in self.results),
        }


class Monitor:
    """A protocol's monitoring rules, prepared once."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.rules = protocol.monitoring
        self.derivations = Derivations(protocol, [m.condition for m in self.rules])
        self.unit_of = self.derivations.unit_of
        self._forms = {m.id: self._forms_read(m) for m in self.rules}
        # Most rules are quiet at most visits: their compiled closure decides that without building the
        # explanation, which only a firing or an unknown rule reports (the two paths agree: property tests).
        self._compiled = {m.id: compile_rule(m.condition, self.unit_of) for m in self.rules}

    def _forms_read(self, rule: MonitoringRule) -> frozenset[str] | None:
        """The forms whose items ``rule`` reads; ``None`` when it reads a derived value (no guessing)."""
        items = self.protocol.resolution.items
        logs = {f.id for f in self.protocol.dictionary.forms if f.repeating}
        forms: set[str] = set()
        for name in rule.condition.refs():
            if name in items:
                forms.add(items[name][0].id)
            elif name in logs:
                forms.add(name)
            else:
                return None
        return frozenset(forms)

    def check(self, obs: Participant) -> VisitResult:
        """The rules that fire, are not evaluable, or do not apply for one observation row."""
        visit = self.protocol.schedule.visit(obs.visit or "")
        if visit is None:
            raise ValueError(f"observation row {obs.row} has no known visit: {obs.visit!r}")
        phase = visit_phase(self.protocol, visit)
        record = obs.record()
        problems = self.derivations.apply(record)
        fired: list[Firing] = []
        unknown: list[NotEvaluable] = []
        skipped: list[NotApplied] = []
        quiet: list[str] = []
        for rule in self.rules:
            reason = self._not_applied(rule, phase, obs.arm) or self._not_collected(rule, visit, record)
            if reason is not None:
                skipped.append(NotApplied(rule.id, reason))
                continue
            if self._compiled[rule.id](record) is False:
                quiet.append(rule.id)
                continue
            outcome = evaluate(rule.condition, record, self.unit_of)
            because = (*outcome.because, *facts(rule.condition, record, self.unit_of))
            if outcome.value is None:
                missing = self.derivations.missing(outcome.missing, record)
                unknown.append(NotEvaluable(rule.id, rule.name, missing, because))
            elif outcome.value:
                graded = tuple(grade_observed(g, record, self.unit_of) for g in rule.ctcae)
                fired.append(Firing(rule.id, rule.name, rule.action, rule.action_text, graded, rule.source,
                                    rule.arms, bool(rule.arms) and obs.arm is None, because))
            else:
                quiet.append(rule.id)
        shown = tuple(f"{k}: {v}" for k, v in problems.items())
        return VisitResult(obs.id, visit.id, obs.arm, obs.row, phase, tuple(fired), tuple(unknown), tuple(skipped),
                           tuple(quiet), shown)

    def _not_collected(self, rule: MonitoringRule, visit: Visit, record: dict[str, object]) -> str | None:
        forms = self._forms[rule.id]
        if not visit.forms or forms is None or forms & set(visit.forms):
            return None
        if any(record.get(name.partition(".")[0]) is not None for name in rule.condition.refs()):
            return None
        return (f"reads {', '.join(sorted(forms))}, which the schedule does not collect at visit {visit.id}, "
                "and the row gives none of its items")

    @staticmethod
    def _not_applied(rule: MonitoringRule, phase: Phase, arm: str | None) -> str | None:
        if arm is not None and rule.arms and arm not in rule.arms:
            return f"only for arm(s) {', '.join(rule.arms)}; this row is arm {arm}"
        if rule.timing is Timing.BEFORE_START and phase is Phase.ON_TREATMENT:
            return "a before-start rule; this visit is on treatment"
        if rule.timing is Timing.ON_TREATMENT and phase is Phase.BEFORE_START:
            return "an on-treatment rule; this visit is before treatment starts"
        return None


def monitor(protocol: Protocol, observations: Sheet | Iterable[Participant], source: str = "") -> MonitoringReport:
    """Check every observation row against ``protocol``'s monitoring rules.

    Given a :class:`Sheet`, the report also names its source and carries its notes.
    """
    m = Monitor(protocol)
    rows = observations.participants if isinstance(observations, Sheet) else observations
    results = tuple(m.check(o) for o in rows)
    notes = ["the protocol states no monitoring rules: nothing can fire"] if not protocol.monitoring else []
    if isinstance(observations, Sheet):
        source = source or observations.source
        notes.extend(observations.notes)
    unit = observations.unit if isinstance(observations, Sheet) else "row"
    return MonitoringReport(protocol.id, protocol.version, source, results, tuple(notes), unit)
