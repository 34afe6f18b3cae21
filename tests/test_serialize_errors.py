"""Load errors speak the document's language: a ``$.`` path and a message for authors.

The exact lines for single defects are in ``tests/cases/malformed``; here every
value of the minimal protocol is replaced by values of every other shape, and
no problem line may show Python or cattrs internals.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.expr.text import ExprError, parse
from planner.serialize import LoadError, structure

MINIMAL = Path(__file__).resolve().parent / "cases" / "valid" / "minimal.yaml"
SHAPES: tuple[Any, ...] = ([0, 5], {"x": 1}, 3, 2.5, "ten", None, True)
LINE = re.compile(r"^\$(\.\w+|\[\d+\])*: \S")
INTERNALS = ("object", "attribute", "iterable", "NoneType", "<class", "typing", "__", "positional argument",
             "'str'", "'int'", "'list'", "'dict'", "Traceback", "cattrs", "Structuring", "invalid syntax: invalid")


def _nodes(data: Any, steps: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The key path of every value below the document root."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield (*steps, key)
        yield from _nodes(value, (*steps, key))


def _replaced(data: Any, steps: tuple[str | int, ...], new: Any) -> Any:
    out = copy.deepcopy(data)
    parent = out
    for step in steps[:-1]:
        parent = parent[step]
    parent[steps[-1]] = new
    return out


def _problems(data: Any) -> list[str]:
    try:
        structure(data)
    except LoadError as exc:
        return exc.problems
    return []


def test_every_wrong_shape_gives_clean_lines_with_a_path() -> None:
    base = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    bad: list[str] = []
    tried = 0
    for steps in _nodes(base):
        for shape in SHAPES:
            tried += 1
            for line in _problems(_replaced(base, steps, shape)):
                message = line.partition(": ")[2]
                if not LINE.match(line) or any(word in message for word in INTERNALS):
                    bad.append(f"{steps} = {shape!r}: {line}")
    assert tried > 500
    assert [] == bad


@pytest.mark.parametrize(("steps", "value", "expected"), [
    (("dictionary", "forms", 1, "items", 0, "range"), [0, 5],
     "$.dictionary.forms[1].items[0].range: expected a mapping with keys low, high (or {tbc: what is missing}), "
     "got a list"),
    (("dictionary", "forms", 1, "items", 0, "range"), {"low": None, "high": -1},
     "$.dictionary.forms[1].items[0].range: item 'hb' is in g/dL, which cannot be negative, but its range ends at -1; "
     "correct the range or the unit"),
    (("schedule", "visits", 1, "window"), 3,
     "$.schedule.visits[1].window: expected a mapping with keys before, after, source "
     "(or {tbc: what is missing}), got the number 3"),
    (("monitoring", 0, "action"), "discontinu",
     "$.monitoring[0].action: 'discontinu' is not an action; did you mean 'discontinue'? Expected one of "
     "'do not start', 'repeat test', 'interrupt', 'hold', 'reduce dose', 'discontinue', 'notify', "
     "'humane endpoint: euthanise'"),
    (("schedule", "duration_days"), "twelve weeks",
     "$.schedule.duration_days: expected a whole number (or {tbc: what is missing}), got text 'twelve weeks'"),
    (("arms", 1, "planned_size"), None, None),
    (("schedule", "epochs", 0), "screening",
     "$.schedule.epochs[0]: expected a mapping with keys id, name, type, got text 'screening'"),
    (("schedule",), None,
     "$.schedule: expected a mapping with keys anchor, epochs, visits, duration_days, duration_source, got nothing"),
    (("eligibility", 1, "rule"), "hb < 9[g/dL] hb",
     "$.eligibility[1].rule: bad rule 'hb < 9[g/dL] hb': column 14: unexpected 'hb'; expected an operator "
     "(==, !=, <, <=, >, >=, +, -, *, /, and, or, in) or the end of the rule"),
])
def test_one_wrong_value_one_line(steps: tuple[str | int, ...], value: Any, expected: str | None) -> None:
    base = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    assert ([expected] if expected else []) == _problems(_replaced(base, steps, value))


def test_missing_and_unknown_keys_inside_a_list() -> None:
    base = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    visit = dict(base["schedule"]["visits"][1])
    del visit["epoch"]
    visit["dya"] = 3
    assert sorted([
        "$.schedule.visits[1].epoch: required field missing",
        "$.schedule.visits[1].dya: unknown key; did you mean 'day'?",
    ]) == sorted(_problems(_replaced(base, ("schedule", "visits", 1), visit)))


@pytest.mark.parametrize(("text", "expected"), [
    ("age >= 18 and and hb", "column 15: unexpected 'and'; expected a value, a name or '(' here"),
    ("age => 18", "column 5: unexpected '=>'; write '>='"),
    ("age >< 3", "column 6: unexpected '><'; write '!='"),
    ("x && y", "column 4: unexpected '&&'; write 'and'"),
    ("age >== 3", "column 7: unknown operator '>=='; use one of ==, !=, <, <=, >, >=, +, -, *, /, and, or, in"),
    ("a and (b or) c", "column 12: unexpected ')'; expected a value, a name or '(' here"),
    ('x == "a" y', "column 10: unexpected 'y'; expected an operator (==, !=, <, <=, >, >=, +, -, *, /, and, or, in) "
                   "or the end of the rule"),
    ("age >= 18 and (hb < 9", "column 15: invalid syntax: '(' was never closed"),
])
def test_rule_syntax_errors_say_what_is_expected(text: str, expected: str) -> None:
    with pytest.raises(ExprError) as info:
        parse(text)
    assert expected == str(info.value)
