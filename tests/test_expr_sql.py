"""The SQL backend: where SQL's meaning differs from ours, the query says ours; every dialect renders.

Each case is small and deterministic: an expression, records, and the
reference walk's answer, which DuckDB must give too. The generated suite
(``tests/conformance``) covers the rest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytest.importorskip("duckdb")
sqlglot = pytest.importorskip("sqlglot")

from planner.expr import evaluate, parse  # noqa: E402
from planner.expr.logic import truth  # noqa: E402
from planner.expr.sql import DIALECTS, NUMERIC_TRUTHS, DuckDB, Output, Unexpressible, render, select  # noqa: E402
from planner.model import DataType, Item  # noqa: E402

ITEMS = {
    "n": Item("n", "N", DataType.INTEGER),
    "m": Item("m", "M", DataType.INTEGER),
    "x": Item("x", "X", DataType.DECIMAL),
    "hb": Item("hb", "Hb", DataType.DECIMAL, unit="g/dL"),
    "flag": Item("flag", "Flag", DataType.BOOLEAN),
    "code": Item("code", "Code", DataType.CODED, codelist="C"),
    "note": Item("note", "Note", DataType.TEXT),
    "d1": Item("d1", "D1", DataType.DATE),
    "d2": Item("d2", "D2", DataType.DATE),
}
DB: list[DuckDB] = []


def duck() -> DuckDB:
    if not DB:
        DB.append(DuckDB())
    return DB[0]


def answers(text: str, records: list[dict[str, Any]], condition: bool = True,
            today: dt.date | None = None) -> tuple[list[Any], list[Any]]:
    """(the reference's answers, DuckDB's) for ``text`` on ``records``."""
    expr = parse(text)
    units = {n: (it.unit if isinstance(it.unit, str) else None) for n, it in ITEMS.items()}
    want = [evaluate(expr, r, units).value for r in records]
    if condition:
        want = [truth(v) for v in want]
    got = [row[0] for row in duck().evaluate([Output("a", expr, condition)], ITEMS, records, today)]
    return want, got


@pytest.mark.parametrize(("text", "records", "expected"), [
    # found by the generated suite: sqlglot's And is also a function node, so NOT (a AND b) lost its brackets
    ("ifelse(flag == false and flag == false, flag, code in ('C', 'A'))", [{"flag": True, "code": "B"}], [False]),
    ("not (flag and n > 1)", [{"flag": True, "n": 0}], [True]),
    ("ifelse(flag, 1, 0) > 0", [{}, {"flag": False}], [None, False]),  # an unknown condition is not the ELSE branch
    ("1 <= n <= m", [{"n": 5, "m": None}, {"n": None, "m": 3}, {"n": 2, "m": 3}], [None, None, True]),
    ("0 < n < 5", [{"n": 0}, {"n": 5}, {"n": 4}], [False, False, True]),
    ("code == 'a'", [{"code": "A"}, {"code": "a"}], [False, True]),  # text compares with case, as Python does
    ("note in ('yes', 'Yes')", [{"note": "YES"}, {"note": "Yes"}], [False, True]),
    ("hb >= 70[g/L]", [{"hb": 7.0}, {"hb": 6.75}], [True, False]),  # a literal in another unit, converted
    ("days_between(d1, d2) == 60", [{"d1": dt.date(2020, 1, 1), "d2": dt.date(2020, 3, 1)}], [True]),
    ("d1 < date('2024-01-01')", [{"d1": dt.date(2023, 12, 31)}, {"d1": None}], [True, None]),
    ("n", [{"n": 0}, {"n": 3}, {}], [False, True, None]),  # a number as a condition: not zero
])
def test_conditions_give_the_reference_answer(text: str, records: list[dict[str, Any]], expected: list[Any]) -> None:
    want, got = answers(text, records)
    assert expected == want
    assert want == got


@pytest.mark.parametrize(("text", "records", "expected"), [
    ("n / m", [{"n": 7, "m": 2}, {"n": 7, "m": 0}, {"n": 0, "m": 0}], [3.5, None, None]),  # not integer division
    ("x / (n - n)", [{"x": 1.5, "n": 3}], [None]),
    ("sqrt(n)", [{"n": -1}, {"n": 4}, {"n": 0}], [None, 2.0, 0.0]),  # outside the domain: unknown, never NaN
    ("ln(x)", [{"x": 0.0}, {"x": -2.5}, {"x": 1.0}], [None, None, 0.0]),
    ("min(n, m)", [{"n": 1, "m": None}, {"n": 1}, {"n": 3, "m": 2}], [None, None, 2]),  # LEAST would say 1
    ("max(n, x, 2)", [{"n": 1, "x": None}, {"n": 1, "x": 5.5}], [None, 5.5]),
    ("abs(n - 10)", [{"n": 3}], [7]),
    ("40 * 40 * 40 * 40 * 40 * 40 * 40 * 40", [{}], [40**8]),  # beyond SQL's 32-bit integer literals
    ("ifelse(flag, n, x)", [{"flag": True, "n": 2}, {"flag": False, "x": 2.5}, {"n": 2, "x": 2.5}], [2, 2.5, None]),
    ("days_between(d1, today())", [{"d1": dt.date(2024, 1, 1)}], [31]),
])
def test_values_give_the_reference_answer(text: str, records: list[dict[str, Any]], expected: list[Any]) -> None:
    from planner.expr.functions import as_of

    with as_of(dt.date(2024, 2, 1)):
        want, got = answers(text, records, condition=False, today=dt.date(2024, 2, 1))
    assert expected == want
    assert want == got


@pytest.mark.parametrize(("text", "construct"), [
    ("count(ae) >= 1", "count(ae)"),
    ("count_distinct(prior.mechanism, where=prior.failed) >= 2", "count_distinct"),
    ("d1 > 3", "compares a date with a number"),
    ("code == 1", "compares text with a number"),
    ("d1 + 1 > d2", "arithmetic on a date"),
    ("sqrt(code) > 1", "sqrt() of text"),
    ("missing_item > 1", "no such item"),
])
def test_what_sql_cannot_say_is_refused_by_name(text: str, construct: str) -> None:
    with pytest.raises(Unexpressible, match=construct.replace("(", r"\(").replace(")", r"\)")):
        select([Output("a", parse(text))], ITEMS)


EVERYTHING = [
    Output("rule", parse("(18 <= n <= 75 or not flag) and code in ('A', 'B') and hb >= 9[g/dL]")),
    Output("dates", parse("days_between(d1, today()) >= 183 and d2 < date('2024-06-01')")),
    Output("score", parse("0.56 * sqrt(n) + 0.7 * ln(x) + ifelse(flag, 9, 0) - min(n, m) / max(m, 1)"), False),
]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_query_renders_in_every_dialect_and_parses_back(dialect: str) -> None:
    query = select(EVERYTHING, ITEMS, key="participant", numeric_truths=dialect in NUMERIC_TRUTHS)
    text = render(query, dialect)
    back = sqlglot.parse_one(text, read=dialect)
    assert ["participant", "rule", "dates", "score"] == [c.alias_or_name for c in back.expressions]
    today = "CAST(GETDATE() AS DATE)" if dialect == "tsql" else "CAST(CURRENT_DATE AS DATE)"
    assert today in text  # the engine's date unless fixed, as a date (SQL Server's GETDATE() has a time)


def test_numeric_truths_answer_one_zero_or_null_as_the_truth_does() -> None:
    records = [{"n": 20, "flag": False}, {"n": 20, "flag": True}, {"n": 20}]
    rule = [Output("a", parse("n >= 18 and not flag"))]
    query = select(rule, ITEMS, "records", "__record", numeric_truths=True)
    assert [(1,), (0,), (None,)] == duck().run(query, ITEMS, records)
    assert " AS [a]" in render(query, "tsql") and "THEN 1" in render(query, "tsql")


def test_today_is_the_evaluation_date_when_fixed() -> None:
    text = render(select(EVERYTHING[1:2], ITEMS, today=dt.date(2025, 3, 4)))
    assert "2025-03-04" in text and "CURRENT_DATE" not in text


@pytest.mark.parametrize("chunk", [100_000, 7])
def test_one_query_answers_every_output_for_every_record_in_order(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from planner.expr.sql import engine

    monkeypatch.setattr(engine, "CHUNK", chunk)  # records loaded in several statements keep their order
    records = [{"n": i, "m": 2, "x": 1.0, "flag": i % 2 == 0, "code": "A", "hb": 9.5} for i in range(30, 0, -1)]
    rows = duck().evaluate(EVERYTHING[::2], ITEMS, records)
    for r, (rule, score) in zip(records, rows, strict=True):
        assert truth(evaluate(EVERYTHING[0].expr, r).value) == rule
        assert evaluate(EVERYTHING[2].expr, r).value == pytest.approx(score, rel=1e-12)


def test_output_names_must_be_distinct_from_each_other_and_the_key() -> None:
    with pytest.raises(ValueError, match="distinct"):
        select([Output("a", parse("n > 1")), Output("a", parse("n > 2"))], ITEMS)
    with pytest.raises(ValueError, match="distinct"):
        select([Output("k", parse("n > 1"))], ITEMS, key="k")
