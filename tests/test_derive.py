"""Derivations computed on one record: scores bound to items, expressions, unknowns."""

from __future__ import annotations

import pytest

from planner.derive import derive, with_derivations
from planner.expr import evaluate
from planner.scores import das28_esr, ssc_2013_score
from protocols import REGISTRY

SSC_ITEMS = dict.fromkeys((
    "skin_thickening_proximal_to_mcp", "puffy_fingers", "sclerodactyly", "digital_tip_ulcers", "pitting_scars",
    "telangiectasia", "abnormal_nailfold_capillaries", "pah_or_ild", "raynaud", "ssc_antibodies"), False)


def test_published_score_bound_to_items_matches_the_score_function():
    p = REGISTRY["dbt-refractory"]()
    record = {"tjc28": 4, "sjc28": 2, "esr": 30.0, "gh": 50}
    derived = derive(p, record)
    assert das28_esr(4, 2, 30.0, 50) == pytest.approx(derived.values["das28_esr"])
    assert derived.values["das28_crp"] is None
    assert "missing crp" == derived.problems["das28_crp"]


def test_classification_score_feeds_the_eligibility_rule():
    p = REGISTRY["ssc-digital-ulcer"]()
    record = {**SSC_ITEMS, "puffy_fingers": True, "raynaud": True, "ssc_antibodies": True}
    assert 8 == ssc_2013_score(puffy_fingers=True, raynaud=True, ssc_antibodies=True)
    full = with_derivations(p, record)
    assert 8 == full["ssc_2013_score"]
    (i1,) = [c for c in p.eligibility if c.id == "I1"]
    assert evaluate(i1.rule, full).value is False  # type: ignore[arg-type]
    full = with_derivations(p, {**record, "sclerodactyly": True})
    assert evaluate(i1.rule, full).value is True  # type: ignore[arg-type]


def test_expression_derivation_counts_log_records():
    p = REGISTRY["ssc-digital-ulcer"]()
    ulcers = [{"new_ulcer": True, "ischaemic": True}, {"new_ulcer": False, "ischaemic": True},
              {"new_ulcer": True, "ischaemic": False}]
    assert 1 == derive(p, {"digital_ulcer": ulcers}).values["new_du_count"]
    assert derive(p, {}).values["new_du_count"] is None


def test_out_of_range_input_is_unknown_with_the_reason():
    p = REGISTRY["dbt-refractory"]()
    derived = derive(p, {"tjc28": 29, "sjc28": 2, "esr": 30.0, "gh": 50})
    assert derived.values["das28_esr"] is None
    assert "tjc28=29" in derived.problems["das28_esr"]


def test_pasi_expression_equals_the_published_formula():
    from planner.scores import PasiRegion, pasi

    p = REGISTRY["dbt-refractory"]()
    grades = {"head": (1, 2, 1, 2), "arms": (2, 2, 2, 3), "trunk": (0, 1, 1, 1), "legs": (3, 3, 2, 4)}
    record = {f"pasi_{r}_{part}": g[i] for r, g in grades.items()
              for i, part in enumerate(("erythema", "induration", "scaling", "area"))}
    expected = pasi({r: PasiRegion(*g) for r, g in grades.items()})
    assert expected == pytest.approx(derive(p, record).values["pasi"])
