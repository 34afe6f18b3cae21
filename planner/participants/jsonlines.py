"""JSON lines (newline-delimited JSON, ``.jsonl``/``.ndjson``): one participant object per line — the reference reader.

Each line is one object with the keys of a JSON candidate file
(:func:`planner.participants.build.from_json`): ``participant``, items, and a
repeating form as a list of records under its id (``[]`` for none). Blank
lines are passed over; record *n* is the object on line *n*, so every problem
names the line it is on. DuckDB reads the same files itself
(:mod:`planner.participants.duck_json`) and gives the same participants.
"""

from __future__ import annotations

import json

from planner.participants.build import from_numbered
from planner.participants.layout import Layout
from planner.participants.records import InputError, InputProblem, Sheet
from planner.participants.sources import _pairs

SUFFIXES = (".jsonl", ".ndjson")


def is_json_lines(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def json_lines(data: bytes, source: str) -> list[tuple[int, object]]:
    """``(line number, value)`` of each non-blank line (objects remember keys given twice)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([InputProblem(source, None, None, f"not UTF-8 text (byte {exc.start})")]) from None
    out: list[tuple[int, object]] = []
    problems = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            out.append((n, json.loads(line, object_pairs_hook=_pairs)))
        except json.JSONDecodeError as exc:
            problems.append(InputProblem(source, n, None, f"invalid JSON at column {exc.colno}: {exc.msg}", "record"))
    if problems:
        raise InputError(problems)
    return out


def from_json_lines(layout: Layout, source: str, lines: list[tuple[int, object]]) -> Sheet:
    """Participants from JSON lines, as :func:`~planner.participants.build.from_json` reads a list of records."""
    return from_numbered(layout, source, lines)


def read_json_lines(layout: Layout, data: bytes, source: str) -> Sheet:
    """A JSON-lines file read by the reference; :class:`InputError` lists every problem, each with its line."""
    return from_json_lines(layout, source, json_lines(data, source))
