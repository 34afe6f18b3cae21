"""Review entered data against the protocol: types, ranges, codes, windows, scores, eligibility, safety rules.

A :class:`Reviewer` prepares, once per protocol and source layout, everything
the review of one participant needs that does not depend on the entries: the
codes of each codelist, the derivations to compute at each visit, the
:class:`~planner.participants.Screener` and
:class:`~planner.participants.Monitor`, where each rule's finding points.
:meth:`Reviewer.review` then turns one :class:`~planner.review.capture.Capture`
into a :class:`~planner.review.report.CrfReport`: findings (each with a
stable code, the visit, and the source's own :class:`Place`), the derived
values recomputed by the derivation engine (:class:`planner.derive.Derivations`),
and the eligibility verdict. Eligibility and monitoring use the project's
screener and monitor, so entered data are judged exactly as ``screen`` and
``monitor`` judge a file.

Nothing here knows the source's format: the CRF workbook
(:mod:`exports.xlsx.review`) is one adapter; REDCap and ODM data are others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from planner import derive
from planner.expr import Count, compile_rule
from planner.model import Category, Codelist, DataType, Derivation, Item, MonitoringRule, Protocol, Visit, Window
from planner.participants import Firing, Monitor, Participant, Phase, Screener, Status, visit_phase
from planner.review.capture import NOWHERE, STUDY, Capture, Entry, LogSlot, Place, Places
from planner.review.convert import convert
from planner.review.report import CrfReport, DerivedValue, Finding

__all__ = ["Reviewer"]

_DAY0: Final = Item("day0", "Date of day 0", DataType.DATE)
_ASSESSED: Final = Item("assessment_date", "Date of assessment", DataType.DATE)


class Reviewer:
    """The review of one protocol's entered data from one kind of source, prepared once.

    ``places`` is the source's layout: which forms it collects at which
    visits, and where each value is (:class:`~planner.review.capture.Places`).
    """

    def __init__(self, places: Places, protocol: Protocol) -> None:
        p = protocol
        self.places = places
        self.protocol = p
        self.slots = places.slots()
        self.codelists = {c.id: c for c in p.dictionary.codelists}
        self.arms = [a.id for a in p.arms]
        self.phases = {v.id: visit_phase(p, v) for v in p.schedule.visits}
        logs = frozenset(f.id for f in p.dictionary.forms if f.repeating)
        study = {d.id: derive.over_the_study(d, logs) for d in p.derivations}
        self.at_visits = tuple(d for d in p.derivations if not study[d.id])
        self.over_study = tuple(d for d in p.derivations if study[d.id])
        self.inputs = {d.id: derive.inputs(d) for d in p.derivations if d.method is not None}
        self.engine = derive.Derivations(p, None)
        self.screener = Screener(p) if places.checklist else None
        self.monitor = Monitor(p)
        self.conditions = tuple(compile_rule(m.condition, self.monitor.unit_of) for m in p.monitoring)
        self.log_rules = frozenset(m.id for m in p.monitoring if any(isinstance(n, Count) for n in m.condition.walk()))
        self.rules: dict[str, MonitoringRule] = {}
        for m in p.monitoring:
            self.rules.setdefault(m.id, m)
        self._where: dict[tuple[str, str | None], Place] = {}

    def codelist_of(self, item: Item) -> Codelist | None:
        """The codelist an item's value must be a code of (``None`` for an item without one)."""
        return self.codelists.get(item.codelist or "")

    def derive(self, d: Derivation, record: Mapping[str, Any]) -> tuple[Any, str | None]:
        """One derivation on a visit's record, by the derivation engine (:class:`planner.derive.Derivations`)."""
        return self.engine.one(d.id, record)

    def may_fire(self, participant: Participant) -> bool:
        """Whether any monitoring rule's condition holds for ``participant`` (compiled rules: fast).

        A rule fires only when its condition holds, and compiled rules give
        the values the monitor's explaining evaluation gives, so a visit
        where none holds needs no :meth:`Monitor.check <planner.participants.Monitor.check>`.
        """
        record = participant.record()
        self.monitor.derivations.apply(record)
        return any(condition(record) for condition in self.conditions)

    def rule_place(self, rule: MonitoringRule, visit: Visit | None) -> Place:
        """Where a monitoring finding points: the first item the rule reads that has a place (or its log)."""
        key = (rule.id, visit.id if visit is not None else None)
        where = self._where.get(key)
        if where is None:
            where = NOWHERE
            for name in sorted(rule.condition.refs()):
                found = self.places.at_visit(name, visit.id) if visit is not None else self.places.log(name)
                if found is not None:
                    where = found
                    break
            self._where[key] = where
        return where

    def review(self, capture: Capture) -> CrfReport:
        """Review the entries of one participant."""
        r = _Review(self, capture)
        day0 = r.cover()
        r.forms(day0)
        r.derive()
        eligible = r.eligibility()
        r.monitoring()
        participant = capture.cover.get("participant")
        p = self.protocol
        return CrfReport(p.id, p.version, str(participant.value) if participant else capture.participant_id,
                         tuple(r.findings), tuple(r.derived), eligible, tuple(r.not_started), self.places.keys)


