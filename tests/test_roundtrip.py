"""Round-trip properties of the text syntax, the serialization and the two evaluators.

- ``load(dump(p, fmt), fmt) == p`` and ``dump`` is canonical, for YAML and JSON;
- ``parse(to_text(e)) == e`` for every expression;
- ``evaluate(e, r).value == compile_rule(e)(r)`` for every (well-typed) rule and record.

Equality of attrs trees is loose about scalar types (``Lit(1) == Lit(True) ==
Lit(1.0)``), so the properties also compare ``repr``, which is not.

The last section holds regression tests for product bugs these properties
found (units rewritten inside strings, keyword item names, U+0085 in YAML,
truthiness in and/or, type errors in arithmetic and membership, deep nesting).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.expr import Cmp, Expr, ExprError, Lit, Ref, compile_rule, evaluate, parse, to_text
from planner.model import DataType, Form, Item, Protocol, StudyKind
from planner.serialize import LoadError, dump, load, structure, unstructure
from protocols import REGISTRY
from tests.strategies import conditions, expressions, protocols, records, units_of

FORMATS = ("yaml", "json")
PROTOCOL_SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXPR_SETTINGS = settings(max_examples=120, deadline=None)


# -- serialization ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@PROTOCOL_SETTINGS
@given(p=protocols())
def test_load_of_dump_is_identity_and_dump_is_canonical(p: Protocol, fmt: Any) -> None:
    text = dump(p, fmt)
    back = load(text, fmt)
    assert back == p
    assert repr(back) == repr(p)  # same scalar types too (1 vs 1.0 vs True)
    assert dump(back, fmt) == text


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(p=protocols())
def test_structure_of_unstructure_is_identity(p: Protocol) -> None:
    assert structure(unstructure(p)) == p


@pytest.mark.parametrize("kind", list(StudyKind), ids=lambda k: k.name.lower())
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_study_kind_round_trips(kind: StudyKind, data: st.DataObject) -> None:
    p = data.draw(protocols(kind))
    assert p.kind is kind
    back = load(dump(p, "yaml"), "yaml")
    assert back == p
    assert repr(back) == repr(p)


@pytest.mark.parametrize("pid", sorted(REGISTRY))
@pytest.mark.parametrize("fmt", FORMATS)
def test_shipped_protocols_round_trip(pid: str, fmt: Any) -> None:
    p = REGISTRY[pid]()
    text = dump(p, fmt)
    back = load(text, fmt)
    assert back == p
    assert dump(back, fmt) == text


# -- expression text ----------------------------------------------------------------


@EXPR_SETTINGS
@given(e=expressions())
def test_parse_of_to_text_is_identity(e: Expr) -> None:
    text = to_text(e)
    back = parse(text)
    assert back == e, text
    assert repr(back) == repr(e), text
    assert to_text(back) == text


@settings(max_examples=50, deadline=None)
@given(e=expressions(names=["age", "hb", "pregnant"], log_forms={"ae": ["serious", "grade", "term"]}))
def test_parse_of_to_text_over_a_dictionary(e: Expr) -> None:
    assert parse(to_text(e)) == e
    assert e.refs() <= {"age", "hb", "pregnant", "ae", "ae.serious", "ae.grade", "ae.term"}


# -- evaluation ---------------------------------------------------------------------


def _agree(e: Expr, r: dict[str, Any], unit_of: dict[str, str | None] | None) -> None:
    walked = evaluate(e, r, unit_of).value
    compiled = compile_rule(e, unit_of)(r)
    assert walked in (True, False, None), (to_text(e), r, walked)
    assert type(walked) is type(compiled) and walked == compiled, (to_text(e), r, walked, compiled)


@settings(max_examples=150, deadline=None)
@given(e=conditions(), r=records(), unit_of=st.one_of(st.none(), units_of()))
def test_evaluate_agrees_with_compile_rule(e: Expr, r: dict[str, Any], unit_of: dict[str, str | None] | None) -> None:
    _agree(e, r, unit_of)


@pytest.mark.parametrize(("text", "record", "expected"), [
    ('sex < 3', {"sex": "F"}, None),                            # str vs int: unknown, not an error
    ('onset >= 18', {"onset": dt.date(2024, 1, 1)}, None),      # date vs int
    ('sex == 3', {"sex": "F"}, False),                          # equality across types is just false
    ('1 <= sex <= 3', {"sex": "F"}, None),
    ('age >= 18 and pregnant', {"age": 30}, None),              # missing: unknown
    ('age < 18 and pregnant', {"age": 30}, False),              # false wins
    ('age >= 18 or pregnant', {"age": 30}, True),               # true wins
    ('hb / anc > 1', {"hb": 1, "anc": 0}, None),                # division by zero: unknown
    ('count(ae, where=ae.serious) >= 1', {"ae": [{"serious": False}, {}]}, None),
    ('count_distinct(ae.term) == 2', {"ae": [{"term": "a"}, {"term": "b"}, {"term": "a"}]}, True),
    ('count(ae) == 0', {}, None),
    ('hb < 9[g/dL]', {"hb": 85}, True),
])
def test_evaluate_examples(text: str, record: dict[str, Any], expected: bool | None) -> None:
    unit_of = {"hb": "g/L"} if "g/dL" in text else None
    e = parse(text)
    assert evaluate(e, record, unit_of).value is expected
    assert compile_rule(e, unit_of)(record) is expected


# -- regression tests for bugs these properties found -------------------------------


def test_string_literal_with_number_and_brackets() -> None:
    # A codelist value such as "Grade 3 [severe]" prints to text that parse() rejects ...
    e = Cmp("==", Ref("grade"), Lit("Grade 3 [severe]"))
    assert parse(to_text(e)) == e
    # ... and single-quoted it parses to a different string ('5["mg"]').
    assert parse("x == '5[mg]'") == Cmp("==", Ref("x"), Lit("5[mg]"))


def test_keyword_item_name_round_trips_or_is_rejected() -> None:
    base = REGISTRY["ssc-digital-ulcer"]()
    try:
        form = Form("cls", "Classification", (Item("class", "Disease class", DataType.INTEGER),))
    except ValueError:
        return  # fixed by rejecting the name
    dd = attrs.evolve(base.dictionary, forms=(*base.dictionary.forms, form))
    rule = Cmp("==", Ref("class"), Lit(1))
    crit = attrs.evolve(base.eligibility[0], rule=rule)
    p = attrs.evolve(base, dictionary=dd, eligibility=(crit, *base.eligibility[1:]))
    assert load(dump(p)) == p  # today: LoadError "bad rule 'class == 1': column 1: invalid syntax"


def test_text_with_next_line_character_round_trips() -> None:
    p = attrs.evolve(REGISTRY["ssc-digital-ulcer"](), short_title="Iguratimod\x85SSc")
    assert load(dump(p, "yaml"), "yaml") == p


def test_and_or_over_non_boolean_values_agree() -> None:
    for text, record in [("x and y", {"x": 0, "y": True}), ("x or y", {"x": 1, "y": False}),
                         ("count(ae) and x", {"ae": [], "x": True})]:
        e = parse(text)
        assert evaluate(e, record).value == compile_rule(e)(record), text


def test_arithmetic_on_incompatible_types_is_unknown() -> None:
    e = parse("x + 1 > 2")
    assert evaluate(e, {"x": "a"}).value is None
    assert compile_rule(e)({"x": "a"}) is None


def test_in_over_unhashable_value_agrees() -> None:
    e = parse("x in (1, 2)")
    assert evaluate(e, {"x": [1]}).value == compile_rule(e)({"x": [1]})


def test_deeply_nested_rule_is_an_expr_error() -> None:
    try:
        parse("not " * 3000 + "x")
    except ExprError:
        pass  # a clear "rule nested too deeply" would do; so would parsing it


def test_bad_rule_text_in_json_is_one_problem_line() -> None:
    # JSON goes through the same path as YAML: a rule text problem is one LoadError line.
    text = dump(REGISTRY["ssc-digital-ulcer"](), "json").replace('"new_du_count == 0"', '"new_du_count =="')
    with pytest.raises(LoadError) as info:
        load(text, "json")
    assert info.value.problems == [
        "$.objectives[0].endpoints[0].success: bad rule 'new_du_count ==': column 16: "
        "the rule ends too early: something is missing at the end"]
