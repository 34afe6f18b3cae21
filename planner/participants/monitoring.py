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
- a rule that is true *fires*: its action, action text, CTCAE term and grade
  and source are reported;
- a rule that is unknown is *not evaluable*, with the items that are missing.

Rules that do not apply are listed with the reason, so nothing disappears.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

from attrs import frozen

from planner.expr import evaluate
from planner.model import Action, EpochType, MonitoringRule, Protocol, Timing, Visit
from planner.participants.derived import Derivations, facts
from planner.participants.records import Participant, Sheet

_GRADE = re.compile(r"\bgrade\s+(\d)\b", re.IGNORECASE)


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


def ctcae_grade(ctcae: str | None) -> int | None:
    """The grade number in a rule's CTCAE text (``"Anaemia, grade 3 (< 8 g/dL)"`` → 3)."""
    m = _GRADE.search(ctcae or "")
    return int(m.group(1)) if m else None


@frozen
class Firing:
    """A rule that fired, with what to do.

    ``arm_unconfirmed`` is true when the rule is for some arms only and the
    row did not say which arm the participant is in.
    """

    rule: str
    name: str
    action: Action
    action_text: str
    ctcae: str | None
    grade: int | None
    source: str | None
    arms: tuple[str, ...]
    arm_unconfirmed: bool
    because: tuple[str, ...]


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
            outcome = evaluate(rule.condition, record, self.unit_of)
            because = (*outcome.because, *facts(rule.condition, record, self.unit_of))
            if outcome.value is None:
                missing = self.derivations.missing(outcome.missing, record)
                unknown.append(NotEvaluable(rule.id, rule.name, missing, because))
            elif outcome.value:
                fired.append(Firing(rule.id, rule.name, rule.action, rule.action_text, rule.ctcae,
                                    ctcae_grade(rule.ctcae), rule.source, rule.arms,
                                    bool(rule.arms) and obs.arm is None, because))
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
