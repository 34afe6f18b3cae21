"""Checks of a REDCap export: the ``linkml-redcap`` schema, and what REDCap refuses on import that it does not say.

:func:`schema_problems` validates the data dictionary against the LinkML
meta-schema of ``linkml-redcap`` (the 18 columns as typed slots: name
patterns, field types, validation types) with LinkML's own validator.
:func:`import_problems` checks the rest (each rule's source is cited in
``docs/export-redcap.md``): the header, the record id first and ``text``,
unique variables, each instrument's rows together, choices written
``code, label | …`` with unique codes, a calculation in every ``calc``
field, numeric limits, every ``[variable]``, ``[variable(code)]`` and
``[event][variable]`` in a calculation, ``@CALCTEXT``, branching logic or
data-quality rule naming a field (and an event) that exists, and the event
and instrument names of the mapping, repeating-instrument and rule files
existing. Every function returns one line per problem, empty when all is well.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from exports import redcap
from exports.redcap import names
from exports.redcap.project import COLUMNS

SLOTS = ("variable_field_name", "form_name", "section_header", "field_type", "field_label",
         "choices_calculations_slider_labels", "field_note", "text_validation_type_or_show_slider_number",
         "text_validation_min", "text_validation_max", "identifier", "branching_logic", "required_field",
         "custom_alignment", "question_number", "matrix_group_name", "matrix_ranking", "field_annotation")
"""The slots of ``linkml-redcap``'s ``Field`` class, one per column, in the columns' order."""

_REFERENCE = re.compile(r"\[([^\[\]]*)\]")
_VARIABLE_REF = re.compile(r"^([a-z][a-z0-9_]*)(?:\(([^()]*)\))?$")
_CALCTEXT = re.compile(r"@CALCTEXT\((.*)\)\s*$", re.S)
_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")
_CHOICE_TYPES = ("radio", "dropdown", "checkbox")


def rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@cache
def _validator() -> Any:
    from linkml.validator import Validator
    from linkml.validator.plugins import JsonschemaValidationPlugin
    from linkml_redcap.data_dictionary import schema_path

    return Validator(str(schema_path()), validation_plugins=[JsonschemaValidationPlugin(closed=True)])


def instance(dictionary: bytes) -> dict[str, list[dict[str, str]]]:
    """The data dictionary as an instance of the schema's ``DataDictionary`` (blank cells left out)."""
    table = rows(dictionary)
    return {"fields": [{slot: cell for slot, cell in zip(SLOTS, row, strict=False) if cell != ""} for row in table[1:]]}


def schema_problems(dictionary: bytes) -> list[str]:
    """Every way the data dictionary breaks the ``linkml-redcap`` schema, as LinkML's validator reports it."""
    report = _validator().validate(instance(dictionary), "DataDictionary")
    return [f"{r.severity.value}: {r.message}" for r in report.results]


# -- what REDCap refuses that the schema does not say ----------------------------------------------


def references(logic: str) -> list[tuple[str | None, str, str | None]]:
    """``(event, variable, code)`` of every field a logic reads (``[event][variable]``, ``[variable(code)]``);
    text in quotes is skipped."""
    bare = re.sub(r'"[^"]*"|\'[^\']*\'', '""', logic)
    groups = list(_REFERENCE.finditer(bare))
    out: list[tuple[str | None, str, str | None]] = []
    i = 0
    while i < len(groups):
        event: str | None = None
        if i + 1 < len(groups) and groups[i + 1].start() == groups[i].end():
            event, inner = groups[i].group(1), groups[i + 1].group(1)
            i += 2
        else:
            inner = groups[i].group(1)
            i += 1
        var = _VARIABLE_REF.match(inner)
        out.append((event, var.group(1) if var else inner, var.group(2) if var else None))
    return out


def unique_event_name(event_name: str, arm: str) -> str:
    """The unique name REDCap makes of an event's name: lower case, letters, digits and spaces kept, spaces as
    ``_``, the first 18 characters, then ``_arm_N``."""
    kept = re.sub(r"[^a-z0-9 ]", "", event_name.lower()).strip().replace(" ", "_")
    return f"{kept[:18]}_arm_{arm}"


def balanced(logic: str) -> bool:
    """Quotes closed and parentheses and brackets balanced, outside quoted text."""
    depth = {"(": 0, "[": 0}
    closing = {")": "(", "]": "["}
    quote: str | None = None
    for ch in logic:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in depth:
            depth[ch] += 1
        elif ch in closing:
            depth[closing[ch]] -= 1
            if depth[closing[ch]] < 0:
                return False
    return quote is None and not any(depth.values())


