"""Column-wise evaluation agrees with :func:`planner.expr.evaluate` on every record.

The properties build a small batch of records, convert it with
:meth:`Columns.from_records`, and compare the column answer for each record
with the tree walk: the truth (``compile_columns``) and the value itself,
with its Python type (``compile_values``). Typed rules come from
``tests/strategies.py``; a second property draws untyped trees and values of
every kind (big ints, NaN, datetimes, lists) to exercise the rows that are
answered record by record.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")

import numpy as np  # noqa: E402

from planner.expr import And, Arith, Expr, Or, evaluate, logic, parse, to_text  # noqa: E402
from planner.expr.columns import Columns, Values, compile_columns, compile_values  # noqa: E402
from tests.strategies import conditions, count_rules, counted_records, expressions, records, units_of  # noqa: E402

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(expected: object, actual: object) -> bool:
    """Equal and of the same type (NaN equals NaN)."""
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, float) and isinstance(actual, float) and math.isnan(expected):
        return math.isnan(actual)
    return expected == actual


def value_at(v: Values, i: int) -> object:
    return v.extra[(i,)] if (i,) in v.extra else v.item((i,))


def check_batch(e: Expr, batch: list[dict[str, Any]], unit_of: dict[str, str | None] | None) -> None:
    expected = [evaluate(e, r, unit_of).value for r in batch]
    columns = Columns.from_records(batch)
    truth = compile_columns(e, unit_of)(columns).to_list()
    values = compile_values(e, unit_of)(columns)
    for i, (r, want) in enumerate(zip(batch, expected, strict=True)):
        assert logic.truth(want) == truth[i], (to_text(e), r, want, truth[i])
        got = value_at(values, i)
        assert same(want, got), (to_text(e), r, want, got)


@SETTINGS
@given(e=conditions(), batch=st.lists(records(), min_size=1, max_size=6),
       unit_of=st.one_of(st.none(), units_of()))
def test_columns_agree_with_evaluate_on_typed_rules(e: Expr, batch: list[dict[str, Any]],
                                                    unit_of: dict[str, str | None] | None) -> None:
    check_batch(e, batch, unit_of)


@SETTINGS
@given(e=count_rules(), batch=st.lists(counted_records(), min_size=1, max_size=6))
def test_columns_agree_on_counts_over_records_with_unknowns(e: Expr, batch: list[dict[str, Any]]) -> None:
    """Counts known only between two ends (a ``where`` or a counted value missing), and rules on them."""
    check_batch(e, batch, None)


# -- untyped rules over values of every kind ------------------------------------------------

NAMES = ["a", "b", "c"]
LOGS = {"ae": ["x", "y"], "cm": ["z"]}
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.integers(), st.floats(), st.sampled_from(("", "a", "B", "é")),
    st.text(max_size=3), st.dates(), st.datetimes(), st.lists(st.integers(0, 2), max_size=2),
)


def _no_repetition(e: Expr) -> Expr:
    """``*`` as ``+``: ``"ab" * 10**12`` would exhaust memory in the tree walk, not only here."""
    if isinstance(e, Arith) and e.op == "*":
        e = Arith("+", e.left, e.right)
    if isinstance(e, (And, Or)):
        return type(e)(tuple(_no_repetition(t) for t in e.terms))
    changes = {a.name: _no_repetition(getattr(e, a.name))
               for a in attrs.fields(type(e)) if isinstance(getattr(e, a.name), Expr)}
    return attrs.evolve(e, **changes) if changes else e


def _row(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    keys = names + [f"{form}.{n}" for form, items in LOGS.items() for n in items if n in names]
    return st.fixed_dictionaries({}, optional={k: _SCALARS for k in keys})


UNTYPED_RECORDS = st.tuples(
    st.fixed_dictionaries({}, optional={n: _SCALARS for n in NAMES}),
    st.fixed_dictionaries({}, optional={f: st.one_of(st.lists(_row(items), max_size=3), st.none(), _SCALARS)
                                        for f, items in LOGS.items()}),
).map(lambda parts: {**parts[0], **parts[1]})


@SETTINGS
@given(e=expressions(NAMES, LOGS, max_leaves=6).map(_no_repetition),
       batch=st.lists(UNTYPED_RECORDS, min_size=1, max_size=5))
def test_columns_agree_with_evaluate_on_any_values(e: Expr, batch: list[dict[str, Any]]) -> None:
    try:
        for r in batch:
            evaluate(e, r)
    except (ArithmeticError, AttributeError, TypeError):  # the tree walk itself fails: nothing to compare
        assume(False)
    check_batch(e, batch, None)


# -- examples ---------------------------------------------------------------------------


EXAMPLES = [
    {"age": 30, "sex": "F", "pregnant": True, "ae": [{"serious": True, "infection": True, "term": "a"},
                                                    {"serious": False, "term": "b"}]},
    {"age": 17.5, "sex": "M", "ae": []},
    {"age": None, "sex": 3, "pregnant": False},
    {"age": 2**60, "sex": dt.date(2020, 1, 1), "ae": [{"serious": None}]},
    {"age": "x", "note": "", "ae": [{"term": "a"}, {"term": "a"}, {"term": 1}, {"term": True}]},
]


@pytest.mark.parametrize("text", [
    "age >= 18 and not pregnant", 'sex == "F" and (pregnant or age > 20)', "count(ae, where=ae.serious) >= 1",
    "count_distinct(ae.term) == 2", "count(ae)", "age * 2", "1 <= sex <= 3", 'sex in ("F", 3)', "note or age",
    "age / 0", "sex + sex", "count_distinct(ae.term)", "ae.term", 'age > 1.5[g/L]',
])
def test_examples_of_every_node(text: str) -> None:
    check_batch(parse(text), EXAMPLES, {"age": "g/dL"})


@settings(max_examples=60, deadline=None)
@given(batch=st.lists(records(), max_size=5))
def test_record_rebuilds_what_was_read(batch: list[dict[str, Any]]) -> None:
    columns = Columns.from_records(batch)
    assert batch == [columns.record(i) for i in range(len(batch))]


def test_declared_items_and_logs_get_columns_even_without_values() -> None:
    columns = Columns.from_records([{"age": 3}], {"age": "integer", "hb": "decimal", "ae.serious": "boolean"})
    assert {"age", "hb"} == set(columns.items)
    assert {"ae"} == set(columns.logs)
    assert [None] == compile_columns(parse("hb > 1 or count(ae) >= 0"))(columns).to_list()


def test_columns_built_from_arrays() -> None:
    n = 4
    columns = Columns(n, {
        "age": Values.numbers([17, 18, np.nan, 40], whole=True),
        "pregnant": Values.flags([True, False, False, True], known=[True, True, False, True]),
        "sex": Values.texts(["F", "M", None, "F"]),
        "visit": Values.dates(np.array(["2024-01-01", "NaT", "2024-03-01", "2023-12-31"], dtype="datetime64[D]")),
        "dx": Values.coded([0, 1, 1, 0], ("PsA", "RA")),
    })
    rule = parse('age >= 18 and sex == "F" and not pregnant and visit >= date("2024-01-01") and dx in ("RA",)')
    assert [False, False, None, False] == compile_columns(rule)(columns).to_list()
    assert [True, None, None, True] == compile_columns(parse('visit < date("2024-02-01") or pregnant'))(
        columns).to_list()
    assert [17, 18, None, 40] == columns.items["age"].to_list()
    assert dt.date(2024, 3, 1) == columns.items["visit"].item((2,))


def test_bad_batches_are_refused() -> None:
    with pytest.raises(ValueError, match="column 'age' has shape"):
        Columns(3, {"age": Values.numbers([1.0, 2.0])})
    with pytest.raises(ValueError, match="sorted"):
        Values.coded([0], ("b", "a"))


def test_missing_numpy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    monkeypatch.delitem(sys.modules, "planner.expr.columns")
    with pytest.raises(ModuleNotFoundError, match=r"'fast' extra"):
        import planner.expr.columns  # noqa: F401


def test_the_performance_page_example_runs() -> None:
    page = Path(__file__).parents[1] / "docs" / "performance-screening.md"
    (code,) = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)
    exec(compile(code, str(page), "exec"), {})  # noqa: S102 - our own documentation, in a test
