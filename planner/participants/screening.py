"""Screening candidates against a protocol's eligibility criteria.

Each criterion with a rule is evaluated with three-valued logic on the
candidate's record (derived values included). A candidate is

- **ineligible** when an inclusion criterion is false or an exclusion
  criterion is true (the *deciding* criteria, with the explanation);
- otherwise **incomplete** when some criterion is unknown (with the items
  that are missing);
- otherwise **eligible**.

Criteria ``assessed_by_investigator`` (or without a rule) are listed as *to
be assessed*: they never decide, and an eligible candidate still needs them.

:class:`Screener` prepares a protocol once. :meth:`Screener.screen` explains
each answer by walking the rule trees; :meth:`Screener.verdict` gives the
answer alone from compiled rules, for screening many records.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import frozen

from planner.expr import Outcome, compile_rule, evaluate
from planner.model import Category, Criterion, Protocol
from planner.participants.derived import Derivations, facts
from planner.participants.records import Participant, Sheet


class Verdict(enum.StrEnum):
    """The screening answer for one candidate."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    INCOMPLETE = "incomplete"


class Status(enum.StrEnum):
    """How one criterion came out for one candidate."""

    PASSED = "passed"  # inclusion true, or exclusion false
    FAILED = "failed"  # inclusion false, or exclusion true: deciding
    UNKNOWN = "unknown"  # the rule is unknown: data missing
    TO_BE_ASSESSED = "to be assessed"  # the investigator decides


