"""Screening and monitoring results as plain data: JSON-ready dicts, table rows, terminal text.

Everything here is built from the result objects and returns data or text;
:mod:`planner.participants.spreadsheet` turns the table rows into CSV or XLSX
bytes, and only the command line prints or writes files.
"""

from __future__ import annotations

from typing import Any

from planner.participants.monitoring import Firing, Graded, MonitoringReport, VisitResult
from planner.participants.screening import CriterionResult, Screening, ScreeningReport

Table = tuple[tuple[str, ...], list[tuple[object, ...]]]
"""A header and rows of cell values."""

# -- screening ---------------------------------------------------------------


def _criterion(c: CriterionResult) -> dict[str, Any]:
    return {"criterion": c.id, "category": c.category.value, "status": c.status.value, "label": c.label,
            "text": c.text, "because": list(c.because), "missing": list(c.missing)}


def screening_data(report: ScreeningReport) -> dict[str, Any]:
    """The report as JSON-ready data (the ``screen --json`` output)."""
    return {
        "protocol": report.protocol,
        "version": report.version,
        "source": report.source,
        "summary": report.summary(),
        "notes": list(report.notes),
        "candidates": [{
            "participant": s.participant,
            "row": s.row,
            "result": s.verdict.value,
            "deciding": [_criterion(c) for c in s.deciding],
            "missing": list(s.missing),
            "to_be_assessed": [{"criterion": c.id, "text": c.text} for c in s.to_assess],
            "problems": list(s.problems),
            "criteria": [_criterion(c) for c in s.criteria],
        } for s in report.results],
    }


def _reasons(s: Screening) -> str:
    shown = [*s.deciding, *s.unknown]
    return " | ".join(f"{c.label}: {'; '.join(c.because)}" for c in shown)


def screening_table(report: ScreeningReport) -> Table:
    """One row per candidate, with a column per criterion (for CSV and XLSX)."""
    ids = [c.id for c in report.results[0].criteria] if report.results else []
    header = ("participant", "row", "result", "deciding criteria", "missing items", "to be assessed",
              "explanation", "problems", *ids)
    rows: list[tuple[object, ...]] = []
    for s in report.results:
        rows.append((s.participant, s.row, s.verdict.value, ", ".join(c.id for c in s.deciding),
                     ", ".join(s.missing), ", ".join(c.id for c in s.to_assess), _reasons(s),
                     "; ".join(s.problems), *(c.status.value for c in s.criteria)))
    return header, rows


def criteria_table(report: ScreeningReport) -> Table:
    """One row per candidate and criterion, with the explanation (a second XLSX sheet)."""
    header = ("participant", "row", "criterion", "category", "status", "because", "missing items", "text")
    rows: list[tuple[object, ...]] = [
        (s.participant, s.row, c.id, c.category.value, c.status.value, "; ".join(c.because), ", ".join(c.missing),
         c.text)
        for s in report.results for c in s.criteria
    ]
    return header, rows


def screening_text(report: ScreeningReport) -> str:
    """A readable table for the terminal."""
    counts = report.summary()
    n = len(report.results)
    lines = [f"{report.protocol} v{report.version} — {report.source or 'candidates'}",
             f"{n} candidate{'s' if n != 1 else ''}: " + ", ".join(f"{v} {k}" for k, v in counts.items())]
    lines += [f"note: {note}" for note in report.notes]
    assessed = {c.id: c.text for s in report.results for c in s.to_assess}
    if assessed:
        lines.append("the investigator assesses, for every candidate: "
                     + "; ".join(f"{k} {v}" for k, v in assessed.items()))
    width = max((len(s.participant) for s in report.results), default=0)
    for s in report.results:
        lines.append("")
        lines.append(f"{s.participant:<{width}}  {s.verdict.value.upper():<10}  {report.row_label} {s.row}")
        pad = " " * (width + 2)
        if s.missing:
            lines.append(f"{pad}missing: {', '.join(s.missing)}")
        for c in (*s.deciding, *s.unknown):
            lines.append(f"{pad}{c.label} — {c.text}")
            lines.extend(f"{pad}    {b}" for b in c.because)
        lines.extend(f"{pad}problem: {p}" for p in s.problems)
    return "\n".join(lines) + "\n"


# -- monitoring --------------------------------------------------------------


def _graded(g: Graded) -> dict[str, Any]:
    return {"term": g.term.value, "item": g.item, "value": g.value, "unit": g.unit, "grade": g.grade,
            "rule_grade": g.rule_grade, "note": g.note}


def _firing(f: Firing) -> dict[str, Any]:
    return {"rule": f.rule, "name": f.name, "action": f.action.value, "action_text": f.action_text,
            "ctcae": [_graded(g) for g in f.ctcae], "ctcae_grade": f.grade, "source": f.source,
            "arms": list(f.arms), "arm_unconfirmed": f.arm_unconfirmed, "because": list(f.because)}


