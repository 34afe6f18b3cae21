"""Review entered CRF values against the protocol: types, ranges, codes, windows, scores, rules.

:func:`review` turns the raw entries of one workbook into a :class:`CrfReport`:
findings (each with a stable code, the visit, sheet and cell), the derived
values recomputed in Python with :func:`planner.derive.compute` (the
published scores of :mod:`planner.scores`, or rule expressions),
and the eligibility verdict (finding codes: :data:`~exports.xlsx.results.CODES`).
Eligibility and monitoring use the project's
:class:`~planner.participants.Screener` and :class:`~planner.participants.Monitor`,
so a CRF is judged exactly as ``screen`` and ``monitor`` judge a file; nothing
here depends on :mod:`planner.checks`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from typing import Any

from openpyxl.utils.cell import get_column_letter as _letter

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
from planner.expr import Count
from planner.model import Category, DataType, Derivation, Item, Range, Visit, Window
from planner.participants import Firing, Monitor, Participant, Phase, Screener, Status, visit_phase

_YES = {"yes": True, "y": True, "no": False, "n": False}


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        return None


def convert(item: Item, value: Any, codes: tuple[str, ...], decodes: Mapping[str, str]) -> tuple[Any, str | None]:
    """The entered value as the item's type, or ``(None, problem)``; the problem's code comes first."""
    t = item.type
    if t in (DataType.INTEGER, DataType.DECIMAL):
        number: Any = value
        if isinstance(value, str):
            number = _number(value)
        if isinstance(number, bool) or not isinstance(number, int | float):
            return None, f"CRF-TYPE|{value!r} is not a number"
        if t is DataType.INTEGER:
            if not float(number).is_integer():
                return None, f"CRF-TYPE|{value!r} is not a whole number"
            number = int(number)
        if isinstance(item.range, Range) and number not in item.range:
            return None, f"CRF-RANGE|{value!r} is outside the allowed range {item.range}"
        return number, None
    if t is DataType.DATE:
        if isinstance(value, dt.datetime):
            return value.date(), None
        if isinstance(value, dt.date):
            return value, None
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip()), None
            except ValueError:
                pass
        return None, f"CRF-TYPE|{value!r} is not a date (YYYY-MM-DD)"
    if t is DataType.BOOLEAN:
        if isinstance(value, bool):
            return value, None
        if isinstance(value, str) and value.strip().lower() in _YES:
            return _YES[value.strip().lower()], None
        return None, f"CRF-CODE|{value!r} is not Yes or No"
    if t is DataType.CODED:
        code = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
        if code in codes:
            return code, None
        hint = next((c for c, d in decodes.items() if d.casefold() == code.casefold()), None)
        hint = hint or next(iter(difflib.get_close_matches(code, codes, n=1)), None)
        tip = f"; did you mean {hint!r}?" if hint else f"; allowed: {', '.join(codes)}"
        return None, f"CRF-CODE|{value!r} is not a code of {item.codelist}{tip}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(), None
    return str(value), None


class _Review:
    def __init__(self, layout: Layout, entries: Entries) -> None:
        self.layout = layout
        self.protocol = p = layout.protocol
        self.entries = entries
        self.findings: list[Finding] = []
        self.not_started: list[str] = []
        self.codelists = {c.id: c for c in p.dictionary.codelists}
        self.unit_of = p.resolution.unit_of()
        self.visits: dict[str, dict[str, Any]] = {}  # visit key → item name → value
        self.logs: dict[str, list[dict[str, Any]]] = {}
        self.derived: list[DerivedValue] = []

    def add(self, code: str, message: str, **where: Any) -> None:
        self.findings.append(Finding(code, message, **where))

    def value(self, item: Item, cell: Cell, sheet: str, visit: str | None, what: str) -> Any:
        codelist = self.codelists.get(item.codelist or "")
        codes = codelist.codes() if codelist is not None else ()
        decodes = {t.code: t.decode for t in codelist.terms} if codelist is not None else {}
        value, problem = convert(item, cell.value, codes, decodes)
        if problem is not None:
            code, _, text = problem.partition("|")
            self.add(code, f"{what}: {text}", visit=visit, sheet=sheet, cell=cell.coordinate, item=item.name)
        return value

    # -- cover, forms and logs ---------------------------------------------------------

    def cover(self) -> dt.date | None:
        cover, title = self.entries.cover, self.layout.cover
        if "participant" not in cover:
            self.add("CRF-MISSING", "Participant ID is missing on the cover sheet", sheet=title,
                     cell=f"{_letter(COVER_ENTRY_COL)}{COVER_PARTICIPANT_ROW}")
        arm = cover.get("arm")
        arms = [a.id for a in self.protocol.arms]
        if arm is not None and str(arm.value).strip() not in arms:
            self.add("CRF-CODE", f"arm {arm.value!r} is not an arm of the protocol (allowed: {', '.join(arms)})",
                     sheet=title, cell=arm.coordinate)
        anchor = cover.get("anchor")
        if anchor is None:
            return None
        day0 = Item("day0", "Date of day 0", DataType.DATE)
        value = self.value(day0, anchor, title, None, "Date of day 0")
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
                values = self.visits.setdefault(column.key, {})
                where = {"visit": column.key, "sheet": sheet.title}
                date_cell = cells.get("")
                if date_cell is None:
                    self.add("CRF-MISSING", f"{sheet.form.name} at {column.heading}: date of assessment is missing",
                             cell=f"{_letter(column.col)}{FORM_DATE_ROW}", **where)
                else:
                    date = self.value(Item("assessment_date", "Date of assessment", DataType.DATE), date_cell,
                                      sheet.title, column.key, f"Date of assessment at {column.heading}")
                    if isinstance(date, dt.date) and column.visit is not None:
                        if day0 is None:
                            anchor_missing = True
                        else:
                            self.window(column.visit, date, day0, sheet.title, date_cell)
                for item in sheet.form.items:
                    what = f"{item.label} ({item.name}) at {column.heading}"
                    cell = cells.get(item.name)
                    if cell is None:
                        if item.required:
                            self.add("CRF-MISSING", f"{what} is required", item=item.name,
                                     cell=f"{_letter(column.col)}{sheet.item_rows[item.name]}", **where)
                        continue
                    value = self.value(item, cell, sheet.title, column.key, what)
                    if value is not None:
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
                what = f"{form.name} record {row - LOG_FIRST_RECORD_ROW + 1}, {item.label} ({item.name})"
                cell = cells.get(item.name)
                if cell is None:
                    if item.required:
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

    def record(self, visit_key: str | None) -> dict[str, Any]:
        """The values a rule sees at a visit: its items and derived values, and every log."""
        out: dict[str, Any] = dict(self.logs)
        if visit_key is not None:
            out.update(self.visits.get(visit_key, {}))
        out.update({d.id: d.value for d in self.derived if d.visit == visit_key and d.value is not None})
        return out

    def derive(self) -> None:
        for visit in [*self.protocol.schedule.visits, None]:
            key = visit.id if visit is not None else None
            if key is not None and key not in self.visits:
                continue
            for d in self.protocol.derivations:
                study = all(dep.endswith(".*") for dep in dependencies(d))
                if study != (key is None):
                    continue
                value = self.compute(d, key)
                if value is not None or key is None:
                    self.derived.append(DerivedValue(d.id, d.label, key or STUDY, value))

    def compute(self, d: Derivation, key: str | None) -> float | int | None:
        """A derived value at a visit (``None``: over the logs) with :func:`planner.derive.compute`.

        Missing inputs leave it unknown; a score that rejects the entered
        inputs (``esr_mm_h=0``) is a ``CRF-DERIVED`` finding.
        """
        record = self.record(key)
        if d.method is not None and any(record.get(name) is None for name in d.bindings().values()):
            return None
        value, problem = derive.compute(d, record, self.unit_of)
        if value is None and problem is not None and d.method is not None:
            self.add("CRF-DERIVED", f"{d.label} at {key or STUDY}: {problem}", visit=key,
                     **self.derived_cell(d.id, key))
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    def derived_cell(self, derivation: str, key: str | None) -> dict[str, str]:
        """``sheet`` and ``cell`` of a derived value's formula, for a finding about it."""
        sheet = self.layout.derived
        placed = None if sheet is None else next(
            (c for c in sheet.cells if c.derivation.id == derivation and c.visit == (key or STUDY)), None)
        if sheet is None or placed is None:
            return {}
        return {"sheet": sheet.title, "cell": f"{_letter(placed.col)}{placed.row}"}

    def participant(self, visit: Visit | None, values: Mapping[str, Any]) -> Participant:
        """The entries as a :class:`~planner.participants.Participant` for screening and monitoring."""
        cover = self.entries.cover
        arm = str(cover["arm"].value).strip() if "arm" in cover else None
        pid = str(cover["participant"].value) if "participant" in cover else "?"
        return Participant(pid, 0, dict(values), dict(self.logs), visit.id if visit else None, arm)

    def screening_values(self) -> dict[str, Any]:
        """Item values before treatment (the earliest entered value of each item)."""
        visits = [v for v in self.protocol.schedule.visits if v.id in self.visits]
        before = [v for v in visits if visit_phase(self.protocol, v) is not Phase.ON_TREATMENT]
        out: dict[str, Any] = {}
        for visit in before or visits:
            for name, value in self.visits[visit.id].items():
                out.setdefault(name, value)
        return out

    def eligibility(self) -> bool | None:
        """Screen the entered data (:class:`~planner.participants.Screener`) and compare with the checklist."""
        sheet = self.layout.eligibility
        if sheet is None:
            return None
        screening = Screener(self.protocol).screen(self.participant(None, self.screening_values()))
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
        monitor = Monitor(self.protocol)
        reported: set[str] = set()
        log_rules = {m.id for m in self.protocol.monitoring if any(isinstance(n, Count) for n in m.condition.walk())}
        for visit in self.protocol.schedule.visits:
            if visit.id not in self.visits:
                continue
            for firing in monitor.check(self.participant(visit, self.visits[visit.id])).fired:
                if firing.rule in reported:
                    continue
                on_log = firing.rule in log_rules
                if on_log:
                    reported.add(firing.rule)
                self.fire(firing, None if on_log else visit)

    def fire(self, firing: Firing, visit: Visit | None) -> None:
        rule = next(m for m in self.protocol.monitoring if m.id == firing.rule)
        when = f"at {visit.name}" if visit is not None else "in the logs"
        ctcae = f" [{firing.ctcae}]" if firing.ctcae else ""
        where: dict[str, str] = {}
        for name in sorted(rule.condition.refs()):
            found = self.layout.item_cell(name, visit.id) if visit is not None else None
            log = self.layout.sheet_of(name) if visit is None else None
            if found is not None:
                where = {"sheet": found[0], "cell": f"{_letter(found[2])}{found[1]}"}
                break
            if log is not None:
                where = {"sheet": log.title}
                break
        arm = " (arm not entered; the rule is for " + ", ".join(firing.arms) + ")" if firing.arm_unconfirmed else ""
        self.add("CRF-MONITOR", f"{firing.name} {when}: {firing.action.value} — {firing.action_text}{ctcae}{arm} "
                 f"(because {'; '.join(firing.because)})", visit=visit.id if visit else None, **where)


def review(layout: Layout, entries: Entries) -> CrfReport:
    """Review the entries of one workbook against the protocol of ``layout``."""
    r = _Review(layout, entries)
    day0 = r.cover()
    r.forms(day0)
    r.derive()
    eligible = r.eligibility()
    r.monitoring()
    participant = entries.cover.get("participant")
    p = layout.protocol
    return CrfReport(p.id, p.version, str(participant.value) if participant else entries.metadata.participant_id,
                     tuple(r.findings), tuple(r.derived), eligible, tuple(r.not_started))