@frozen
class CriterionResult:
    """One criterion for one candidate: its status, why, and what is missing."""

    id: str
    category: Category
    text: str
    status: Status
    because: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``I4 not met``, ``E1 applies``, ``I3 to be assessed`` …"""
        inclusion = self.category is Category.INCLUSION
        words = {
            Status.PASSED: "met" if inclusion else "does not apply",
            Status.FAILED: "not met" if inclusion else "applies",
            Status.UNKNOWN: "unknown",
            Status.TO_BE_ASSESSED: "to be assessed",
        }
        return f"{self.id} {words[self.status]}"


@frozen
class Screening:
    """The answer for one candidate, with the criteria behind it."""

    participant: str
    row: int
    verdict: Verdict
    criteria: tuple[CriterionResult, ...]
    problems: tuple[str, ...] = ()

    @property
    def deciding(self) -> tuple[CriterionResult, ...]:
        """The criteria that make the candidate ineligible."""
        return tuple(c for c in self.criteria if c.status is Status.FAILED)

    @property
    def unknown(self) -> tuple[CriterionResult, ...]:
        """The criteria that could not be decided."""
        return tuple(c for c in self.criteria if c.status is Status.UNKNOWN)

    @property
    def to_assess(self) -> tuple[CriterionResult, ...]:
        """The criteria the investigator must assess."""
        return tuple(c for c in self.criteria if c.status is Status.TO_BE_ASSESSED)

    @property
    def missing(self) -> tuple[str, ...]:
        """Every missing item, in criterion order."""
        return tuple(dict.fromkeys(m for c in self.criteria for m in c.missing))


@frozen
class ScreeningReport:
    """Screening of every candidate of a file against one protocol version."""

    protocol: str
    version: str
    source: str
    results: tuple[Screening, ...]
    notes: tuple[str, ...] = ()
    row_label: str = "row"

    def count(self, verdict: Verdict) -> int:
        """How many candidates got ``verdict``."""
        return sum(1 for r in self.results if r.verdict is verdict)

    def summary(self) -> dict[str, int]:
        """``{"eligible": n, "ineligible": n, "incomplete": n}``."""
        return {v.value: self.count(v) for v in Verdict}


class Screener:
    """A protocol's eligibility criteria, prepared once for screening many candidates.

    ``computable`` is the number of criteria with a rule that decides (not
    left to the investigator); ``derivations`` computes the derived values
    those rules read.
    """

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.criteria = protocol.eligibility
        rules = [c.rule for c in self.criteria if c.rule is not None and not c.assessed_by_investigator]
        self.derivations = Derivations(protocol, rules)
        self.unit_of = self.derivations.unit_of
        compiled = [(c.category is Category.INCLUSION, compile_rule(c.rule, self.unit_of), c.rule)
                    for c in self.criteria if c.rule is not None and not c.assessed_by_investigator]
        # Rules that read no derived value go first: when one of them excludes the
        # candidate, no derivation is computed (the answer does not depend on the order).
        self._plain = tuple((inc, fn) for inc, fn, rule in compiled if not rule.refs() & self.derivations.ids)
        self._derived = tuple((inc, fn) for inc, fn, rule in compiled if rule.refs() & self.derivations.ids)
        self.computable = len(compiled)

    def verdict(self, record: Mapping[str, Any]) -> Verdict:
        """The answer alone, from compiled rules: the fast path for many records."""
        unknown = False
        for inclusion, rule in self._plain:
            value = rule(record)
            if value is None:
                unknown = True
            elif bool(value) is not inclusion:
                return Verdict.INELIGIBLE
        if self._derived:
            r = dict(record)
            self.derivations.apply(r)
            for inclusion, rule in self._derived:
                value = rule(r)
                if value is None:
                    unknown = True
                elif bool(value) is not inclusion:
                    return Verdict.INELIGIBLE
        return Verdict.INCOMPLETE if unknown else Verdict.ELIGIBLE

    def screen(self, participant: Participant) -> Screening:
        """The answer for one candidate, with every criterion explained."""
        record = participant.record()
        problems = self.derivations.apply(record)
        results = tuple(self._criterion(c, record) for c in self.criteria)
        statuses = {r.status for r in results}
        verdict = (Verdict.INELIGIBLE if Status.FAILED in statuses
                   else Verdict.INCOMPLETE if Status.UNKNOWN in statuses else Verdict.ELIGIBLE)
        shown = tuple(f"{k}: {v}" for k, v in problems.items())
        return Screening(participant.id, participant.row, verdict, results, shown)

    def _criterion(self, c: Criterion, record: dict[str, Any]) -> CriterionResult:
        if c.rule is None or c.assessed_by_investigator:
            why = ("assessed by the investigator",) if c.assessed_by_investigator else (
                "no computable rule: the investigator decides",)
            return CriterionResult(c.id, c.category, c.text, Status.TO_BE_ASSESSED, why)
        outcome: Outcome = evaluate(c.rule, record, self.unit_of)
        because = (*outcome.because, *facts(c.rule, record, self.unit_of))
        if outcome.value is None:
            missing = self.derivations.missing(outcome.missing, record)
            return CriterionResult(c.id, c.category, c.text, Status.UNKNOWN, because, missing)
        holds = bool(outcome.value)
        failed = holds is not (c.category is Category.INCLUSION)
        return CriterionResult(c.id, c.category, c.text, Status.FAILED if failed else Status.PASSED, because)


def screen(protocol: Protocol, candidates: Sheet | Iterable[Participant], source: str = "") -> ScreeningReport:
    """Screen ``candidates`` against ``protocol``'s eligibility criteria.

    Given a :class:`Sheet`, the report also names its source, carries its
    notes, and notes each item the criteria read that the file has no column
    for (every candidate will lack it).
    """
    screener = Screener(protocol)
    participants = candidates.participants if isinstance(candidates, Sheet) else candidates
    results = tuple(screener.screen(p) for p in participants)
    notes: list[str] = []
    if not protocol.eligibility:
        notes.append("the protocol states no eligibility criteria: no candidate can be found ineligible")
    elif not screener.computable:
        notes.append("the protocol has no computable eligibility criteria: every candidate is eligible pending the "
                     "investigator's assessment")
    if isinstance(candidates, Sheet):
        source = source or candidates.source
        absent = _absent(protocol, candidates.items)
        if absent:
            notes.append(f"the file has no column for {', '.join(absent)}, which the criteria read")
        notes.extend(candidates.notes)
    unit = candidates.unit if isinstance(candidates, Sheet) else "row"
    return ScreeningReport(protocol.id, protocol.version, source, results, tuple(notes), unit)


def _absent(protocol: Protocol, items: frozenset[str]) -> list[str]:
    """Items (expanded through derivations) the criteria read that the file does not supply."""
    rules = [c.rule for c in protocol.eligibility if c.rule is not None and not c.assessed_by_investigator]
    derivations = Derivations(protocol, rules)
    names = set().union(*(r.refs() for r in rules)) if rules else set()
    wanted = derivations.missing(names, {})
    return [n for n in wanted if n not in items]