def _ctcae(f: Firing) -> str:
    return "; ".join(g.text() for g in f.ctcae)


def monitoring_data(report: MonitoringReport) -> dict[str, Any]:
    """The report as JSON-ready data (the ``monitor --json`` output)."""
    return {
        "protocol": report.protocol,
        "version": report.version,
        "source": report.source,
        "summary": report.summary(),
        "notes": list(report.notes),
        "observations": [{
            "participant": r.participant,
            "visit": r.visit,
            "arm": r.arm,
            "row": r.row,
            "phase": r.phase.value,
            "fired": [_firing(f) for f in r.fired],
            "not_evaluable": [{"rule": u.rule, "name": u.name, "missing": list(u.missing), "because": list(u.because)}
                              for u in r.not_evaluable],
            "not_applied": [{"rule": a.rule, "reason": a.reason} for a in r.not_applied],
            "not_fired": list(r.not_fired),
            "problems": list(r.problems),
        } for r in report.results],
    }


def monitoring_table(report: MonitoringReport) -> Table:
    """One row per rule fired or not evaluable; a row with neither says so (for CSV and XLSX)."""
    header = ("participant", "visit", "arm", "row", "status", "rule", "name", "action", "action text",
              "CTCAE", "CTCAE grade", "source", "rule arms", "explanation", "missing items")
    rows: list[tuple[object, ...]] = []
    for r in report.results:
        key = (r.participant, r.visit, r.arm or "", r.row)
        for f in r.fired:
            arms = ", ".join(f.arms) + (" (row gives no arm)" if f.arm_unconfirmed else "")
            rows.append((*key, "fired", f.rule, f.name, f.action.value, f.action_text, _ctcae(f),
                         f.grade, f.source or "", arms, "; ".join(f.because), ""))
        for u in r.not_evaluable:
            rows.append((*key, "not evaluable", u.rule, u.name, "", "", "", None, "", "", "; ".join(u.because),
                         ", ".join(u.missing)))
        if not r.fired and not r.not_evaluable:
            rows.append((*key, "no rule fired", "", "", "", "", "", None, "", "", "", ""))
    return header, rows


def not_applied_table(report: MonitoringReport) -> Table:
    """One row per rule that did not apply to a row, with the reason (a second XLSX sheet)."""
    header = ("participant", "visit", "arm", "row", "rule", "reason")
    rows: list[tuple[object, ...]] = [(r.participant, r.visit, r.arm or "", r.row, a.rule, a.reason)
                                      for r in report.results for a in r.not_applied]
    return header, rows


def _visit_lines(r: VisitResult, pad: str) -> list[str]:
    lines: list[str] = []
    for f in r.fired:
        ctcae = f" · CTCAE v5.0: {_ctcae(f)}" if f.ctcae else ""
        source = f" [{f.source}]" if f.source else ""
        lines.append(f"{pad}FIRED {f.rule} — {f.action.value.upper()}{ctcae}{source}")
        lines.append(f"{pad}    {f.action_text}")
        if f.arm_unconfirmed:
            lines.append(f"{pad}    (rule for arm(s) {', '.join(f.arms)}; the row gives no arm)")
        lines.extend(f"{pad}    {b}" for b in f.because)
    if r.not_evaluable:
        lines.append(f"{pad}not evaluable: " + "; ".join(f"{u.rule} (missing {', '.join(u.missing) or '?'})"
                                                          for u in r.not_evaluable))
    if not r.fired and not r.not_evaluable:
        lines.append(f"{pad}no rule fired")
    if r.not_applied:
        lines.append(f"{pad}not applied here: {', '.join(a.rule for a in r.not_applied)}")
    lines.extend(f"{pad}problem: {p}" for p in r.problems)
    return lines


def monitoring_text(report: MonitoringReport) -> str:
    """A readable table for the terminal."""
    s = report.summary()
    lines = [f"{report.protocol} v{report.version} — {report.source or 'observations'}",
             f"{s['rows']} row{'s' if s['rows'] != 1 else ''}: {s['fired']} rule firing(s) in "
             f"{s['rows_with_firing']} row(s); {s['not_evaluable']} rule(s) not evaluable"]
    lines += [f"note: {note}" for note in report.notes]
    width = max((len(r.participant) for r in report.results), default=0)
    vwidth = max((len(r.visit) for r in report.results), default=0)
    for r in report.results:
        lines.append("")
        arm = f"  arm {r.arm}" if r.arm else ""
        lines.append(f"{r.participant:<{width}}  {r.visit:<{vwidth}}  {report.row_label} {r.row} ({r.phase.value}){arm}")
        lines.extend(_visit_lines(r, " " * (width + 2)))
    return "\n".join(lines) + "\n"

