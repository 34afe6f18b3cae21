"""Value sets used by the satisfiability reasoning."""

from __future__ import annotations

import datetime as dt

from planner.checks.intervals import CodeSet, Interval, NumSet, subset


def at_least(x: float) -> NumSet:
    return NumSet((Interval(x, None, True, False),))


def below(x: float) -> NumSet:
    return NumSet((Interval(None, x, False, False),))


def test_intersection_union_and_complement_of_intervals() -> None:
    assert at_least(18).intersect(below(18)).is_empty()
    assert not at_least(18).intersect(below(18.5)).is_empty()
    assert "[18, ∞)" == str(below(18).complement())
    assert "(−∞, 16) ∪ [18, ∞)" == str(below(16).union(at_least(18)))
    assert "[16, 18)" == str(below(16).union(at_least(18)).complement())


def test_integer_sets_close_open_bounds() -> None:
    gap = NumSet((Interval(3, 4, False, False),), integer=True)
    assert gap.is_empty()
    assert "[4, ∞)" == str(NumSet((Interval(3, None, False, False),), integer=True))


def test_subset_and_dates() -> None:
    assert subset(at_least(21), at_least(18))
    assert not subset(at_least(18), at_least(21))
    since = NumSet((Interval(dt.date(2020, 1, 1), None, True, False),))
    assert subset(NumSet((Interval(dt.date(2021, 1, 1), None, True, False),)), since)


def test_code_sets_finite_and_cofinite() -> None:
    codes = CodeSet(frozenset({"RA", "PsA", "axSpA"}))
    not_ra = CodeSet(None, frozenset({"RA"}))
    assert "{'PsA', 'axSpA'}" == str(codes.intersect(not_ra))
    assert codes.intersect(CodeSet(frozenset({"SLE"}))).is_empty()
    assert "anything but {'RA'}" == str(CodeSet(frozenset({"RA"})).complement())
    assert subset(CodeSet(frozenset({"PsA"})), not_ra)
