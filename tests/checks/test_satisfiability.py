"""The interval reasoning agrees with brute force over every permitted value."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from planner.checks import check
from planner.expr import evaluate, parse
from planner.serialize import structure
from tests.checks.cases import base_data

AGES = range(0, 121)  # the base's age item: integer, range 0–120

criterion = st.tuples(
    st.sampled_from(["inclusion", "exclusion"]),
    st.sampled_from(["<", "<=", ">", ">=", "==", "!="]),
    st.integers(min_value=-5, max_value=125),
)


def protocol(criteria: list[tuple[str, str, int]]) -> Any:
    data = base_data()
    data["eligibility"] = [
        {"id": f"c{i}", "category": cat, "text": f"criterion {i}", "rule": f"age {op} {value}"}
        for i, (cat, op, value) in enumerate(criteria)
    ]
    return structure(data)


def admitted(criteria: list[tuple[str, str, int]]) -> set[int]:
    out = set()
    for age in AGES:
        results = [(cat, evaluate(parse(f"age {op} {v}"), {"age": age}).value) for cat, op, v in criteria]
        if all(r for c, r in results if c == "inclusion") and not any(r for c, r in results if c == "exclusion"):
            out.add(age)
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(criterion, min_size=1, max_size=4))
def test_no_one_eligible_exactly_when_brute_force_finds_no_age(criteria: list[tuple[str, str, int]]) -> None:
    codes = check(protocol(criteria)).codes()
    assert (not admitted(criteria)) == bool(codes & {"ELG006", "ELG007"})


@settings(max_examples=150, deadline=None)
@given(st.lists(criterion, min_size=2, max_size=4))
def test_a_redundant_criterion_changes_nothing(criteria: list[tuple[str, str, int]]) -> None:
    report = check(protocol(criteria))
    flagged = [int(f.path.split("[")[1].split("]")[0]) for f in report.findings if f.code == "ELG008"]
    kept = [c for i, c in enumerate(criteria) if i not in flagged]
    assert admitted(criteria) == admitted(kept)