class _Review:
    def __init__(self, plan: Reviewer, capture: Capture) -> None:
        self.plan = plan
        self.places = plan.places
        self.protocol = plan.protocol
        self.capture = capture
        self.findings: list[Finding] = []
        self.not_started: list[str] = []
        self.visits: dict[str, dict[str, Any]] = {}  # visit key → item name → value
        self.logs: dict[str, list[dict[str, Any]]] = {}
        self.derived: list[DerivedValue] = []
        self.arm: str | None = None  # the participant's arm, when the entry names one of the protocol's
        self.arm_unknown = "arm not entered"  # why the arm is not known, for the findings of arm-specific rules

    def add(self, code: str, message: str, place: Place = NOWHERE, *, visit: str | None = None,
            item: str | None = None) -> None:
        self.findings.append(Finding(code, message, visit, item, place))

    def value(self, item: Item, entry: Entry, visit: str | None, what: str) -> Any:
        """The entry as the item's type; a finding (``what`` names the value) when it is not one."""
        value, problem = convert(item, entry.value, self.plan.codelist_of(item))
        if problem is not None:
            self.problem(problem, what, entry.place, visit=visit, item=item.name)
        return value

    def problem(self, problem: str, what: str, place: Place, *, visit: str | None = None,
                item: str | None = None) -> None:
        """A finding from a ``CODE|text`` problem of :func:`convert` about ``what``."""
        code, _, text = problem.partition("|")
        self.add(code, f"{what}: {text}", place, visit=visit, item=item)

    # -- cover, forms and logs ---------------------------------------------------------

    def cover(self) -> dt.date | None:
        cover = self.capture.cover
        if "participant" not in cover:
            self.add("CRF-MISSING", "Participant ID is missing on the cover sheet", self.places.cover("participant"))
        arm = cover.get("arm")
        arms = self.plan.arms
        if arm is not None and str(arm.value).strip() in arms:
            self.arm = str(arm.value).strip()
        elif arm is not None:  # a typo must not silence the rules of the arm meant: judge as for an unknown arm
            self.arm_unknown = f"arm {arm.value!r} is not an arm of the protocol"
            self.add("CRF-CODE", f"{self.arm_unknown} (allowed: {', '.join(arms)}); every arm's safety rules are "
                     "applied until it is corrected", arm.place)
        anchor = cover.get("anchor")
        if anchor is None:
            return None
        value = self.value(_DAY0, anchor, None, "Date of day 0")
        return value if isinstance(value, dt.date) else None

    def forms(self, day0: dt.date | None) -> None:
        anchor_missing = False
        for slot in self.plan.slots:
            if isinstance(slot, LogSlot):
                self.log(slot)
                continue
            form, key, heading = slot.form, slot.key, slot.heading
            entries = self.capture.forms.get(form.id, {}).get(key, {})
            if not entries:
                self.not_started.append(f"{form.name} at {heading}")
                continue
            values = self.visits.setdefault(key, {})
            date_entry = entries.get("")
            if date_entry is None:
                self.add("CRF-MISSING", f"{form.name} at {heading}: date of assessment is missing",
                         self.places.date(form.id, key), visit=key)
            else:
                date = self.value(_ASSESSED, date_entry, key, f"Date of assessment at {heading}")
                if isinstance(date, dt.date) and slot.visit is not None:
                    if day0 is None:
                        anchor_missing = True
                    else:
                        self.window(slot.visit, date, day0, date_entry.place)
            for item in form.items:
                entry = entries.get(item.name)
                if entry is None:
                    if item.required:
                        self.add("CRF-MISSING", f"{item.label} ({item.name}) at {heading} is required",
                                 self.places.item(form.id, key, item.name), visit=key, item=item.name)
                    continue
                value, problem = convert(item, entry.value, self.plan.codelist_of(item))
                if problem is not None:  # the message is only written when needed: most values are fine
                    self.problem(problem, f"{item.label} ({item.name}) at {heading}", entry.place, visit=key,
                                 item=item.name)
                elif value is not None:
                    values[item.name] = value
        if anchor_missing:
            self.add("CRF-MISSING", "Date of day 0 is missing on the cover sheet, so visit windows cannot be checked",
                     self.places.cover("anchor"))

    def window(self, visit: Visit, date: dt.date, day0: dt.date, place: Place) -> None:
        if not isinstance(visit.day, int) or not isinstance(visit.window, Window):
            return
        day = (date - day0).days
        low, high = visit.day - visit.window.before, visit.day + visit.window.after
        if not low <= day <= high:
            self.add("CRF-WINDOW", f"date of assessment {date.isoformat()} is day {day}; {visit.name} is day "
                     f"{visit.day} ({visit.window}), so days {low} to {high}", place, visit=visit.id)

    def log(self, slot: LogSlot) -> None:
        form = slot.form
        records: list[dict[str, Any]] = []
        for number, entries in self.capture.logs.get(form.id, ()):
            record: dict[str, Any] = {}
            for item in form.items:
                entry = entries.get(item.name)
                if entry is None and not item.required:
                    continue
                what = f"{form.name} record {number}, {item.label} ({item.name})"
                if entry is None:
                    self.add("CRF-MISSING", f"{what} is required", self.places.log_item(form.id, number, item.name),
                             item=item.name)
                    continue
                value = self.value(item, entry, None, what)
                if value is not None:
                    record[item.name] = value
            records.append(record)
        if records:  # an empty log is "not recorded": counts over it stay unknown
            self.logs[form.id] = records

    # -- derived values, eligibility, monitoring ------------------------------------------

    def derive(self) -> None:
        """Each derivation at each visit with entries (in order: later ones read earlier ones), then over the logs.

        A derivation sees the visit's items, the values derived before it at
        that visit, and every log; one over the study sees the logs only.
        """
        for visit in self.protocol.schedule.visits:
            if visit.id not in self.visits:
                continue
            record: dict[str, Any] = dict(self.logs)
            record.update(self.visits[visit.id])
            for d in self.plan.at_visits:
                value = self.compute(d, visit.id, record)
                if value is not None:
                    self.derived.append(DerivedValue(d.id, d.label, visit.id, value))
                    record[d.id] = value
        for d in self.plan.over_study:
            self.derived.append(DerivedValue(d.id, d.label, STUDY, self.compute(d, None, dict(self.logs))))

    def compute(self, d: Derivation, key: str | None, record: Mapping[str, Any]) -> float | int | None:
        """A derived value at a visit (``None``: over the logs), as the derivation engine gives it.

        Missing inputs leave it unknown; a score that rejects the entered
        inputs (``esr_mm_h=0``) is a ``CRF-DERIVED`` finding.
        """
        if d.method is not None and any(record.get(name) is None for name in self.plan.inputs[d.id]):
            return None
        value, problem = self.plan.derive(d, record)
        if value is None and problem is not None and d.method is not None:
            self.add("CRF-DERIVED", f"{d.label} at {key or STUDY}: {problem}", self.places.derived(d.id, key or STUDY),
                     visit=key)
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    def participant(self, visit: Visit | None, values: Mapping[str, Any]) -> Participant:
        """The entries as a :class:`~planner.participants.Participant` for screening and monitoring."""
        cover = self.capture.cover
        pid = str(cover["participant"].value) if "participant" in cover else "?"
        return Participant(pid, 0, dict(values), dict(self.logs), visit.id if visit else None, self.arm)

    def screening_values(self) -> dict[str, Any]:
        """Item values before treatment (the earliest entered value of each item)."""
        visits = [v for v in self.protocol.schedule.visits if v.id in self.visits]
        before = [v for v in visits if self.plan.phases[v.id] is not Phase.ON_TREATMENT]
        out: dict[str, Any] = {}
        for visit in before or visits:
            for name, value in self.visits[visit.id].items():
                out.setdefault(name, value)
        return out

    def eligibility(self) -> bool | None:
        """Screen the entered data (:class:`~planner.participants.Screener`) and compare with the checklist."""
        screener = self.plan.screener
        if screener is None:
            return None
        screening = screener.screen(self.participant(None, self.screening_values()))
        results = {r.id: r for r in screening.criteria}
        answers = self.capture.answers
        verdicts: list[bool | None] = []
        for c in self.protocol.eligibility:
            inclusion = c.category is Category.INCLUSION
            entry = answers.get(c.id)
            where = self.places.answer(c.id)
            answer = None if entry is None else str(entry.value).strip().capitalize()
            if entry is None and answers:
                self.add("CRF-MISSING", f"criterion {c.id} is not answered", where)
            elif entry is not None and answer not in ("Yes", "No", "Unknown"):
                self.add("CRF-CODE", f"criterion {c.id}: {entry.value!r} is not Yes, No or Unknown", where)
                answer = None
            said = {"Yes": True, "No": False}.get(answer or "")
            ok_by_answer = None if said is None else said == inclusion
            result = results[c.id]
            ok_by_data = {Status.PASSED: True, Status.FAILED: False}.get(result.status)
            if ok_by_data is False:
                self.add("CRF-ELIGIBILITY", f"{result.label} by the entered data: {'; '.join(result.because)}", where)
            if ok_by_answer is not None and ok_by_data is not None and ok_by_answer != ok_by_data:
                held = ok_by_data == inclusion
                self.add("CRF-ELIGIBILITY", f"criterion {c.id}: the checklist says {answer!r} but the entered "
                         f"data say {'Yes' if held else 'No'}", where)
            elif ok_by_answer is False and ok_by_data is None:
                self.add("CRF-ELIGIBILITY", f"criterion {c.id} ({c.category.value}) answered {answer!r}: "
                         "the participant is not eligible", where)
            verdicts.append(ok_by_data if ok_by_data is False else ok_by_answer)
        if any(v is False for v in verdicts):
            return False
        return True if verdicts and all(v is True for v in verdicts) else None

    def monitoring(self) -> None:
        """Check every visit with entries (:class:`~planner.participants.Monitor`); a rule over logs once."""
        reported: set[str] = set()
        for visit in self.protocol.schedule.visits:
            if visit.id not in self.visits:
                continue
            participant = self.participant(visit, self.visits[visit.id])
            if not self.plan.may_fire(participant):
                continue
            for firing in self.plan.monitor.check(participant).fired:
                if firing.rule in reported:
                    continue
                on_log = firing.rule in self.plan.log_rules
                if on_log:
                    reported.add(firing.rule)
                self.fire(firing, None if on_log else visit)

    def fire(self, firing: Firing, visit: Visit | None) -> None:
        when = f"at {visit.name}" if visit is not None else "in the logs"
        ctcae = f" [CTCAE v5.0: {'; '.join(g.text() for g in firing.ctcae)}]" if firing.ctcae else ""
        where = self.plan.rule_place(self.plan.rules[firing.rule], visit)
        arm = f" ({self.arm_unknown}; the rule is for {', '.join(firing.arms)})" if firing.arm_unconfirmed else ""
        self.add("CRF-MONITOR", f"{firing.name} {when}: {firing.action.value} — {firing.action_text}{ctcae}{arm} "
                 f"(because {'; '.join(firing.because)})", where, visit=visit.id if visit else None)
