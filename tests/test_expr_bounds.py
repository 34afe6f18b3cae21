"""Counts over records partly unknown: values known only between two ends (:mod:`planner.expr.bounds`).

A count whose ``where`` is unknown for some records lies between the records
known to match and those that may; a rule on it is decided when every count
between the ends gives the same answer. The properties check that the tree
walk and the compiled closures agree on such rules, and that a decided
answer stays the same however the missing values are filled in.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.expr import Expr, compile_rule, evaluate, parse, to_text
from planner.expr.bounds import Bounds, arith, compare, member, span, truth
from tests.strategies import LOGS, count_rules, counted_records

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SERIOUS_INFECTION = "count(ae, where=ae.infection and ae.serious) >= 1"  # serious_infection_hold (protocols/_safety.py)


def both(text: str, record: dict[str, Any]) -> object:
    """The tree walk and the compiled closure must agree (value and type); return the value."""
    e = parse(text)
    walked, compiled = evaluate(e, record).value, compile_rule(e)(record)
    assert type(walked) is type(compiled) and walked == compiled, (text, walked, compiled)
    return walked


@pytest.mark.parametrize(("aes", "expected"), [
    ([{"infection": True, "serious": True}, {"infection": True}], True),  # one is enough, whatever the other is
    ([{"infection": True, "serious": None}], None),  # it may be serious: unknown, never false
    ([{"infection": True}, {"infection": True, "serious": False}], None),
    ([{"infection": False}, {"infection": True, "serious": False}], False),  # none can be: false
    ([{"serious": False}, {"infection": False, "serious": True}], False),
    ([], False),
])
def test_serious_infection_hold_with_a_field_missing(aes: list[dict[str, Any]], expected: bool | None) -> None:
    assert expected is both(SERIOUS_INFECTION, {"ae": aes})


AES = [{"serious": True}, {"serious": None}, {"serious": False}, {}]  # one serious, two unknown


@pytest.mark.parametrize(("text", "expected"), [
    ("count(ae, where=ae.serious)", Bounds(1, 3, True)),
    ("count(ae, where=ae.serious) >= 1", True),
    ("count(ae, where=ae.serious) >= 2", None),
    ("count(ae, where=ae.serious) > 3", False),
    ("count(ae, where=ae.serious) == 0", False),
    ("count(ae, where=ae.serious) != 4", True),
    ("count(ae, where=ae.serious) == 2", None),
    ("count(ae, where=ae.serious) in (1, 2, 3)", True),  # every possible count is listed
    ("count(ae, where=ae.serious) in (1, 3)", None),
    ("count(ae, where=ae.serious) in (0, 4, 2.5)", False),
    ("1 <= count(ae, where=ae.serious) <= 3", True),
    ("4 <= count(ae, where=ae.serious) <= 9", False),
    ("2 <= count(ae, where=ae.serious) <= 9", None),
    ("count(ae, where=ae.serious) - count(ae) >= 0", False),  # 1..3 minus 4
    ("count(ae, where=ae.serious) + 1", Bounds(2, 4, True)),
    ("count(ae, where=ae.serious) * 2 >= 2", None),  # only + and - keep the ends
    ("count(ae, where=ae.serious) and true", True),  # never zero
    ("not count(ae, where=not ae.serious)", False),  # 1..3
    ("not (count(ae, where=ae.serious) - 1)", None),  # 0..2: may be zero
    ("count(ae, where=ae.serious) < count(ae)", True),  # 1..3 against 4
    ("count(ae, where=ae.serious) < count(ae, where=not ae.serious)", None),
])
def test_rules_on_a_count_known_between_two_ends(text: str, expected: object) -> None:
    assert expected == both(text, {"ae": AES})


@pytest.mark.parametrize(("rows", "expected"), [
    ([{"c": "TNF", "failed": True}, {"c": "IL17", "failed": None}], Bounds(1, 2, True)),
    ([{"c": None, "failed": True}], 1),  # one class, not yet named
    ([{"c": "TNF", "failed": True}, {"c": None, "failed": True}], Bounds(1, 2, True)),  # TNF again, or another
    ([{"c": None, "failed": True}, {"failed": True}], Bounds(1, 2, True)),
    ([{"c": "TNF", "failed": True}, {"c": "TNF", "failed": None}], 1),  # the maybe adds no new class
    ([{"c": "TNF", "failed": False}, {"failed": None}], Bounds(0, 1, True)),
])
def test_count_distinct_with_unknowns(rows: list[dict[str, Any]], expected: object) -> None:
    assert expected == both("count_distinct(pt.c, where=pt.failed)", {"pt": rows})


def test_an_undecided_count_explains_itself_and_names_what_is_missing() -> None:
    out = evaluate(parse("count(ae, where=ae.serious) >= 2"), {"ae": AES})
    assert out.value is None
    assert frozenset({"ae.serious"}) == out.missing
    assert ("count(ae, where=ae.serious) >= 2: unknown (could be 1..3; ae.serious missing)",) == out.because
    count = evaluate(parse("count(ae, where=ae.serious)"), {"ae": AES})
    assert ("count(ae, where=ae.serious) = 1..3 (ae records lack ae.serious)",) == count.because


def test_a_form_not_recorded_is_still_unknown_not_a_range() -> None:
    assert both("count(ae, where=ae.serious) >= 0", {}) is None


# -- the functions on Python values ------------------------------------------------------


def test_compare_decides_from_the_ends() -> None:
    b = Bounds(2, 5)
    assert (True, None, False) == (compare(">=", b, 2), compare(">=", b, 3), compare(">", b, 5))
    assert (True, None, False) == (compare("<", 1, b), compare("<", 4, b), compare("<=", 5.5, b))
    assert (False, True, None) == (compare("==", b, 6), compare("!=", b, 1.5), compare("==", b, 2.5))
    assert compare("==", Bounds(2, 5, True), 2.5) is False  # a whole number is never 2.5
    assert (False, True, None) == (compare("==", b, "x"), compare("!=", b, "x"), compare("<", b, "x"))
    assert compare(">=", b, float("nan")) is False
    assert compare(">", Bounds(3, 4), Bounds(1, 2)) is True


def test_member_truth_arith_and_span() -> None:
    assert member(Bounds(1, 3, True), [3, 2, 1.0, True]) is True
    assert member(Bounds(1, 3), [1, 2, 3]) is None  # not whole: 1.5 is possible
    assert member(Bounds(1, 3, True), ["1", 7]) is False
    assert (True, None, True) == (truth(Bounds(1, 2)), truth(Bounds(0, 2)), truth(Bounds(-3, -1)))
    assert Bounds(1.5, 3.5) == arith("+", Bounds(1, 3, True), 0.5)
    assert Bounds(-2, 2, True) == arith("-", Bounds(1, 3, True), Bounds(1, 3, True))
    assert arith("*", Bounds(1, 3), 2) is None
    assert float("inf") == arith("+", Bounds(1, 3), float("inf"))
    assert 4 == span(4, 4, True) and Bounds(4, 5) == span(4, 5)
    assert "1..3" == str(Bounds(1, 3, True))


# -- properties ---------------------------------------------------------------------------


@SETTINGS
@given(e=count_rules(), r=counted_records())
def test_walk_and_compiled_agree_on_counts_with_unknowns(e: Expr, r: dict[str, Any]) -> None:
    walked, compiled = evaluate(e, r).value, compile_rule(e)(r)
    assert type(walked) is type(compiled) and walked == compiled, (to_text(e), r, walked, compiled)


_FILL = {**dict.fromkeys((i for b, _, _ in LOGS.values() for i in b), st.booleans()),
         **dict.fromkeys((i for _, n, _ in LOGS.values() for i in n), st.sampled_from((0, 3, 4.5))),
         **dict.fromkeys((i for _, _, a in LOGS.values() for i in a), st.sampled_from(("a", "b", 1)))}


def _fill(data: st.DataObject, r: dict[str, Any]) -> dict[str, Any]:
    """``r`` with every missing item of every log record given a value of its kind."""
    out = dict(r)
    for form, kinds in LOGS.items():
        names = [n for group in kinds for n in group]
        out[form] = [{**row, **{n: data.draw(_FILL[n]) for n in names if row.get(n) is None}} for row in r[form]]
    return out


@SETTINGS
@given(e=count_rules(), r=counted_records(), data=st.data())
def test_a_decided_answer_holds_whatever_the_missing_values_are(e: Expr, r: dict[str, Any],
                                                                data: st.DataObject) -> None:
    before = evaluate(e, r).value
    for _ in range(4):
        after = evaluate(e, _fill(data, r)).value
        if isinstance(before, Bounds):
            lo, hi = (after.lo, after.hi) if isinstance(after, Bounds) else (after, after)
            assert before.lo <= lo <= hi <= before.hi, (to_text(e), r, before, after)
        elif before is not None:
            assert before == after, (to_text(e), r, before, after)


def test_the_expressions_page_examples_run() -> None:
    page = Path(__file__).parents[1] / "docs" / "expressions.md"
    examples = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
    assert len(examples) == 2  # bounds, and the SQL backend
    for code in examples:
        exec(compile(code, str(page), "exec"), {})  # noqa: S102 - our own documentation, in a test
