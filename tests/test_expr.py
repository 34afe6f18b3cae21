"""Rule expressions: parsing, printing, three-valued evaluation, counting, explanations."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.expr import (
    And,
    Between,
    Cmp,
    Count,
    ExprError,
    In,
    Lit,
    Not,
    Or,
    Ref,
    compile_rule,
    count,
    count_distinct,
    evaluate,
    item,
    parse,
    q,
)

T, F, U = True, False, None
# Records giving a the values true, false and unknown (missing).
REC = {T: {"a": True}, F: {"a": False}, U: {}}
REC_B = {T: {"b": True}, F: {"b": False}, U: {}}


def both(expr, record):
    """The tree walk and the compiled closure must agree; return their value."""
    walked = evaluate(expr, record).value
    assert walked == compile_rule(expr)(record)
    return walked


@pytest.mark.parametrize(("x", "y", "expected"), [
    (T, T, T), (T, F, F), (T, U, U), (F, T, F), (F, F, F), (F, U, F), (U, T, U), (U, F, F), (U, U, U),
])
def test_and_is_kleene(x, y, expected):
    assert expected == both(item("a") & item("b"), {**REC[x], **REC_B[y]})


@pytest.mark.parametrize(("x", "y", "expected"), [
    (T, T, T), (T, F, T), (T, U, T), (F, T, T), (F, F, F), (F, U, U), (U, T, T), (U, F, U), (U, U, U),
])
def test_or_is_kleene(x, y, expected):
    assert expected == both(item("a") | item("b"), {**REC[x], **REC_B[y]})


@pytest.mark.parametrize(("x", "expected"), [(T, F), (F, T), (U, U)])
def test_not_keeps_unknown(x, expected):
    assert expected == both(~item("a"), REC[x])


def test_comparison_with_missing_item_is_unknown_and_names_it():
    out = evaluate(parse("age >= 18 and anc >= 1.5[10^9/L]"), {"age": 40})
    assert out.value is None
    assert frozenset({"anc"}) == out.missing
    assert any("anc" in b for b in out.because)


def test_false_term_decides_and_is_the_explanation():
    out = evaluate(parse("age >= 18 and pregnant == false and anc > 1"), {"age": 12, "pregnant": False})
    assert out.value is False
    assert ("age >= 18: false",) == out.because


PRIOR = [
    {"agent": "adalimumab", "mechanism_class": "TNF", "failed": True},
    {"agent": "etanercept", "mechanism_class": "TNF", "failed": True},
    {"agent": "secukinumab", "mechanism_class": "IL17", "failed": False},
]
TWO_CLASSES = count_distinct("prior_therapy.mechanism_class", where=item("prior_therapy.failed")) >= 2


def test_count_distinct_over_repeated_records():
    # Two failures, but both TNF: one distinct class.
    assert both(TWO_CLASSES, {"prior_therapy": PRIOR}) is False
    failed_il17 = [*PRIOR[:2], {**PRIOR[2], "failed": True}]
    assert both(TWO_CLASSES, {"prior_therapy": failed_il17}) is True
    assert 3 == evaluate(count("prior_therapy"), {"prior_therapy": PRIOR}).value


def test_count_is_unknown_when_records_are_missing_or_incomplete():
    assert both(TWO_CLASSES, {}) is None
    incomplete = [*PRIOR[:2], {"agent": "x", "mechanism_class": "JAK"}]  # 'failed' not recorded
    out = evaluate(TWO_CLASSES, {"prior_therapy": incomplete})
    assert out.value is None
    assert frozenset({"prior_therapy.failed"}) == out.missing
    assert 0 == both(count("prior_therapy"), {"prior_therapy": []})


def test_membership_between_and_arithmetic():
    assert both(item("dx").is_in("RA", "PsA"), {"dx": "PsA"}) is True
    assert both(item("dx").is_in("RA", "PsA"), {"dx": "SSc"}) is False
    rule = parse("18 <= age < 65")
    assert Between(Ref("age"), Lit(18), Lit(65), True, False) == rule
    assert [both(rule, {"age": a}) for a in (17, 18, 64, 65)] == [False, True, True, False]
    alt = parse("alt > 3 * alt_uln")
    assert both(alt, {"alt": 121, "alt_uln": 40}) is True
    assert both(alt, {"alt": 120, "alt_uln": 40}) is False
    assert both(alt, {"alt": 120}) is None


def test_literal_units_convert_to_the_item_unit_when_known():
    rule = parse("anc < 1.0[10^9/L]")
    units = {"anc": "/mm3"}
    assert evaluate(rule, {"anc": 900}, units).value is True
    assert compile_rule(rule, units)({"anc": 1100}) is False


def test_incompatible_values_are_unknown_not_a_crash():
    assert both(parse("age > 18"), {"age": "forty"}) is None


def test_dates():
    rule = parse('onset >= date("2024-01-01")')
    assert Cmp(">=", Ref("onset"), Lit(dt.date(2024, 1, 1))) == rule
    assert both(rule, {"onset": dt.date(2024, 3, 1)}) is True


def test_python_operators_build_the_same_tree_as_text():
    built = (item("age") >= 18) & ~item("pregnant") & item("dx").is_in("RA") & (item("hb") < q(9, "g/dL"))
    assert parse('age >= 18 and not pregnant and dx in ("RA",) and hb < 9[g/dL]') == built
    assert And((Cmp(">=", Ref("age"), Lit(18)), Not(Ref("pregnant")), In(Ref("dx"), (Lit("RA"),)),
                Cmp("<", Ref("hb"), Lit(9, "g/dL")))) == built


@pytest.mark.parametrize("text", [
    "age >= 18 and not pregnant",
    'diagnosis in ("RA", "PsA", "axSpA")',
    "count_distinct(prior_therapy.mechanism_class, where=prior_therapy.failed) >= 2",
    "not (a or b) and c",
    "a - (b - c) > 2 * (d + e)",
    "hb_baseline - hb > 2[g/dL]",
    "x < -5[mg]",
    'name == "x<y and y>z"',
    "count(ae, where=ae.serious and ae.infection) >= 1",
])
def test_canonical_text_round_trips(text):
    assert text == str(parse(text))
    assert parse(text) == parse(str(parse(text)))


def test_nested_junctions_flatten():
    assert And((Ref("a"), Ref("b"), Ref("c"))) == (item("a") & item("b")) & item("c")
    assert Or((Ref("a"), Ref("b"), Ref("c"))) == parse("a or (b or c)")


@pytest.mark.parametrize(("text", "column", "fragment"), [
    ("age >= ", 7, "ends too early"),
    ("a b", 3, "unexpected 'b'; expected an operator"),
    ('__import__("os").system("x")', 1, "is not allowed"),
    ("age >= 18 and (lambda: 1)", 16, "a lambda"),
    ("hb < 9[g/dLL]", 8, "unknown unit 'g/dLL'"),
    ("x.y.z > 1", 1, "only 'form.item'"),
    ("open('f')", 1, "function open() is not allowed"),
    ("age ** 2 > 1", 1, "not allowed"),
    ("x in y", 6, "needs a list"),
    ("", 1, "empty rule"),
])
def test_bad_text_is_an_error_with_column(text, column, fragment):
    with pytest.raises(ExprError) as err:
        parse(text)
    assert column == err.value.column
    assert fragment in err.value.message


def test_refs_lists_items_and_count_targets():
    rule = parse("age >= 18 and count_distinct(prior.cls, where=prior.failed) >= 2")
    assert frozenset({"age", "prior", "prior.cls", "prior.failed"}) == rule.refs()
    assert isinstance(next(n for n in rule.walk() if isinstance(n, Count)), Count)


def test_every_public_name_is_the_object_not_a_submodule():
    """Lazy loading must not hand out a submodule for a public name, whatever was imported first."""
    import subprocess
    import sys

    code = ("import importlib, types, planner.expr as e\n"
            "for m in ('logic', 'nodes', 'text'): importlib.import_module('planner.expr.' + m)\n"
            "bad = [n for n in e.__all__ if isinstance(getattr(e, n), types.ModuleType)]\n"
            "from planner.expr import evaluate, parse\n"
            "assert callable(evaluate) and callable(parse) and not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(("rule", "unit", "value"), [
    ("hb >= 7[g/L]", "g/dL", 0.7),  # 7 × 0.1 is 0.7000000000000001 unsnapped
    ("anc >= 700[/mm3]", "10^9/L", 0.7),
    ("alb >= 70[mg/dL]", "g/L", 0.7),
    ("hb >= 0.7[g/dL]", "g/L", 7),
    ("anc >= 0.7[10^9/L]", "/mm3", 700),
])
def test_a_converted_literal_equals_the_same_amount_in_the_item_unit(rule, unit, value):
    name = rule.split()[0]
    e, units = parse(rule), {name: unit}
    assert evaluate(e, {name: value}, units).value is True
    assert compile_rule(e, units)({name: value}) is True
    strict = parse(rule.replace(">=", ">"))
    assert evaluate(strict, {name: value}, units).value is False
    assert evaluate(parse(rule.replace(">=", "==")), {name: value}, units).value is True
    pytest.importorskip("numpy")
    from planner.expr.columns import Columns, compile_columns

    assert [True, False] == compile_columns(e, units)(Columns.from_records([{name: value}, {name: value / 2}])).to_list()
