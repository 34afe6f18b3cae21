"""Review entered CRF values against the protocol: types, ranges, codes, windows, scores, rules.

A :class:`Reviewer` prepares, once per protocol, everything the review of a
workbook needs that does not depend on the entries: the codes of each
codelist, the derivations to compute at each visit (expressions compiled),
the :class:`~planner.participants.Screener` and
:class:`~planner.participants.Monitor`, where each rule's finding points.
:meth:`Reviewer.review` then turns the raw entries of one workbook into a
:class:`CrfReport`: findings (each with a stable code, the visit, sheet and
cell), the derived values recomputed in Python (the published scores of
:mod:`planner.scores` through :func:`planner.derive.compute`, or rule
expressions), and the eligibility verdict (finding codes:
:data:`~exports.xlsx.results.CODES`). :func:`review` does both for one
workbook. Eligibility and monitoring use the project's screener and monitor,
so a CRF is judged exactly as ``screen`` and ``monitor`` judge a file;
nothing here depends on :mod:`planner.checks`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from openpyxl.utils.cell import get_column_letter as _letter

from exports.xlsx.convert import convert
from exports.xlsx.layout import (
    COVER_ANCHOR_ROW,
    COVER_ENTRY_COL,
    COVER_PARTICIPANT_ROW,
    ELIG_ANSWER_COL,
    FORM_DATE_ROW,
    LOG_FIRST_ITEM_COL,
    LOG_FIRST_RECORD_ROW,
    STUDY,
    FormSheet,
    Layout,
    dependencies,
)
from exports.xlsx.results import Cell, CrfReport, DerivedValue, Entries, Finding
from planner import derive
from planner.expr import Count, compile_rule
from planner.model import Category, DataType, Derivation, Item, MonitoringRule, Visit, Window
from planner.participants import Firing, Monitor, Participant, Phase, Screener, Status, visit_phase

__all__ = ["Reviewer", "convert", "review"]  # convert lives in exports.xlsx.convert; kept importable here

_DAY0: Final = Item("day0", "Date of day 0", DataType.DATE)
_ASSESSED: Final = Item("assessment_date", "Date of assessment", DataType.DATE)
_NO_CODES: Final[tuple[tuple[str, ...], dict[str, str]]] = ((), {})


class Reviewer:
    """The review of one protocol's workbooks, prepared once and reused for each workbook.

    Nothing here depends on a workbook: the codes and decodes of each
    codelist, the derivations computed at a visit and over the study
    (expressions compiled once), the screener and monitor (rules compiled,
    derivations prepared), the phase of each visit and where each finding
    about a derived value or a monitoring rule points.
    """

    def __init__(self, layout: Layout) -> None:
        p = layout.protocol
        self.layout = layout
        self.protocol = p
        self.codes = {c.id: (c.codes(), {t.code: t.decode for t in c.terms}) for c in p.dictionary.codelists}
        self.unit_of = p.resolution.unit_of()
        self.arms = [a.id for a in p.arms]
        self.phases = {v.id: visit_phase(p, v) for v in p.schedule.visits}
        logs = frozenset(f.id for f in p.dictionary.forms if f.repeating)
        study = {d.id: all(dep.endswith(".*") for dep in dependencies(d, logs)) for d in p.derivations}
        self.at_visits = tuple(d for d in p.derivations if not study[d.id])
        self.over_study = tuple(d for d in p.derivations if study[d.id])
        self.inputs = {d.id: derive.inputs(d) for d in p.derivations if d.method is not None}
        self.engine = derive.Derivations(p, None)
        self.derived_cells: dict[tuple[str, str], dict[str, str]] = {}
        if layout.derived is not None:
            for placed in layout.derived.cells:
                self.derived_cells.setdefault((placed.derivation.id, placed.visit), {
                    "sheet": layout.derived.title, "cell": f"{_letter(placed.col)}{placed.row}"})
        self.screener = Screener(p) if layout.eligibility is not None else None
        self.monitor = Monitor(p)
        self.conditions = tuple(compile_rule(m.condition, self.monitor.unit_of) for m in p.monitoring)
        self.log_rules = frozenset(m.id for m in p.monitoring if any(isinstance(n, Count) for n in m.condition.walk()))
        self.rules: dict[str, MonitoringRule] = {}
        for m in p.monitoring:
            self.rules.setdefault(m.id, m)
        self._where: dict[tuple[str, str | None], dict[str, str]] = {}

    def codes_of(self, item: Item) -> tuple[tuple[str, ...], dict[str, str]]:
        """The codes and decodes an item's value must be one of (none for an item without a codelist)."""
        return self.codes.get(item.codelist or "", _NO_CODES)

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

    def rule_cell(self, rule: MonitoringRule, visit: Visit | None) -> dict[str, str]:
        """``sheet`` and ``cell`` a monitoring finding points at: the first item the rule reads that has a place."""
        key = (rule.id, visit.id if visit is not None else None)
        where = self._where.get(key)
        if where is None:
            where = {}
            for name in sorted(rule.condition.refs()):
                found = self.layout.item_cell(name, visit.id) if visit is not None else None
                log = self.layout.sheet_of(name) if visit is None else None
                if found is not None:
                    where = {"sheet": found[0], "cell": f"{_letter(found[2])}{found[1]}"}
                    break
                if log is not None:
                    where = {"sheet": log.title}
                    break
            self._where[key] = where
        return where

    def review(self, entries: Entries) -> CrfReport:
        """Review the entries of one workbook."""
        r = _Review(self, entries)
        day0 = r.cover()
        r.forms(day0)
        r.derive()
        eligible = r.eligibility()
        r.monitoring()
        participant = entries.cover.get("participant")
        p = self.protocol
        return CrfReport(p.id, p.version, str(participant.value) if participant else entries.metadata.participant_id,
                         tuple(r.findings), tuple(r.derived), eligible, tuple(r.not_started))


