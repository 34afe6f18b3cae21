"""Counts over a repeating form's record columns in SQL give the reference walk's answer, ends and all.

The form ``prior`` (mechanism, failed, dose) is given as three records of
columns (``prior[2].failed``) and a ``prior`` column that says "none". Every
generated participant — records there or not, cells blank or not — is
screened by the reference walk over the records and by the query on DuckDB,
for comparisons, ranges and truths of ``count`` and ``count_distinct``.
"""

from __future__ import annotations

import itertools
import random
import zlib
from typing import Any

import pytest

from planner.expr import evaluate, parse
from planner.expr.sql import DIALECTS, DuckDB, LogColumns, Output, Unexpressible, render, select
from planner.model import DataType, Item

FORM = {"mechanism": Item("mechanism", "Mechanism", DataType.TEXT),
        "failed": Item("failed", "Failed", DataType.BOOLEAN),
        "dose": Item("dose", "Dose", DataType.INTEGER)}
RECORDS = 3
COLUMNS = {f"prior[{k}].{n}": it for k in range(1, RECORDS + 1) for n, it in FORM.items()}
ITEMS = {**COLUMNS, "prior": Item("prior", "None", DataType.BOOLEAN), "age": Item("age", "Age", DataType.INTEGER)}
LOGS = {"prior": LogColumns(FORM, tuple({n: f"prior[{k}].{n}" for n in FORM} for k in range(1, RECORDS + 1)), "prior")}

RULES = [
    "count(prior) >= 1", "count(prior) == 0", "count(prior) != 2", "count(prior)",
    "count(prior, where=prior.failed) >= 2", "count(prior, where=prior.failed) < 2",
    "count(prior, where=prior.failed) <= 1", "count(prior, where=prior.failed) > 0",
    "count(prior, where=prior.failed and prior.dose > 3) == 1", "not count(prior, where=prior.failed)",
    "1 <= count(prior, where=prior.dose >= 5) <= 2", "count(prior, where=failed or dose < 2) >= age",
    "count_distinct(prior.mechanism, where=prior.failed) >= 2",
    "count_distinct(prior.mechanism, where=prior.failed) == 1",
    "count_distinct(prior.mechanism) < 2", "count_distinct(prior.mechanism, where=prior.dose > 2) > 1",
    "count_distinct(prior.dose, where=not prior.failed) != 1",
    "count_distinct(prior.mechanism, where=prior.failed) >= 2 and age >= 18",
]


def _people(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        records = []
        for _ in range(RECORDS):
            if rng.random() < 0.3:
                records.append(None)
                continue
            rec = {"mechanism": rng.choice(["TNF", "IL6", "JAK", None]), "failed": rng.choice([True, False, None]),
                   "dose": rng.choice([1, 3, 5, None])}
            if all(v is None for v in rec.values()):
                rec["dose"] = 2
            records.append(rec)
        none = not any(records) and rng.random() < 0.5
        out.append({"records": records, "none": none, "age": rng.choice([10, 0, 1, 2, 30, None])})
    return out


def _reference(rule: str, person: dict[str, Any]) -> Any:
    present = [dict(r) for r in person["records"] if r is not None]
    prior = present if present else ([] if person["none"] else None)
    return evaluate(parse(rule), {"prior": prior, "age": person["age"]}).value


def _row(person: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"prior": True if person["none"] else None, "age": person["age"]}
    for k, rec in enumerate(person["records"], 1):
        for n in FORM:
            row[f"prior[{k}].{n}"] = None if rec is None else rec[n]
    return row


def _truth(value: Any) -> bool | None:
    from planner.expr.bounds import Bounds, truth

    if value is None:
        return None
    return truth(value) if isinstance(value, Bounds) else bool(value)


@pytest.mark.parametrize("rule", RULES)
def test_a_count_in_sql_gives_the_reference_answer_for_every_participant(rule: str) -> None:
    people = _people(600, seed=zlib.crc32(rule.encode()))
    db = DuckDB()
    query = select([Output("answer", parse(rule))], ITEMS, db.table, "__record", logs=LOGS)
    got = [row[0] for row in db.run(query, ITEMS, [_row(p) for p in people])]
    want = [_truth(_reference(rule, p)) for p in people]
    assert want == got
    assert {True, False} <= set(want), "the rule is decided both ways on the population"


def test_the_ends_are_exercised_and_undecided_counts_are_unknown() -> None:
    rule = "count_distinct(prior.mechanism, where=prior.failed) >= 2"
    people = _people(600, seed=1)
    answers = [_reference(rule, p) for p in people]
    assert None in answers  # some counts known only between two ends that do not decide


def test_every_combination_of_two_records_agrees() -> None:
    """Exhaustive over two records of (mechanism, failed) with blanks: the distinct count's ends, exactly."""
    rule = "count_distinct(prior.mechanism, where=prior.failed) >= 2"
    values = list(itertools.product(["A", "B", None], [True, False, None]))
    people = [{"records": [{"mechanism": m1, "failed": f1, "dose": 1}, {"mechanism": m2, "failed": f2, "dose": 1}, None],
               "none": False, "age": 1} for (m1, f1), (m2, f2) in itertools.product(values, values)]
    db = DuckDB()
    query = select([Output("answer", parse(rule))], ITEMS, db.table, "__record", logs=LOGS)
    got = [row[0] for row in db.run(query, ITEMS, [_row(p) for p in people])]
    assert [_truth(_reference(rule, p)) for p in people] == got


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_count_query_parses_back_in_every_dialect(dialect: str) -> None:
    import sqlglot

    logs = {"prior": LogColumns(FORM, tuple({n: f"prior_{k}_{n}" for n in FORM} for k in range(1, 4)), "prior")}
    query = select([Output("answer", parse(RULES[12]))], {"age": ITEMS["age"]}, "records", "record_key", logs=logs)
    text = render(query, dialect)
    assert render(sqlglot.parse_one(text, read=dialect), dialect) == text


@pytest.mark.parametrize(("text", "construct"), [
    ("count(prior) + 1 > 2", "known only between two ends"),
    ("count(prior) in (1, 2)", "known only between two ends"),
    ("count(prior, where=prior.failed and age > 3) > 1", "its filter reads what a record does not hold"),
    ("count(other) >= 1", None),
])
def test_what_a_count_cannot_say_is_refused_or_unknown(text: str, construct: str | None) -> None:
    if construct is None:  # a form the table has no columns for is not recorded: unknown, as the reference says
        db = DuckDB()
        query = select([Output("a", parse(text))], ITEMS, db.table, "__record", logs=LOGS)
        assert [(None,)] == db.run(query, ITEMS, [{}])
        return
    with pytest.raises(Unexpressible, match=construct):
        select([Output("a", parse(text))], ITEMS, logs=LOGS)
