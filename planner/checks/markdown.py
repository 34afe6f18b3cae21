"""The check report as Markdown, for people reading a build's output.

Every piece of protocol text (the id, version and title, each finding's path,
message and hint) goes through :func:`escape`, so the page shows it as
written and it can never add markup: no raw HTML, no heading, list, quote or
table row of its own, no link. Ordinary text comes out unchanged.
"""

from __future__ import annotations

import re
from typing import Final

from planner.checks.engine import Report
from planner.cleantext import encodable
from planner.model import Protocol

_BREAK: Final = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
# Backslash, backtick and pipe anywhere; "<" that could open a tag, comment or autolink; "&" that could
# start an entity; "]" that could close a link's text before its target or reference.
_INLINE: Final = re.compile(r"[\\`|]|<(?=[A-Za-z/!?])|&(?=#?[0-9A-Za-z]+;)|\](?=[(\[:])")
_INLINE_SUB: Final = {"<": "&lt;", "&": "&amp;"}
# What makes a line a heading, quote, list item, thematic break or code fence when it comes first.
_LEAD: Final = re.compile(r"[#>]|[-+*](?=[ \t]|$)|([-*_])[ \t]*(?:\1[ \t]*){2,}$|~~~|\[(?=.*\]:)|\d{1,9}(?=[.)](?:[ \t]|$))")
_BACKTICKS: Final = re.compile("`+")


def escape(text: str, *, code: bool = False) -> str:
    """``text`` as inert Markdown on one line (inside a table cell too); with ``code``, as a code span.

    Line breaks become spaces, so text cannot start a line of its own (a
    heading, a table row). Outside a code span, ``\\``, `````` ` `````` and
    ``|`` get a backslash, ``<`` before a letter, ``/``, ``!`` or ``?`` becomes
    ``&lt;`` (no tag, comment or autolink) and ``&`` before an entity name
    ``&amp;``; ``]`` before ``(``, ``[`` or ``:`` gets a backslash (no link,
    image or link definition), and so does what would make the line a heading,
    quote, list item, rule or fence when it comes first (``#``, ``>``, ``- ``,
    ``+ ``, ``* ``, ``1. ``, ``1) ``, ``---``, ``~~~``) or a link definition (``[x]:``). A code span is fenced with more
    backticks than the text holds in a row; only ``|`` is escaped inside it,
    as GitHub's tables require.
    """
    text = _BREAK.sub(" ", encodable(text))
    if code:
        fence = "`" * (1 + max((len(run) for run in _BACKTICKS.findall(text)), default=0))
        body = text.replace("|", "\\|")
        pad = " " if body.startswith(("`", " ")) or body.endswith(("`", " ")) else ""
        return f"{fence}{pad}{body}{pad}{fence}"
    text = _INLINE.sub(lambda m: _INLINE_SUB.get(m[0], "\\" + m[0]), text.lstrip(" \t"))
    lead = _LEAD.match(text)
    if lead is not None:
        at = lead.end() if lead[0][0].isdigit() else 0
        text = f"{text[:at]}\\{text[at:]}"
    return text


def report_markdown(protocol: Protocol, report: Report) -> str:
    """A Markdown page: the summary, then one table row per finding (errors first)."""
    s = report.summary
    lines = [
        f"# Check report: {escape(protocol.id)} v{escape(protocol.version)}",
        "",
        escape(protocol.title),
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
        lines.append(f"| {f.severity.value} | {escape(f.code)} | {escape(f.path, code=True)} | {escape(f.message)} "
                     f"| {escape(f.hint)} |")
    return "\n".join(lines) + "\n"
