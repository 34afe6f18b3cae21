"""The check report as Markdown, for people reading a build's output."""

from __future__ import annotations

from planner.checks.engine import Report
from planner.model import Protocol


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_markdown(protocol: Protocol, report: Report) -> str:
    """A Markdown page: the summary, then one table row per finding (errors first)."""
    s = report.summary
    lines = [
        f"# Check report: {protocol.id} v{protocol.version}",
        "",
        f"{protocol.title}",
        "",
        f"**{s['error']} error(s), {s['warning']} warning(s), {s['info']} info.** "
        "Codes are explained in the planner's docs/checks.md.",
        "",
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    findings = sorted(report.findings, key=lambda f: order[f.severity.value])
    if not findings:
        lines.append("No findings.")
        return "\n".join(lines) + "\n"
    lines += ["| severity | code | where | finding | what to do |", "|---|---|---|---|---|"]
    for f in findings:
        lines.append(f"| {f.severity.value} | {f.code} | `{_cell(f.path)}` | {_cell(f.message)} | {_cell(f.hint)} |")
    return "\n".join(lines) + "\n"