def choices(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The ``(code, label)`` pairs of a choices cell, and what is wrong with it."""
    problems: list[str] = []
    pairs: list[tuple[str, str]] = []
    for part in text.split("|"):
        code, comma, label = part.partition(",")
        code, label = code.strip(), label.strip()
        if not comma or not code or not label:
            problems.append(f"choice {part.strip()!r} is not 'code, label'")
        elif not names.CODE.match(code):
            problems.append(f"choice code {code!r} is not letters, digits and '_' or a number")
        elif code in (c for c, _ in pairs):
            problems.append(f"choice code {code!r} is listed twice")
        else:
            pairs.append((code, label))
    return pairs, problems


class _Dictionary:
    def __init__(self, table: list[list[str]]) -> None:
        self.header = table[0] if table else []
        self.rows = table[1:]
        self.fields = {r[0]: r for r in self.rows if r}
        self.codes = {r[0]: [c for c, _ in choices(r[5])[0]] for r in self.rows if len(r) > 5 and r[3] in _CHOICE_TYPES}

    def logic(self) -> list[tuple[str, str]]:
        """``(where, logic)`` of every calculation, ``@CALCTEXT`` and branching logic."""
        out = []
        for r in self.rows:
            if len(r) < 18:
                continue
            if r[3] == "calc":
                out.append((f"{r[0]} (calculation)", r[5]))
            if r[11]:
                out.append((f"{r[0]} (branching logic)", r[11]))
            found = _CALCTEXT.search(r[17])
            if found:
                out.append((f"{r[0]} (@CALCTEXT)", found.group(1)))
        return out


def import_problems(files: Mapping[str, bytes]) -> list[str]:
    """What REDCap would refuse (or silently mis-read) in the files of one export, keyed by suffix."""
    problems: list[str] = []
    dd = _Dictionary(rows(files[redcap.DICTIONARY]))
    if tuple(dd.header) != COLUMNS:
        problems.append(f"dictionary: the header is not REDCap's 18 columns in order: {dd.header}")
    problems += [f"dictionary: row {i} has {len(r)} cells, not 18" for i, r in enumerate(dd.rows, 2) if len(r) != 18]
    if not dd.rows or dd.rows[0][0] != names.RECORD_ID or dd.rows[0][3] != "text":
        problems.append("dictionary: the first field is not the record id, a text field")
    seen: set[str] = set()
    closed: set[str] = set()
    current = None
    for r in dd.rows:
        if r[0] in seen:
            problems.append(f"dictionary: variable {r[0]!r} is defined twice")
        seen.add(r[0])
        if r[1] != current:
            if r[1] in closed:
                problems.append(f"dictionary: the rows of instrument {r[1]!r} are not together")
            if current is not None:
                closed.add(current)
            current = r[1]
        if len(r) < 18:
            continue
        if not r[4].strip():
            problems.append(f"dictionary: {r[0]} has no label")
        if r[3] in _CHOICE_TYPES:
            pairs, bad = choices(r[5])
            problems += [f"dictionary: {r[0]}: {b}" for b in bad]
            if not pairs:
                problems.append(f"dictionary: {r[0]} is a {r[3]} field with no choices")
        elif r[3] == "calc" and not r[5].strip():
            problems.append(f"dictionary: {r[0]} is a calc field with no calculation")
        if r[7] in ("integer", "number"):
            bounds = [b for b in (r[8], r[9]) if b]
            if any(not _NUMBER.match(b) for b in bounds):
                problems.append(f"dictionary: {r[0]}: limits {bounds} are not plain numbers")
            elif r[8] and r[9] and float(r[8]) > float(r[9]):
                problems.append(f"dictionary: {r[0]}: minimum {r[8]} is above maximum {r[9]}")
    instruments = {r[1] for r in dd.rows}
    events: dict[str, set[str]] | None = None
    if redcap.EVENTS in files:
        events = {}
        event_rows = rows(files[redcap.EVENTS])[1:]
        arms = {r[0] for r in rows(files[redcap.ARMS])[1:]} if redcap.ARMS in files else {"1"}
        for r in event_rows:
            if r[1] not in arms:
                problems.append(f"events: {r[0]!r} is in arm {r[1]}, which the arms file does not define")
            if r[5] != unique_event_name(r[0], r[1]):
                problems.append(f"events: REDCap would not name the event {r[0]!r} {r[5]!r}")
            events.setdefault(r[5], set())
        for r in rows(files.get(redcap.MAPPING, b""))[1:]:
            if r[1] not in events:
                problems.append(f"mapping: event {r[1]!r} is not in the events file")
            elif r[2] not in instruments:
                problems.append(f"mapping: instrument {r[2]!r} is not in the data dictionary")
            else:
                events[r[1]].add(r[2])
        if dd.rows and event_rows and dd.rows[0][1] not in events.get(event_rows[0][5], set()):
            problems.append("mapping: the record id's instrument is not in the first event")
    if redcap.REPEATING in files:
        for r in rows(files[redcap.REPEATING])[1:]:
            event, form = (r[0], r[1]) if events is not None else (None, r[0])
            if form not in instruments:
                problems.append(f"repeating: instrument {form!r} is not in the data dictionary")
            if events is not None and form not in events.get(event or "", set()):
                problems.append(f"repeating: instrument {form!r} is not designated in event {event!r}")
    where_of = {r[0]: r[1] for r in dd.rows}
    logic = dd.logic()
    if redcap.RULES in files:
        rules = rows(files[redcap.RULES])[1:]
        names_seen = [r[0] for r in rules]
        problems += [f"rules: rule {n!r} is named twice" for n in set(names_seen) if names_seen.count(n) > 1]
        logic += [(f"rule {r[0]!r}", r[1]) for r in rules]
        problems += [f"rules: rule {r[0]!r} has no name or no logic" for r in rules if not r[0].strip() or not r[1]]
    for where, text in logic:
        if not balanced(text):
            problems.append(f"{where}: quotes, brackets or parentheses are not balanced")
        for event, variable, code in references(text):
            if variable not in dd.fields:
                problems.append(f"{where}: [{variable}] is not a field of the data dictionary")
                continue
            if code is not None and (dd.fields[variable][3] != "checkbox" or code not in dd.codes.get(variable, [])):
                problems.append(f"{where}: [{variable}({code})] is not a checkbox option")
            if event is not None:
                if events is None or event not in events:
                    problems.append(f"{where}: [{event}] is not an event of the project")
                elif where_of[variable] not in events[event]:
                    problems.append(f"{where}: [{event}][{variable}] reads an instrument that event does not collect")
    return problems