class _Review:
    def __init__(self, plan: Reviewer, entries: Entries) -> None:
        self.plan = plan
        self.layout = plan.layout
        self.protocol = plan.protocol
        self.entries = entries
        self.findings: list[Finding] = []
        self.not_started: list[str] = []
        self.visits: dict[str, dict[str, Any]] = {}  # visit key → item name → value
        self.logs: dict[str, list[dict[str, Any]]] = {}
        self.derived: list[DerivedValue] = []

    def add(self, code: str, message: str, **where: Any) -> None:
        self.findings.append(Finding(code, message, **where))

    def value(self, item: Item, cell: Cell, sheet: str, visit: str | None, what: str) -> Any:
        """The cell's value as the item's type; a finding (``what`` names the value) when it is not one."""
        value, problem = convert(item, cell.value, *self.plan.codes_of(item))
        if problem is not None:
            self.problem(problem, what, visit=visit, sheet=sheet, cell=cell.coordinate, item=item.name)
        return value

    def problem(self, problem: str, what: str, **where: Any) -> None:
        """A finding from a ``CODE|text`` problem of :func:`convert` about ``what``."""
        code, _, text = problem.partition("|")
        self.add(code, f"{what}: {text}", **where)

    # -- cover, forms and logs ---------------------------------------------------------

    def cover(self) -> dt.date | None:
        cover, title = self.entries.cover, self.layout.cover
        if "participant" not in cover:
            self.add("CRF-MISSING", "Participant ID is missing on the cover sheet", sheet=title,
                     cell=f"{_letter(COVER_ENTRY_COL)}{COVER_PARTICIPANT_ROW}")
        arm = cover.get("arm")
        arms = self.plan.arms
        if arm is not None and str(arm.value).strip() not in arms:
            self.add("CRF-CODE", f"arm {arm.value!r} is not an arm of the protocol (allowed: {', '.join(arms)})",
                     sheet=title, cell=arm.coordinate)
        anchor = cover.get("anchor")
        if anchor is None:
            return None
        value = self.value(_DAY0, anchor, title, None, "Date of day 0")
        return value if isinstance(value, dt.date) else None

    def forms(self, day0: dt.date | None) -> None:
        anchor_missing = False
        for sheet in self.layout.forms:
            if not isinstance(sheet, FormSheet):
                self.log(sheet.form.id, sheet.title)
                continue
            entered = self.entries.forms.get(sheet.form.id, {})
            for column in sheet.columns:
                cells = entered.get(column.key, {})
                if not cells:
                    self.not_started.append(f"{sheet.form.name} at {column.heading}")
                    continue
                key, heading = column.key, column.heading
                values = self.visits.setdefault(key, {})
                date_cell = cells.get("")
                if date_cell is None:
                    self.add("CRF-MISSING", f"{sheet.form.name} at {heading}: date of assessment is missing",
                             cell=f"{_letter(column.col)}{FORM_DATE_ROW}", visit=key, sheet=sheet.title)
                else:
                    date = self.value(_ASSESSED, date_cell, sheet.title, key, f"Date of assessment at {heading}")
                    if isinstance(date, dt.date) and column.visit is not None:
                        if day0 is None:
                            anchor_missing = True
                        else:
                            self.window(column.visit, date, day0, sheet.title, date_cell)
                for item in sheet.form.items:
                    cell = cells.get(item.name)
                    if cell is None:
                        if item.required:
                            self.add("CRF-MISSING", f"{item.label} ({item.name}) at {heading} is required",
                                     item=item.name, cell=f"{_letter(column.col)}{sheet.item_rows[item.name]}",
                                     visit=key, sheet=sheet.title)
                        continue
                    value, problem = convert(item, cell.value, *self.plan.codes_of(item))
                    if problem is not None:  # the message is only written when needed: most values are fine
                        self.problem(problem, f"{item.label} ({item.name}) at {heading}", visit=key,
                                     sheet=sheet.title, cell=cell.coordinate, item=item.name)
                    elif value is not None:
                        values[item.name] = value
        if anchor_missing:
            self.add("CRF-MISSING", "Date of day 0 is missing on the cover sheet, so visit windows cannot be checked",
                     sheet=self.layout.cover, cell=f"{_letter(COVER_ENTRY_COL)}{COVER_ANCHOR_ROW}")

    def window(self, visit: Visit, date: dt.date, day0: dt.date, sheet: str, cell: Cell) -> None:
        if not isinstance(visit.day, int) or not isinstance(visit.window, Window):
            return
        day = (date - day0).days
        low, high = visit.day - visit.window.before, visit.day + visit.window.after
        if not low <= day <= high:
            self.add("CRF-WINDOW", f"date of assessment {date.isoformat()} is day {day}; {visit.name} is day "
                     f"{visit.day} ({visit.window}), so days {low} to {high}", visit=visit.id, sheet=sheet,
                     cell=cell.coordinate)

    def log(self, form_id: str, title: str) -> None:
        form = self.protocol.dictionary.form(form_id)
        assert form is not None
        records: list[dict[str, Any]] = []
        for row, cells in self.entries.logs.get(form_id, []):
            record: dict[str, Any] = {}
            for item in form.items:
                cell = cells.get(item.name)
                if cell is None and not item.required:
                    continue
                what = f"{form.name} record {row - LOG_FIRST_RECORD_ROW + 1}, {item.label} ({item.name})"
                if cell is None:
                    self.add("CRF-MISSING", f"{what} is required", sheet=title, item=item.name,
                             cell=f"{_letter(LOG_FIRST_ITEM_COL + form.items.index(item))}{row}")
                    continue
                value = self.value(item, cell, title, None, what)
                if value is not None:
                    record[item.name] = value
            records.append(record)
        if records:  # an empty log is "not recorded": counts over it stay unknown
            self.logs[form_id] = records

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
        """A derived value at a visit (``None``: over the logs), as :func:`planner.derive.compute` gives it.

        Missing inputs leave it unknown; a score that rejects the entered
        inputs (``esr_mm_h=0``) is a ``CRF-DERIVED`` finding.
        """
        if d.method is not None and any(record.get(name) is None for name in self.plan.inputs[d.id]):
            return None
        value, problem = self.plan.derive(d, record)
        if value is None and problem is not None and d.method is not None:
            self.add("CRF-DERIVED", f"{d.label} at {key or STUDY}: {problem}", visit=key,
                     **self.plan.derived_cells.get((d.id, key or STUDY), {}))
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    def participant(self, visit: Visit | None, values: Mapping[str, Any]) -> Participant:
        """The entries as a :class:`~planner.participants.Participant` for screening and monitoring."""
        cover = self.entries.cover
        arm = str(cover["arm"].value).strip() if "arm" in cover else None
        pid = str(cover["participant"].value) if "participant" in cover else "?"
        return Participant(pid, 0, dict(values), dict(self.logs), visit.id if visit else None, arm)

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
        sheet, screener = self.layout.eligibility, self.plan.screener
        if sheet is None or screener is None:
            return None
        screening = screener.screen(self.participant(None, self.screening_values()))
        results = {r.id: r for r in screening.criteria}
        answers, rows = self.entries.answers, dict(sheet.rows)
        verdicts: list[bool | None] = []
        for c in self.protocol.eligibility:
            inclusion = c.category is Category.INCLUSION
            cell = answers.get(c.id)
            where = {"sheet": sheet.title, "cell": f"{_letter(ELIG_ANSWER_COL)}{rows[c.id]}"}
            answer = None if cell is None else str(cell.value).strip().capitalize()
            if cell is None and answers:
                self.add("CRF-MISSING", f"criterion {c.id} is not answered", **where)
            elif cell is not None and answer not in ("Yes", "No", "Unknown"):
                self.add("CRF-CODE", f"criterion {c.id}: {cell.value!r} is not Yes, No or Unknown", **where)
                answer = None
            said = {"Yes": True, "No": False}.get(answer or "")
            ok_by_answer = None if said is None else said == inclusion
            result = results[c.id]
            ok_by_data = {Status.PASSED: True, Status.FAILED: False}.get(result.status)
            if ok_by_data is False:
                self.add("CRF-ELIGIBILITY", f"{result.label} by the entered data: {'; '.join(result.because)}",
                         **where)
            if ok_by_answer is not None and ok_by_data is not None and ok_by_answer != ok_by_data:
                held = ok_by_data == inclusion
                self.add("CRF-ELIGIBILITY", f"criterion {c.id}: the checklist says {answer!r} but the entered "
                         f"data say {'Yes' if held else 'No'}", **where)
            elif ok_by_answer is False and ok_by_data is None:
                self.add("CRF-ELIGIBILITY", f"criterion {c.id} ({c.category.value}) answered {answer!r}: "
                         "the participant is not eligible", **where)
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
        where = self.plan.rule_cell(self.plan.rules[firing.rule], visit)
        arm = " (arm not entered; the rule is for " + ", ".join(firing.arms) + ")" if firing.arm_unconfirmed else ""
        self.add("CRF-MONITOR", f"{firing.name} {when}: {firing.action.value} — {firing.action_text}{ctcae}{arm} "
                 f"(because {'; '.join(firing.because)})", visit=visit.id if visit else None, **where)


def review(layout: Layout, entries: Entries) -> CrfReport:
    """Review the entries of one workbook against the protocol of ``layout``.

    To review many workbooks of one protocol, make one :class:`Reviewer` and
    call its :meth:`~Reviewer.review` for each.
    """
    return Reviewer(layout).review(entries)
