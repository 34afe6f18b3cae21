"""The SQL backend: every shipped rule renders in every dialect, and the places SQL differs from us are guarded.

That the query means what the reference means is the conformance suite's
work (``tests/conformance``, backend ``sql-duckdb``); here: the rendering in
each dialect parses back, counts are refused with the typed error, and the
known differences between SQL and the reference are pinned on DuckDB.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot

from planner.expr import Count, parse
from planner.expr.sql import DIALECTS, SqlUnsupported, select, to_sql, values_table
from planner.model import DataType
from protocols import REGISTRY

duckdb = pytest.importorskip("duckdb")


def _rules() -> list[tuple[str, str, object]]:
    out = []
    for pid in REGISTRY:
        p = REGISTRY[pid]()
        out += [(pid, path, e) for path, e in p.expressions()]
    return out


RULES = _rules()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_shipped_rule_renders_in_each_dialect_and_parses_back(dialect: str) -> None:
    rendered = 0
    for pid, path, expr in RULES:
        if any(isinstance(n, Count) for n in expr.walk()):
            with pytest.raises(SqlUnsupported, match="count"):
                to_sql(expr)
            continue
        text = to_sql(expr).sql(dialect=dialect)
        assert sqlglot.parse_one(text, read=dialect) is not None, f"{pid} {path}: {text}"
        rendered += 1
    assert rendered >= 20


def _run(text: str, types: dict[str, DataType], rows: list[dict[str, object]]) -> list[object]:
    source = values_table(rows, types, row_number="n")
    query = select({"v": parse(text)}, source, keep=["n"], today=dt.date(2026, 12, 7)).order_by("n")
    return [v for _, v in duckdb.connect().execute(query.sql(dialect="duckdb")).fetchall()]


INT, DEC, DATE = DataType.INTEGER, DataType.DECIMAL, DataType.DATE


@pytest.mark.parametrize(("text", "types", "rows", "want"), [
    # LEAST/GREATEST skip NULL in DuckDB and PostgreSQL; the reference is unknown
    ("min(a, b)", {"a": INT, "b": INT}, [{"a": 1}, {"a": 1, "b": 0}], [None, 0]),
    # integer division is real division, and division by zero is unknown
    ("a / b", {"a": INT, "b": INT}, [{"a": 1, "b": 2}, {"a": 1, "b": 0}], [0.5, None]),
    # an unknown bound makes between unknown, though the other side is false
    ("5 <= a <= b", {"a": INT, "b": INT}, [{"a": 1}, {"a": 6, "b": 9}], [None, True]),
    # outside a function's domain is unknown, never an error
    ("sqrt(a)", {"a": DEC}, [{"a": -1.0}, {"a": 6.25}], [None, 2.5]),
    ("ln(a) > 0", {"a": DEC}, [{"a": 0.0}, {"a": 3.0}], [None, True]),
    # days from the first date to the second, and today as the evaluation date
    ("days_between(a, today())", {"a": DATE}, [{"a": dt.date(2026, 12, 1)}, {}], [6, None]),
    # an unknown condition leaves ifelse unknown
    ("ifelse(a > 1, 10, 20)", {"a": INT}, [{"a": 2}, {"a": 0}, {}], [10, 20, None]),
])
def test_sql_keeps_the_reference_meaning_where_sql_differs(text: str, types: dict[str, DataType],
                                                          rows: list[dict[str, object]], want: list[object]) -> None:
    assert want == _run(text, types, rows)
