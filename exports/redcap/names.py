"""REDCap names: variables, instruments, events and choice codes, and the one error that lists every bad name.

REDCap's rules (``docs/export-redcap.md`` cites them): a variable or
instrument name is lower-case letters, digits and underscores, starting with
a letter, at most 100 characters (26 recommended); variables are unique in
the project; ``redcap_…`` names and ``<instrument>_complete`` are REDCap's
own. A protocol's names are identifiers already, so the mapping is lower
case, and an item of a log form is prefixed with its form (two logs may
both have an ``agent``). What cannot be mapped is never renamed behind the
author's back: :class:`NameProblems` lists every offender.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

VARIABLE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_VARIABLE = 100
RECOMMENDED_VARIABLE = 26
EVENT_NAME = re.compile(r"^[a-z][a-z0-9]*(?: [a-z0-9]+)*$")
MAX_EVENT_NAME = 18
"""REDCap makes an event's unique name from the first 18 characters of its name; we keep the name within them."""
CODE = re.compile(r"^(?:[A-Za-z0-9_]+|-?[0-9]+(?:\.[0-9]+)?)$")
"""A raw value REDCap stores for a choice: letters, digits and underscores, or a number."""

RECORD_ID = "record_id"
ARM = "arm"
PARTICIPANT_FORM = "participant"
DERIVED_FORM = "derived_values"
ELIGIBILITY_FORM = "eligibility"
VERDICT = "elig_verdict"
RESERVED = frozenset({"redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance",
                      "redcap_data_access_group", "redcap_survey_identifier", "hidden_edit_flag"})


class NameProblems(ValueError):
    """Protocol names REDCap cannot take, every one listed (one line each, with what to do)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def variable(name: str, form: str | None = None) -> str:
    """The REDCap variable of an item (``form`` given for an item of a log form) or of a derived value."""
    return (f"{form}_{name}" if form else name).lower()


def criterion(criterion_id: str) -> str:
    return f"elig_{criterion_id}".lower()


def instrument(form_id: str) -> str:
    return form_id.lower()


def event_name(visit_id: str) -> str:
    """The event name written for a visit: its id with spaces for underscores (REDCap's unique name restores them)."""
    return visit_id.lower().replace("_", " ")


def unique_event(visit_id: str, arm: int = 1) -> str:
    """The unique event name REDCap gives the event named :func:`event_name` in arm ``arm``."""
    return f"{event_name(visit_id).replace(' ', '_')}_arm_{arm}"


def check(variables: Iterable[tuple[str, str]], instruments: Iterable[tuple[str, str]],
          events: Iterable[tuple[str, str]]) -> list[str]:
    """Every problem of ``(REDCap name, where it comes from)`` pairs, one line each; empty when all is well."""
    problems: list[str] = []
    forms: dict[str, str] = {}
    for name, where in instruments:
        if not VARIABLE.match(name) or len(name) > MAX_VARIABLE:
            problems.append(f"{where}: instrument name {name!r} is not a REDCap name (lower-case letters, digits "
                            f"and '_', starting with a letter, at most {MAX_VARIABLE} characters); rename the form")
        elif name in forms:
            problems.append(f"{where}: instrument name {name!r} is also {forms[name]} (REDCap names are lower "
                            "case); rename one of them")
        else:
            forms[name] = where
    seen: dict[str, str] = {}
    for name, where in variables:
        if not VARIABLE.match(name) or len(name) > MAX_VARIABLE:
            problems.append(f"{where}: variable {name!r} is not a REDCap name (lower-case letters, digits and '_', "
                            f"starting with a letter, at most {MAX_VARIABLE} characters); rename it")
        elif name in seen:
            problems.append(f"{where}: variable {name!r} is also {seen[name]} (REDCap variables are unique in the "
                            "project and lower case); rename one of them")
        elif name in RESERVED or name.startswith("redcap_") or any(name == f"{f}_complete" for f in forms):
            problems.append(f"{where}: variable {name!r} is a name REDCap keeps for itself; rename it")
        else:
            seen[name] = where
    taken: dict[str, str] = {}
    for name, where in events:
        if not EVENT_NAME.match(name) or len(name) > MAX_EVENT_NAME:
            problems.append(f"{where}: visit id gives the event name {name!r}, from which REDCap would not make the "
                            f"unique event name the mapping needs (at most {MAX_EVENT_NAME} characters, letters and "
                            "digits, single '_' between them); shorten or rename the visit")
        elif name in taken:
            problems.append(f"{where}: event name {name!r} is also {taken[name]}; rename one of the visits")
        else:
            taken[name] = where
    return problems
