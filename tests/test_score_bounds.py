"""Published scores with inputs missing: bounds from the declared input ranges (``Derivation.ranges``).

A score may declare ranges only if it never falls when an input rises; the
properties check that for every declaring score, and that the bounds hold
every value the missing inputs could give.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner.derive import compute, derive, published
from planner.expr.bounds import Bounds
from planner.scores import DERIVATIONS, ScoreInputError
from planner.scores import Derivation as Score
from protocols import REGISTRY

DECLARED = sorted(name for name, d in DERIVATIONS.items() if d.ranges is not None)


def _within(lo: Any, hi: Any) -> st.SearchStrategy[Any]:
    if isinstance(lo, bool):
        return st.sampled_from([b for b in (False, True) if lo <= b <= hi])
    if isinstance(lo, int) and isinstance(hi, int):
        return st.integers(lo, hi)
    return st.floats(float(lo), float(hi))


@st.composite
def accepted(draw: st.DrawFn, score: Score) -> dict[str, Any]:
    """Inputs the score accepts, each within its declared range."""
    assert score.ranges is not None
    values = {name: draw(_within(*score.ranges[name])) for name in score.inputs}
    try:
        score.compute(values)
    except ScoreInputError:  # in range but not an allowed value (2010 RA joints: 0, 1, 2, 3, 5)
        assume(False)
    return values


def test_the_scores_that_are_sums_of_non_negative_parts_declare_ranges() -> None:
    assert ["cdai", "cia_clinical_score", "mrss_total", "pasi", "ra_2010_score", "ssc_2013_score"] == DECLARED
    assert all(DERIVATIONS[n].ranges is None for n in ("das28_esr", "das28_crp", "sdai", "fvc_change"))


@pytest.mark.parametrize("name", DECLARED)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_declared_score_never_falls_when_an_input_rises(name: str, data: st.DataObject) -> None:
    score = DERIVATIONS[name]
    assert score.ranges is not None
    values = data.draw(accepted(score))
    param = data.draw(st.sampled_from(score.inputs))
    raised = {**values, param: data.draw(_within(values[param], score.ranges[param][1]))}
    try:
        after = score.compute(raised)
    except ScoreInputError:
        assume(False)
    assert score.compute(values) <= after


@pytest.mark.parametrize("name", DECLARED)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_bounds_hold_every_value_the_missing_inputs_could_give(name: str, data: st.DataObject) -> None:
    score = DERIVATIONS[name]
    values = data.draw(accepted(score))
    gone = data.draw(st.sets(st.sampled_from(score.inputs), min_size=1))
    ends = score.bounds({p: None if p in gone else v for p, v in values.items()})
    assert ends is not None
    assert ends[0] <= score.compute(values) <= ends[1]


def test_published_gives_bounds_only_for_a_declared_score() -> None:
    ssc = DERIVATIONS["ssc_2013_score"]
    values: dict[str, Any] = dict.fromkeys(ssc.inputs)
    assert Bounds(0, 28, True) == published(ssc, values)
    assert Bounds(9, 28, True) == published(ssc, {**values, "skin_thickening_proximal_to_mcp": True})
    assert 28 == published(ssc, dict.fromkeys(ssc.inputs, True))
    das = DERIVATIONS["das28_esr"]
    assert published(das, {"tjc28": 3, "sjc28": None, "esr_mm_h": 20.0, "gh_mm": 40}) is None
    with pytest.raises(ScoreInputError, match="serology"):  # a given input is still checked
        published(DERIVATIONS["ra_2010_score"], {"joints": None, "serology": 1, "acute_phase": 0, "duration": 1})


def test_derive_gives_the_ssc_score_bounds_with_the_missing_items_as_the_problem() -> None:
    p = REGISTRY["ssc-digital-ulcer"]()
    (d,) = [d for d in p.derivations if d.id == "ssc_2013_score"]
    value, problem = compute(d, {"skin_thickening_proximal_to_mcp": True, "raynaud": False})
    assert Bounds(9, 25, True) == value  # 28 less Raynaud's 3
    assert problem is not None and problem.startswith("missing puffy_fingers, sclerodactyly")
    ulcers = [{"new_ulcer": True, "ischaemic": True}, {"new_ulcer": True}]  # the second may be ischaemic
    derived = derive(p, {"digital_ulcer": ulcers})
    assert Bounds(1, 2, True) == derived.values["new_du_count"]
    assert "inputs missing" == derived.problems["new_du_count"]
