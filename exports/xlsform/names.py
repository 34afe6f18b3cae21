"""XLSForm names: which protocol names become which survey and choice names, and which cannot.

A survey name (question, group, repeat, calculation) becomes an XML element
of the submission, so it must be an XML name as pyxform checks it: a letter
or ``_`` first, then letters, digits, ``_``, ``-`` or ``.``. pyxform refuses
two names in one parent and ``meta`` (its metadata group), refuses a repeat
named like the survey root (``data``), warns about two names in one parent
that differ only in case, and refuses ``${name}`` when two elements anywhere
have that name. Items keep their names (two logs may both have ``agent``:
different repeats); a form's group is ``grp_<id>`` (``rpt_<id>`` for a log),
since a form and a score may share a name (``pasi``). A name that breaks a
rule is an error naming every offender with its path (:class:`Unmappable`).

A choice name (a codelist code) is what the submission stores: it must not
hold white space (ODK splits a select's value on it), characters XML
refuses, or ``${`` (pyxform reads it as a reference).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from exports import Unexportable
from planner.cleantext import xml_chars

XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
RESERVED = frozenset({"meta"})
"""Names pyxform keeps for itself anywhere in the survey."""
ROOT = "data"
"""The survey's root element (pyxform's default), which no repeat may be named."""


class Unmappable(Unexportable):
    """Names the XLSForm cannot carry: one line per offender, with its path and what to do."""


def survey_problems(survey: list[dict[str, str]], referenced: set[str]) -> list[str]:
    """Every problem of the survey's names (rows with ``__path``, where the name comes from).

    Not an XML name; reserved; equal, ignoring case, to a sibling (the same
    group, repeat or the top level); or read as ``${name}`` while another
    element anywhere has that name.
    """
    problems: list[str] = []
    parents: list[dict[str, str]] = [{}]
    everywhere: dict[str, list[str]] = {}
    for row in survey:
        kind = row["type"]
        if kind.startswith("end "):
            parents.pop()
            continue
        name, path = row["name"], row["__path"]
        if not XML_NAME.match(name):
            problems.append(f"{path}: {name!r} is not an XLSForm name (a letter or '_' first, then letters, digits, "
                            "'_', '-' or '.'); rename it")
        elif name in RESERVED or (kind == "begin repeat" and name == ROOT):
            problems.append(f"{path}: {name!r} is reserved in XLSForm; rename it")
        siblings = parents[-1]
        if name.lower() in siblings:
            problems.append(f"{path}: {name!r} is also the XLSForm name of {siblings[name.lower()]} in the same group "
                            "(names must differ there, ignoring case); rename one of them")
        else:
            siblings[name.lower()] = path
        everywhere.setdefault(name, []).append(path)
        if kind.startswith("begin "):
            parents.append({})
    for name in sorted(referenced):
        paths = everywhere.get(name, [])
        if len(paths) > 1:
            problems.append(f"{paths[1]}: {name!r} is also the XLSForm name of {paths[0]}, and a calculation reads "
                            f"${{{name}}}, which must name one question; rename one of them")
    return list(dict.fromkeys(problems))


def choice_problems(codes: Iterable[tuple[str, str]]) -> list[str]:
    """Every code of ``(code, path)`` that cannot be a choice name."""
    problems = []
    for code, path in codes:
        if re.search(r"\s", code) or xml_chars(code) != code or "${" in code:
            problems.append(f"{path}: code {code!r} cannot be an XLSForm choice name (no white space, control "
                            "characters or '${'); change the code")
    return problems
