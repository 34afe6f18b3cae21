"""The functions of the rule language: syntax, three-valued meaning, checks and the Excel projection."""

from __future__ import annotations

import datetime as dt

import pytest

from exports.xlsx.formula import Ref as Cell
from exports.xlsx.translate import Translator
from planner.expr import ExprError, days_between, evaluate, ifelse, item, parse, sqrt, to_text
from planner.expr.functions import as_of
from planner.expr.logic import compile_rule
from planner.model import DataType, Item

D1, D2 = dt.date(2024, 1, 10), dt.date(2024, 7, 12)


@pytest.mark.parametrize("text", ["sqrt(tjc) > 2", "ln(esr + 1) < 3", "abs(a - b) <= 5", "min(a, b, 3) == 3",
                                  "max(a, 1) >= 1", "ifelse(flag, 9, 0) + a > 4",
                                  "days_between(onset, visit) >= 182", "days_between(onset, today()) < 30"])
def test_text_round_trip(text: str) -> None:
    assert to_text(parse(text)) == text
    assert parse(to_text(parse(text))) == parse(text)


def test_python_api_builds_the_same_tree_as_the_text() -> None:
    assert (days_between(item("onset"), item("visit")) >= 182) == parse("days_between(onset, visit) >= 182")
    assert parse("sqrt(tjc) > 2") == (sqrt(item("tjc")) > 2)
    assert parse("ifelse(flag, 9, 0) > 1") == (ifelse(item("flag"), 9, 0) > 1)


@pytest.mark.parametrize(("text", "needle"), [("sqrt(a, b) > 1", "sqrt() takes 1 argument, got 2"),
                                              ("min(a) > 1", "min() takes at least 2 arguments, got 1"),
                                              ("today(a) > 1", "today() takes 0 argument"),
                                              ("exp(a) > 1", "function exp() is not allowed")])
def test_wrong_calls_are_located_errors(text: str, needle: str) -> None:
    with pytest.raises(ExprError) as info:
        parse(text)
    assert needle in str(info.value)


def test_missing_date_makes_days_between_unknown_in_both_python_evaluators() -> None:
    rule = parse("days_between(onset, visit) >= 182")
    for record, want in (({"onset": D1, "visit": D2}, True), ({"onset": D1, "visit": D1}, False),
                         ({"onset": D1}, None), ({}, None)):
        assert evaluate(rule, record).value is want
        assert compile_rule(rule)(record) in ((None,) if want is None else (want,))
    assert "visit" in evaluate(rule, {"onset": D1}).missing


def test_outside_the_domain_is_unknown_with_its_reason() -> None:
    out = evaluate(parse("ln(a) < 1"), {"a": 0})
    assert out.value is None and not out.missing
    assert any("domain" in b for b in out.because)
    assert compile_rule(parse("sqrt(a) > 1"))({"a": -4}) is None


def test_ifelse_reads_only_the_chosen_branch() -> None:
    rule = parse("ifelse(flag, a, b) > 1")
    assert evaluate(rule, {"flag": True, "a": 2}).value is True  # b is missing but not needed
    assert evaluate(rule, {"flag": None, "a": 2, "b": 2}).value is None


def test_today_is_the_evaluation_date() -> None:
    rule = parse("days_between(onset, today()) >= 182")
    with as_of(D2):
        assert evaluate(rule, {"onset": D1}).value is True
        assert compile_rule(rule)({"onset": D1}) is True
    with as_of(D1):
        assert evaluate(rule, {"onset": D1}).value is False


def _excel(rule_text: str, record: dict[str, object], items: dict[str, Item]) -> tuple[object, object]:
    tr = Translator(items, lambda n: Cell(n))
    true, false = tr.truth(parse(rule_text))
    env = {n: ((v - dt.date(1899, 12, 30)).days if isinstance(v, dt.date) else v) for n, v in record.items()}
    return true.value(env), false.value(env)


@pytest.mark.parametrize("record", [{"a": 4.0}, {"a": -4.0}, {"a": 0.0}, {"a": None}])
@pytest.mark.parametrize("rule", ["sqrt(a) > 1", "ln(a) < 1", "abs(a) >= 4", "max(a, 1) > 2", "not (sqrt(a) > 1)"])
def test_excel_projection_agrees_with_the_reference(rule: str, record: dict[str, object]) -> None:
    items = {"a": Item("a", "A", DataType.DECIMAL)}
    want = evaluate(parse(rule), record).value
    true, false = _excel(rule, record, items)
    assert (true, false) == ((1, 0) if want is True else (0, 1) if want is False else (0, 0))


@pytest.mark.parametrize("record", [{"onset": D1, "visit": D2}, {"onset": D2, "visit": D1}, {"onset": D1}])
def test_excel_days_between_is_a_difference_of_serials(record: dict[str, object]) -> None:
    items = {"onset": Item("onset", "Onset", DataType.DATE), "visit": Item("visit", "Visit", DataType.DATE)}
    rule = "days_between(onset, visit) >= 182"
    want = evaluate(parse(rule), record).value
    assert _excel(rule, record, items) == ((1, 0) if want is True else (0, 1) if want is False else (0, 0))
