"""Derived values for screening and monitoring (:class:`Derivations`): as :func:`planner.derive.derive` gives them.

Including the bounds of a score with inputs missing, and inputs the score
cannot remember its results by (a list of records bound to an input).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.derive import derive
from planner.expr import item
from planner.expr.bounds import Bounds
from planner.participants.derived import Derivations
from protocols import REGISTRY

_MISSING = object()
_VALUES = st.sampled_from((_MISSING, None, True, False, 0, 1, 2, 3, 2.5, "x", (1,), [1, 2]))


def _log(p: Any, form: str) -> st.SearchStrategy[Any]:
    """A repeating form: records with each item true, false, blank or absent; or the form not recorded."""
    row = st.fixed_dictionaries({}, optional={i.name: st.sampled_from((True, False, None))
                                              for i in p.dictionary.form(form).items})
    return st.one_of(st.just(_MISSING), st.none(), st.lists(row, max_size=4))


def _derivations(pid: str) -> tuple[Any, Derivations]:
    p = REGISTRY[pid]()
    return p, Derivations(p, [item(d.id) >= 0 for d in p.derivations])


@pytest.mark.parametrize("pid", sorted(REGISTRY))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_derivations_equal_derive_with_missing_and_odd_inputs(pid: str, data: st.DataObject) -> None:
    p, derivations = _derivations(pid)
    names = sorted(set(derivations.missing(derivations.ids, {})))
    drawn = {n: data.draw(_VALUES if p.dictionary.form(n) is None else _log(p, n), label=n) for n in names}
    record = {n: v for n, v in drawn.items() if v is not _MISSING}
    applied = dict(record)
    derivations.apply(applied)
    expected = derive(p, record).values
    assert {d: expected[d] for d in derivations.ids} == {d: applied[d] for d in derivations.ids}


def test_a_list_bound_to_a_score_input_is_refused_not_a_crash() -> None:
    p, derivations = _derivations("dbt-refractory")
    record: dict[str, Any] = {"tjc28": [1, 2], "sjc28": 2, "esr": 30.0, "gh": 50}
    for _ in range(2):  # the second time would read the (unhashable) memo
        problems = derivations.apply(record)
        assert record["das28_esr"] is None
        assert "tjc28" in problems["das28_esr"]
    p, derivations = _derivations("ssc-digital-ulcer")
    record = {"raynaud": [True], "skin_thickening_proximal_to_mcp": True}
    problems = derivations.apply(record)
    assert record["ssc_2013_score"] is None and "raynaud" in problems["ssc_2013_score"]


def test_bounds_name_the_items_to_collect() -> None:
    _, derivations = _derivations("ssc-digital-ulcer")
    record: dict[str, Any] = {"skin_thickening_proximal_to_mcp": False, "sclerodactyly": True}
    derivations.apply(record)
    assert Bounds(4, 19, True) == record["ssc_2013_score"]
    missing = derivations.missing({"ssc_2013_score"}, record)
    assert "raynaud" in missing and "sclerodactyly" not in missing
