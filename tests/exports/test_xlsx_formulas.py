"""Spreadsheet formulas evaluated in Python: published scores equal planner.scores, rules stay three-valued.

The formulas are trees (exports.xlsx.formula) rendered to Excel text; the
same trees are evaluated here on the same inputs as the Python functions.
LibreOffice computing the rendered text is checked in test_xlsx_read.py.
"""

from __future__ import annotations

import random

import pytest

from exports.xlsx.formula import Ref
from exports.xlsx.translate import Translator, method_formula
from planner.expr import item, q
from planner.model import DataType, Item
from planner.scores import DERIVATIONS, ScoreInputError
from protocols import REGISTRY


def test_eligibility_result_formula_gives_eligible_not_eligible_incomplete():
    from exports.xlsx.sheets import eligibility_formula

    f = eligibility_formula("Eligibility", (6, 7), (8,))
    incl, excl = "$E$6:$E$7", "$E$8:$E$8"
    assert "ELIGIBLE" == f.value({incl: ["Yes", "yes"], excl: ["No"]})
    assert "NOT ELIGIBLE" == f.value({incl: ["Yes", "Yes"], excl: ["Yes"]})
    assert "NOT ELIGIBLE" == f.value({incl: ["No", None], excl: [None]})
    assert "INCOMPLETE" == f.value({incl: ["Yes", "Unknown"], excl: ["No"]})


def _random_inputs(method: str, rng: random.Random) -> dict[str, object]:
    params = DERIVATIONS[method].inputs
    if method == "ssc_2013_score":
        return {p: rng.random() < 0.5 for p in params}
    if method == "ra_2010_score":
        return {"joints": rng.choice((0, 1, 2, 3, 5)), "serology": rng.choice((0, 2, 3)),
                "acute_phase": rng.randint(0, 1), "duration": rng.randint(0, 1)}
    if method == "mrss_total":
        return {p: rng.randint(0, 3) for p in params}
    if method == "cia_clinical_score":
        return {p: rng.randint(0, 4) for p in params}
    if method == "pasi":
        return {p: rng.randint(0, 6 if p.endswith("area") else 4) for p in params}
    out: dict[str, object] = {}
    for p in params:
        if p in ("tjc28", "sjc28"):
            out[p] = rng.randint(0, 28)
        elif p in ("gh_mm",):
            out[p] = rng.uniform(0, 100)
        elif p.endswith("_cm"):
            out[p] = rng.uniform(0, 10)
        elif p.endswith("pct_pred"):
            out[p] = rng.uniform(20, 150)
        else:
            out[p] = rng.uniform(0.5, 120)
    return out


@pytest.mark.parametrize("method", sorted(DERIVATIONS))
def test_every_registered_score_has_a_formula_equal_to_planner_scores(method):
    rng = random.Random(method)
    for _ in range(60):
        values = _random_inputs(method, rng)
        inputs = {}
        env = {}
        for i, (param, value) in enumerate(values.items()):
            ref = f"'S'!$A${i + 1}"
            kind = DataType.BOOLEAN if isinstance(value, bool) else (
                DataType.INTEGER if isinstance(value, int) else DataType.DECIMAL)
            inputs[param] = (Ref(ref), Item("x", "x", kind))
            env[ref] = ("Yes" if value else "No") if isinstance(value, bool) else value
        expected = DERIVATIONS[method].compute(values)  # type: ignore[arg-type]
        assert expected == pytest.approx(method_formula(method, inputs).value(env), rel=1e-12, abs=1e-12)


def test_score_formula_is_blank_until_every_input_is_entered_and_flags_invalid_input():
    cells = {p: (Ref(f"$A${i}"), Item("x", "x", DataType.DECIMAL)) for i, p in
             enumerate(DERIVATIONS["das28_esr"].inputs, 1)}
    f = method_formula("das28_esr", cells)
    assert "" == f.value({"$A$1": 3, "$A$2": 2, "$A$3": None, "$A$4": 40})
    assert "invalid input" == f.value({"$A$1": 3, "$A$2": 2, "$A$3": 0, "$A$4": 40})
    with pytest.raises(ScoreInputError):
        DERIVATIONS["das28_esr"].compute({"tjc28": 3, "sjc28": 2, "esr_mm_h": 0, "gh_mm": 40})


def test_coded_inputs_are_read_as_numbers():
    codes = Item("j", "j", DataType.CODED, codelist="J")
    cells = {p: (Ref(f"$A${i}"), codes) for i, p in enumerate(("paw_1", "paw_2", "paw_3", "paw_4"), 1)}
    f = method_formula("cia_clinical_score", cells)
    assert 10 == f.value({"$A$1": "1", "$A$2": 2, "$A$3": "3", "$A$4": 4})
    assert f.excel().count("VALUE(") == 4


def test_the_studys_pasi_is_the_published_score_not_a_copy():
    """dbt-refractory once wrote the PASI as its own expression beside planner.scores.pasi; now it binds the one."""
    d = next(d for d in REGISTRY["dbt-refractory"]().derivations if d.id == "pasi")
    assert d.method == "pasi" and d.expression is None
    assert set(d.bindings()) == set(DERIVATIONS["pasi"].inputs)


def test_rule_translation_is_kleene_blank_is_unknown_not_zero():
    items = {"anc": Item("anc", "ANC", DataType.DECIMAL, unit="/mm3"),
             "hb": Item("hb", "Hb", DataType.DECIMAL, unit="g/dL")}
    tr = Translator(items, lambda n: Ref(n))
    rule = (item("anc") < q(1.0, "10^9/L")) | (item("hb") < 8)
    true, false = tr.truth(rule)
    assert 1 == true.value({"anc": 800, "hb": None})  # 1.0 × 10⁹/L is 1000/mm³
    assert 0 == true.value({"anc": None, "hb": None}) and 0 == false.value({"anc": None, "hb": None})
    assert 1 == false.value({"anc": 2000, "hb": 12})
    not_rule = ~(item("anc") < 1000)
    t2, f2 = tr.truth(not_rule)
    assert (0, 0) == (t2.value({"anc": None}), f2.value({"anc": None}))
    assert (1, 0) == (t2.value({"anc": 1500}), f2.value({"anc": 1500}))
